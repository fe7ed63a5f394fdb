// Properties of the engine as a whole: random composite graphs, float against double,
// thread-count invariance, and the errors users see.
#include <cstring>

#include "autodiff/parallel.hpp"
#include "tests/autodiff/gradcheck.hpp"

using namespace nimde::autodiff;
using nimde::test::gradient_check;
using nimde::test::random_tensor;

namespace {

/// A random graph of `ops` operations over three rows × cols leaves, mixing every kind of
/// operation; values stay bounded (tanh and safe domains) so differences stay meaningful.
template <class T>
Var<T> random_graph(const std::vector<Var<T>>& leaves, std::uint64_t seed, int ops) {
  std::mt19937_64 rng(seed);
  std::vector<Var<T>> pool = leaves;
  const std::size_t cols = leaves[0].cols();
  auto pick = [&]() { return pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)]; };
  for (int i = 0; i < ops; ++i) {
    const Var<T> a = pick(), b = pick();
    Var<T> y;
    switch (std::uniform_int_distribution<int>(0, 15)(rng)) {
      case 0: y = a + b; break;
      case 1: y = a - b * 0.5; break;
      case 2: y = a * b; break;
      case 3: y = a / (square(b) + 1.0); break;
      case 4: y = tanh(a * 1.5); break;
      case 5: y = sin(a) + cos(b); break;
      case 6: y = log(softplus(a) + 0.5); break;
      case 7: y = sqrt(square(a) + 0.25); break;
      case 8: y = sigmoid(a) * exp(b * 0.3); break;
      case 9: y = pow(a, 3) * 0.3 - elu(b); break;
      case 10: y = a + mean(b, 0); break;            // row broadcast
      case 11: y = a * tanh(sum(b, 1) * 0.2); break;  // column broadcast
      case 12: y = tanh(matmul(a, matmul(b, a, true, false)) * (0.5 / double(a.rows()))); break;
      case 13: y = linear(a, tanh(matmul(b, b, true, false) * (1.0 / double(b.rows()))), mean(b, 0), Activation::tanh); break;
      case 14: y = cols == 1 ? a - b : concat_cols({slice_cols(a, cols - 1, 1), slice_cols(b, 0, cols - 1)}); break;
      default: y = a - 2.0 / (square(b) + 2.0); break;
    }
    pool.push_back(y);
  }
  Var<T> out = pool.back();
  for (std::size_t k = pool.size() - 4; k + 1 < pool.size(); ++k) out = out + pool[k];
  return out;
}

}  // namespace

TEST_CASE("random composite graphs of 40 operations match central differences", "[engine]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng(seed);
    const std::size_t rows = 1 + seed * 11, cols = seed % 3 == 0 ? 1 : 1 + seed % 5;
    std::vector<Tensor<double>> in{random_tensor(rows, cols, rng), random_tensor(rows, cols, rng),
                                   random_tensor(rows, cols, rng)};
    auto check = gradient_check(in, [seed](Tape<double>&, const std::vector<Var<double>>& x) {
      return random_graph<double>(x, seed, 40);
    });
    INFO("seed " << seed << ": " << check.where);
    CHECK(check.worst < 1e-6);
  }
}

TEST_CASE("float values and gradients agree with double within float tolerance", "[engine]") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<Tensor<double>> in{random_tensor(129, 3, rng), random_tensor(129, 3, rng), random_tensor(129, 3, rng)};
    Tape<double> td;
    Tape<float> tf;
    std::vector<Var<double>> xd;
    std::vector<Var<float>> xf;
    for (const auto& t : in) {
      xd.push_back(td.leaf(t));
      Tensor<float> f = zeros<float>(t.shape()[0], t.shape()[1]);
      std::copy(t.begin(), t.end(), f.begin());
      xf.push_back(tf.leaf(f));
    }
    Var<double> ld = mean(random_graph<double>(xd, seed, 30));
    Var<float> lf = mean(random_graph<float>(xf, seed, 30));
    td.backward(ld);
    tf.backward(lf);
    INFO("seed " << seed);
    CHECK(lf.value()(0, 0) == Approx(ld.value()(0, 0)).epsilon(1e-4).margin(1e-5));
    for (std::size_t k = 0; k < 3; ++k)
      for (std::size_t i = 0; i < in[k].size(); ++i)
        CHECK(xf[k].grad().data()[i] == Approx(xd[k].grad().data()[i]).epsilon(1e-3).margin(1e-4));
  }
}

TEST_CASE("values and gradients are bitwise identical for 1 and 2 threads", "[engine][threads]") {
  auto run = [](int threads) {
    set_num_threads(threads);
    std::mt19937_64 rng(99);
    Tape<float> tape;
    auto leaf = [&](std::size_t r, std::size_t c) {
      Tensor<double> d = random_tensor(r, c, rng);
      Tensor<float> f = zeros<float>(r, c);
      std::copy(d.begin(), d.end(), f.begin());
      return tape.leaf(f);
    };
    Var<float> x = leaf(10000, 2), W1 = leaf(128, 2), b1 = leaf(1, 128), W2 = leaf(128, 128), b2 = leaf(1, 128),
               W3 = leaf(2, 128), b3 = leaf(1, 2), target = leaf(10000, 2);
    Var<float> h = linear(x, W1, b1, Activation::tanh);
    h = linear(h, W2, b2, Activation::tanh);
    Var<float> y = linear(h, W3, b3);
    Var<float> z = concat_cols({slice_cols(y, 1, 1), slice_cols(y, 0, 1)}) * sin(x) + matmul(h, W3, false, true);
    Var<float> loss = mse_loss(z, target) + mean(sum(z, 0)) + mean(tanh(x) * exp(sum(z, 1) * 0.01f));
    tape.backward(loss);
    std::vector<float> bits{loss.value()(0, 0)};
    for (const Var<float>& v : {x, W1, b1, W2, b2, W3, b3}) bits.insert(bits.end(), v.grad().begin(), v.grad().end());
    bits.insert(bits.end(), z.value().begin(), z.value().end());
    return bits;
  };
  const int saved = num_threads();
  const std::vector<float> one = run(1), two = run(2);
  set_num_threads(saved);
  REQUIRE(one.size() == two.size());
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
}

TEST_CASE("errors name the operation and the shapes", "[engine][errors]") {
  Tape<double> tape;
  Var<double> a = tape.leaf(zeros<double>(3, 2)), b = tape.leaf(zeros<double>(4, 2));
  CHECK_THROWS_WITH(a + b, Catch::Contains("add") && Catch::Contains("[3 x 2]") && Catch::Contains("[4 x 2]"));
  CHECK_THROWS_WITH(matmul(a, b), Catch::Contains("matmul") && Catch::Contains("[3 x 2]") && Catch::Contains("[4 x 2]"));
  CHECK_THROWS_WITH(linear(a, tape.leaf(zeros<double>(4, 3)), tape.leaf(zeros<double>(1, 4))),
                    Catch::Contains("linear") && Catch::Contains("[4 x 3]"));
  CHECK_THROWS_WITH(slice_cols(a, 1, 2), Catch::Contains("slice_cols") && Catch::Contains("[3 x 2]"));
  CHECK_THROWS_WITH(mse_loss(a, b), Catch::Contains("mse_loss") && Catch::Contains("[4 x 2]"));
  CHECK_THROWS_WITH(concat_cols({a, b}), Catch::Contains("concat_cols") && Catch::Contains("[4 x 2]"));
  CHECK_THROWS_WITH(tape.backward(a * 2.0), Catch::Contains("backward") && Catch::Contains("[3 x 2]") &&
                                                Catch::Contains("seed"));
  CHECK_THROWS_WITH(tape.backward(a, zeros<double>(2, 2)), Catch::Contains("[2 x 2]") && Catch::Contains("[3 x 2]"));
  tape.clear();
  CHECK_THROWS_WITH(tanh(a), Catch::Contains("tanh") && Catch::Contains("cleared"));
  CHECK_THROWS_WITH(a.value(), Catch::Contains("cleared"));
}

TEST_CASE("a seeded backward gives the vector-Jacobian product", "[engine]") {
  Tape<double> tape;
  std::mt19937_64 rng(5);
  Tensor<double> xv = random_tensor(4, 3, rng), seed = random_tensor(4, 3, rng);
  Var<double> x = tape.leaf(xv);
  tape.backward(sin(x), seed);
  for (std::size_t i = 0; i < xv.size(); ++i) CHECK(x.grad().data()[i] == Approx(seed.data()[i] * std::cos(xv.data()[i])));
}

TEST_CASE("NoGrad records values without gradients", "[engine]") {
  Tape<double> tape;
  Var<double> x = tape.leaf(zeros<double>(2, 2) + 1.0);
  {
    NoGrad<double> guard(tape);
    Var<double> y = tanh(x);
    CHECK_FALSE(y.requires_grad());
    CHECK(y.value()(1, 1) == Approx(std::tanh(1.0)));
  }
  CHECK(tanh(x).requires_grad());
}

TEST_CASE("backward keeps the gradients of leaves; an intermediate's is refused, and Tape::grad gives it",
          "[engine][memory]") {
  Tape<double> tape;
  std::mt19937_64 rng(5);
  const Tensor<double> xv = random_tensor(7, 3, rng);
  Var<double> x = tape.leaf(xv);
  Var<double> y = tanh(x * 2.0);
  Var<double> loss = sum(square(y));
  tape.backward(loss);
  // d loss / dx = 2 y · (1 − y²) · 2
  for (std::size_t i = 0; i < xv.size(); ++i) {
    const double yi = std::tanh(2 * xv.data()[i]);
    CHECK(x.grad().data()[i] == Approx(4 * yi * (1 - yi * yi)));
  }
  CHECK_THROWS_WITH(y.grad(), Catch::Matchers::Contains("intermediate result") && Catch::Matchers::Contains("[7 x 3]"));
  const Var<double> gy = tape.grad(loss, std::span<const Var<double>>(&y, 1)).front();
  for (std::size_t i = 0; i < xv.size(); ++i) CHECK(gy.value().data()[i] == Approx(2 * std::tanh(2 * xv.data()[i])));
  CHECK(y.grad().data()[0] == gy.value().data()[0]);  // kept now that it was asked for
}

// The tape of an unrolled loop holds its values and, besides, a fixed number of gradient buffers:
// an intermediate's gradient goes back to a pool once its backward rule has run. So what the
// tape holds beyond its values does not grow with the number of steps.
TEST_CASE("beyond its values, the tape of an unrolled network holds the same bytes for any number of steps",
          "[engine][memory]") {
  const std::size_t n = 300, d = 2, w = 64;
  std::mt19937_64 rng(11);
  const Tensor<float> x0 = random_tensor(n, d, rng);
  Tensor<float> W1 = random_tensor(w, d, rng), W2 = random_tensor(w, w, rng), W3 = random_tensor(d, w, rng);
  for (float& v : W2) v *= 0.1f;
  for (float& v : W3) v *= 0.1f;
  const Tensor<float> b1 = random_tensor(1, w, rng), b2 = random_tensor(1, w, rng), b3 = random_tensor(1, d, rng);
  auto overhead = [&](int steps, std::size_t& values_per_step) {
    Tape<float> tape;
    std::size_t held = 0, values = 0;
    for (int repeat = 0; repeat < 2; ++repeat) {  // the second recording reuses the first's buffers
      tape.clear();
      Var<float> y = tape.constant(x0);
      const Var<float> p1 = tape.leaf(W1), q1 = tape.leaf(b1), p2 = tape.leaf(W2), q2 = tape.leaf(b2),
                       p3 = tape.leaf(W3), q3 = tape.leaf(b3);
      for (int s = 0; s < steps; ++s)
        y = y + linear(linear(linear(y, p1, q1, Activation::tanh), p2, q2, Activation::tanh), p3, q3) * 0.1;
      tape.backward(sum(square(y)));
      values = 0;
      for (std::uint32_t i = 0; i < tape.size(); ++i) values += tape.node(i).value.size() * sizeof(float);
      held = tape.bytes();
    }
    values_per_step = values;
    return held - values;
  };
  std::size_t v2 = 0, v3 = 0, v8 = 0;
  const std::size_t o2 = overhead(2, v2), o3 = overhead(3, v3), o8 = overhead(8, v8);
  CHECK(v8 - v3 == 5 * (v3 - v2));  // values grow by one step's worth per step
  CHECK(v3 - v2 >= 2 * n * w * sizeof(float));
  CHECK(o3 == o2);
  CHECK(o8 == o2);
  // and that fixed part is a few n × w buffers and the parameters' gradients, not one
  // buffer per recorded operation
  CHECK(o2 <= 4 * n * w * sizeof(float) + 64 * 1024);
}

// With Values::release the sweep hands every intermediate value to the gradient pool once its
// rule has run, and the fused linear hands over its output as soon as it has read it, so that
// x̄ can take that buffer: the tape then holds one layer-sized buffer fewer than values plus
// gradients, and the next recording takes the buffers back.
TEST_CASE("a releasing backward gives the same gradients with one buffer fewer, and refuses released values",
          "[engine][memory]") {
  const std::size_t n = 300, d = 2, w = 64;
  std::mt19937_64 rng(12);
  const Tensor<float> x0 = random_tensor(n, d, rng), target = random_tensor(n, d, rng);
  const Tensor<float> W1 = random_tensor(w, d, rng), W2 = random_tensor(w, w, rng), W3 = random_tensor(d, w, rng);
  const Tensor<float> b1 = random_tensor(1, w, rng), b2 = random_tensor(1, w, rng), b3 = random_tensor(1, d, rng);
  struct Run {
    std::vector<Tensor<float>> grads;
    float loss = 0;
    std::size_t bytes = 0;
  };
  auto run = [&](Values values) {
    Tape<float> tape;
    Run r;
    for (int repeat = 0; repeat < 3; ++repeat) {  // later recordings take the released buffers back
      tape.clear();
      std::vector<Var<float>> p = {tape.leaf(W1), tape.leaf(b1), tape.leaf(W2), tape.leaf(b2), tape.leaf(W3), tape.leaf(b3)};
      Var<float> y = tape.constant(x0), hidden;
      for (int s = 0; s < 3; ++s) {
        hidden = linear(linear(y, p[0], p[1], Activation::tanh), p[2], p[3], Activation::tanh);
        y = axpy(y, linear(hidden, p[4], p[5]), 0.1);
      }
      Var<float> loss = mse_loss(y, tape.constant(target));
      tape.backward(loss, values);
      r.grads.clear();
      for (const Var<float>& v : p) r.grads.push_back(v.grad());
      r.loss = loss.value()(0, 0);  // the output swept from keeps its value
      if (values == Values::release) {
        CHECK_THROWS_WITH(hidden.value(), Catch::Contains("released") && Catch::Contains("linear"));
        CHECK_THROWS_WITH(tanh(y), Catch::Contains("tanh") && Catch::Contains("released"));
      } else {
        CHECK(hidden.value().size() == n * w);
      }
      CHECK((p[0].value() == W1));  // leaves are never released
      r.bytes = tape.bytes();
    }
    return r;
  };
  const Run kept = run(Values::keep), released = run(Values::release);
  CHECK(released.loss == kept.loss);
  for (std::size_t k = 0; k < kept.grads.size(); ++k) CHECK((released.grads[k] == kept.grads[k]));
  INFO("tape bytes: keeping " << kept.bytes << ", releasing " << released.bytes);
  CHECK(released.bytes + n * w * sizeof(float) <= kept.bytes);
}
