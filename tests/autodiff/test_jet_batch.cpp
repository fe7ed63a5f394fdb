// Batches of jets against the same jets one at a time (jet.hpp's arithmetic): every activation,
// products and activation derivatives, on boxes of several kinds and on batch sizes that end
// inside a SIMD batch, inside a block of the kernels, and past the size split among threads.
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/activation.hpp"
#include "autodiff/functions.hpp"
#include "autodiff/jet_batch.hpp"
#include "autodiff/parallel.hpp"

using namespace nimde::autodiff;

namespace {

/// n × m jets with random coefficients; values in ±2, kept off 0 (relu and elu have a kink there).
JetBatch random_batch(const JetShape& s, std::size_t n, std::size_t m, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  JetBatch b(s, n, m);
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t k = 0; k < m; ++k) {
      double v = 2 * u(rng);
      if (std::abs(v) < 0.05) v = 0.5;
      b(0, p, k) = v;
      for (int c = 1; c < s.size(); ++c) b(c, p, k) = u(rng);
    }
  return b;
}

/// Every coefficient of every jet of `batch` against `one(p, k)`, relative to the jet's largest.
template <class One>
void check_jets(const JetBatch& batch, One one, double tol = 1e-13) {
  for (std::size_t p = 0; p < batch.points(); ++p)
    for (std::size_t k = 0; k < batch.cols(); ++k) {
      const Jet want = one(p, k);
      double scale = 1;
      for (int c = 0; c < batch.shape().size(); ++c) scale = std::max(scale, std::abs(want[c]));
      for (int c = 0; c < batch.shape().size(); ++c) {
        INFO("point " << p << ", component " << k << ", coefficient " << c);
        CHECK(std::abs(batch(c, p, k) - want[c]) <= tol * scale);
      }
    }
}

struct Case {
  const char* kind;
  std::vector<int> box;
};
// Taylor of degree 4, hyper-dual in three directions, a mixed box, the largest box of all.
const Case kBoxes[] = {{"Taylor degree 4", {4}}, {"hyper-dual", {1, 1, 1}}, {"mixed", {2, 1, 1}}, {"16 coefficients", {3, 3}}};
// 1 point; tails of a SIMD batch and of a 64-entry block; enough work for the threads to share.
const std::size_t kPoints[] = {1, 7, 37, 700};

}  // namespace

TEST_CASE("a batch of jets through each activation equals the jets one at a time", "[jet]") {
  for (const Case& box : kBoxes) {
    const JetShape s(box.box);
    for (std::size_t n : kPoints) {
      const JetBatch z = random_batch(s, n, 3, 11);
#define NIMDE_CHECK_ACTIVATION(name, Rule)                                                          \
  {                                                                                                 \
    INFO(box.kind << ", " << n << " points, " #name);                                               \
    JetBatch y = z;                                                                                 \
    activate(Activation::name, y);                                                                  \
    check_jets(y, [&](std::size_t p, std::size_t k) { return activate(Activation::name, z.jet(p, k)); }); \
  }
      NIMDE_ACTIVATIONS(NIMDE_CHECK_ACTIVATION)
#undef NIMDE_CHECK_ACTIVATION
    }
  }
}

TEST_CASE("products of batches of jets equal products of the jets one at a time", "[jet]") {
  for (const Case& box : kBoxes) {
    const JetShape s(box.box);
    for (std::size_t n : kPoints) {
      INFO(box.kind << ", " << n << " points");
      JetBatch a = random_batch(s, n, 2, 3);
      const JetBatch a0 = a, b = random_batch(s, n, 2, 4);
      multiply(a, b);
      check_jets(a, [&](std::size_t p, std::size_t k) { return a0.jet(p, k) * b.jet(p, k); });
    }
  }
}

TEST_CASE("activation derivatives of batches of jets are the rules' derivatives as jets", "[jet]") {
  for (const Case& box : kBoxes) {
    const JetShape s(box.box);
    for (std::size_t n : {std::size_t(1), std::size_t(37)}) {
      const JetBatch z = random_batch(s, n, 2, 5);
      for (Activation act : {Activation::identity, Activation::tanh, Activation::sigmoid, Activation::relu,
                             Activation::elu, Activation::softplus, Activation::sin}) {
        INFO(box.kind << ", " << n << " points, " << activation_name(act));
        JetBatch y = z;
        activate(act, y);
        const JetBatch d = derivative(act, z, y);
        check_jets(d, [&](std::size_t p, std::size_t k) {
          const Jet x = z.jet(p, k), v = y.jet(p, k);
          switch (act) {
            case Activation::tanh: return 1.0 - v * v;
            case Activation::sigmoid: return v * (1.0 - v);
            case Activation::relu: return Jet(s, v.value() > 0 ? 1.0 : 0.0);
            case Activation::elu: return v.value() > 0 ? Jet(s, 1.0) : v + 1.0;
            case Activation::softplus: return sigmoid(x);
            case Activation::sin: return cos(x);
            default: return Jet(s, 1.0);  // identity
          }
        });
      }
    }
  }
}

TEST_CASE("a batch of jets gives the same bits on one thread and on two", "[jet][parallel]") {
  const JetShape s({3, 3});
  const JetBatch z = random_batch(s, 700, 3, 9);  // 16 · 2,100 entries: above the parallel threshold
  auto run = [&](int threads) {
    const ThreadScope scope(threads);
    JetBatch y = z;
    activate(Activation::tanh, y);
    multiply(y, z);
    return y;
  };
  const JetBatch one = run(1), two = run(2);
  REQUIRE(one.matrix().size() == two.matrix().size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < one.matrix().size(); ++i) differ += one.matrix().data()[i] != two.matrix().data()[i];
  CHECK(differ == 0);
}

TEST_CASE("jets go into a batch and come out unchanged, and batches of two boxes do not mix", "[jet]") {
  const JetShape s({2, 1}), other({1, 1});
  JetBatch b(s, 3, 2);
  Jet a(s, 1.5);
  a[1] = -2;
  a[5] = 0.25;
  b.set(2, 1, a);
  const Jet back = b.jet(2, 1);
  for (int c = 0; c < s.size(); ++c) CHECK(back[c] == a[c]);
  CHECK(b(5, 2, 1) == 0.25);
  CHECK(b.matrix()(5 * 3 + 2, 1) == 0.25);  // row c·n + p
  CHECK_THROWS_AS(b.set(0, 0, Jet(other, 1.0)), std::invalid_argument);
  JetBatch c(other, 3, 2);
  CHECK_THROWS_AS(multiply(b, c), std::invalid_argument);
  JetBatch wide(s, 3, 3);
  CHECK_THROWS_WITH(multiply(b, wide), Catch::Contains("combined in one operation"));
}
