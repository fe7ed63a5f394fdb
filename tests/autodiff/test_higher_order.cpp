// Gradients of gradients: grad(..., create_graph = true) records the backward pass as
// operations. Every operation's Hessian–vector product is checked against central differences
// of its first-order gradient (an independent computation: the fused kernels of `backward`), on
// shapes that hit SIMD tails (1, 2, 3 columns), full batches (128) and parallel splits (1000
// rows); third and fourth derivatives through a tanh network against finite differences of
// values and of the order below; and the bits for 1 and 2 threads.
#include <cmath>
#include <cstring>

#include "autodiff/parallel.hpp"
#include "tests/autodiff/gradcheck.hpp"

using namespace nimde::autodiff;
using nimde::test::GradCheckResult;
using nimde::test::hvp_check;
using nimde::test::GraphBuilder;
using nimde::test::random_tensor;
using nimde::test::Domain;
using nimde::test::input;
using nimde::test::kCols;
using nimde::test::kRows;
using nimde::test::weighted_sum;

namespace {

constexpr double kTolerance = 1e-6;

struct UnaryCase {
  const char* name;
  Domain domain;
  Var<double> (*f)(const Var<double>&);
};

const UnaryCase kUnary[] = {
    {"neg", Domain::real, [](const Var<double>& x) { return -x; }},
    {"x + s", Domain::real, [](const Var<double>& x) { return x + 0.7; }},
    {"s - x", Domain::real, [](const Var<double>& x) { return 0.7 - x; }},
    {"x * s", Domain::real, [](const Var<double>& x) { return x * -1.3; }},
    {"x / s", Domain::real, [](const Var<double>& x) { return x / 3.0; }},
    {"s / x", Domain::nonzero, [](const Var<double>& x) { return 2.0 / x; }},
// Every function of the list, on its domain: its second derivative comes from its rule's first.
#define NIMDE_FUNCTION_CASE(name, Rule, domain) \
  {#name, Domain::domain, [](const Var<double>& x) { return name(x); }},
    NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_CASE)
#undef NIMDE_FUNCTION_CASE
    {"pow 3", Domain::real, [](const Var<double>& x) { return pow(x, 3); }},
    {"pow 1", Domain::real, [](const Var<double>& x) { return pow(x, 1) * x; }},
    {"pow 0", Domain::real, [](const Var<double>& x) { return pow(x, 0) + x * x; }},
    {"pow -2", Domain::nonzero, [](const Var<double>& x) { return pow(x, -2); }},
    // Reductions and slices are linear: their curvature comes from the square around them.
    {"sum", Domain::real, [](const Var<double>& x) { return square(sum(x)); }},
    {"mean", Domain::real, [](const Var<double>& x) { return square(mean(x)); }},
    {"sum axis 0", Domain::real, [](const Var<double>& x) { return square(sum(x, 0)); }},
    {"sum axis 1", Domain::real, [](const Var<double>& x) { return square(sum(x, 1)); }},
    {"mean axis 0", Domain::real, [](const Var<double>& x) { return square(mean(x, 0)); }},
    {"mean axis 1", Domain::real, [](const Var<double>& x) { return square(mean(x, 1)); }},
    {"slice last column", Domain::real, [](const Var<double>& x) { return tanh(slice_cols(x, x.cols() - 1, 1)); }},
    {"slice all", Domain::real, [](const Var<double>& x) { return tanh(slice_cols(x, 0, x.cols())); }},
    {"mse against itself squared", Domain::real, [](const Var<double>& x) { return mse_loss(x, x * x); }},
};

}  // namespace

TEST_CASE("unary operations: Hessian-vector products match central differences of gradients", "[higher-order]") {
  std::mt19937_64 rng(1);
  for (const UnaryCase& op : kUnary)
    for (std::size_t r : kRows)
      for (std::size_t c : kCols) {
        INFO(op.name << " on " << shape_string(r, c));
        auto check = hvp_check({input(r, c, rng, op.domain)},
                               [&](Tape<double>&, const std::vector<Var<double>>& x) { return op.f(x[0]); });
        INFO(check.where);
        CHECK(check.worst < kTolerance);
      }
}

TEST_CASE("binary operations with broadcasting: Hessian-vector products match central differences", "[higher-order]") {
  using Fn = Var<double> (*)(const Var<double>&, const Var<double>&);
  // add and sub are linear: a tanh after them gives their graph rules a curvature to carry.
  const std::pair<const char*, Fn> ops[] = {
      {"add", [](const Var<double>& a, const Var<double>& b) { return tanh(a + b); }},
      {"sub", [](const Var<double>& a, const Var<double>& b) { return tanh(a - b); }},
      {"mul", [](const Var<double>& a, const Var<double>& b) { return a * b; }},
      {"div", [](const Var<double>& a, const Var<double>& b) { return a / b; }},
  };
  std::mt19937_64 rng(2);
  for (const auto& [name, f] : ops)
    for (std::size_t r : kRows)
      for (std::size_t c : kCols) {
        const std::pair<std::size_t, std::size_t> b_shapes[] = {{r, c}, {1, 1}, {1, c}, {r, 1}};
        for (auto [br, bc] : b_shapes)
          for (bool swap : {false, true}) {
            INFO(name << ": " << shape_string(r, c) << (swap ? " on the right" : " on the left") << ", other "
                      << shape_string(br, bc));
            Tensor<double> a = input(r, c, rng, Domain::nonzero), b = input(br, bc, rng, Domain::nonzero);
            auto check = hvp_check({a, b}, [&](Tape<double>&, const std::vector<Var<double>>& x) {
              return swap ? f(x[1], x[0]) : f(x[0], x[1]);
            });
            INFO(check.where);
            CHECK(check.worst < kTolerance);
          }
      }
}

TEST_CASE("matmul with either operand transposed: Hessian-vector products match central differences",
          "[higher-order]") {
  std::mt19937_64 rng(3);
  for (std::size_t m : kRows)
    for (std::size_t k : kCols)
      for (std::size_t n : {1ul, 5ul, 17ul})
        for (int t = 0; t < 4; ++t) {
          const bool ta = t & 1, tb = t & 2;
          INFO("op(A) " << shape_string(m, k) << " op(B) " << shape_string(k, n) << " ta " << ta << " tb " << tb);
          Tensor<double> A = ta ? random_tensor(k, m, rng) : random_tensor(m, k, rng);
          Tensor<double> B = tb ? random_tensor(n, k, rng) : random_tensor(k, n, rng);
          auto check = hvp_check({A, B}, [&](Tape<double>&, const std::vector<Var<double>>& x) {
            return tanh(matmul(x[0], x[1], ta, tb));
          });
          INFO(check.where);
          CHECK(check.worst < kTolerance);
        }
}

TEST_CASE("fused linear with every activation: Hessian-vector products match central differences", "[higher-order]") {
  std::mt19937_64 rng(5);
#define NIMDE_ACTIVATION_VALUE(name, Rule) Activation::name,
  for (Activation act : {NIMDE_ACTIVATIONS(NIMDE_ACTIVATION_VALUE)})
#undef NIMDE_ACTIVATION_VALUE
    for (std::size_t r : kRows)
      for (std::size_t c : kCols)
        for (std::size_t out : {1ul, 3ul, 128ul}) {
          INFO(activation_name(act) << ": x " << shape_string(r, c) << ", " << out << " outputs");
          Tensor<double> x = random_tensor(r, c, rng), W = random_tensor(out, c, rng), b = random_tensor(1, out, rng);
          // relu and elu have a kink at 0 (relu' and elu'' jump): among 10⁵ preactivations a
          // difference step of 1e-5 straddles it; 1e-8 keeps them apart at a rounding cost.
          const bool kinked = act == Activation::relu || act == Activation::elu;
          auto check = hvp_check(
              {x, W, b},
              [&](Tape<double>&, const std::vector<Var<double>>& v) {
                // identity and relu are piecewise linear: a square after them gives a curvature.
                Var<double> y = linear(v[0], v[1], v[2], act);
                return act == Activation::identity || act == Activation::relu ? square(y) : y;
              },
              kinked ? 1e-8 : 1e-5);
          INFO(check.where);
          CHECK(check.worst < (kinked ? 1e-5 : kTolerance));
        }
}

TEST_CASE("axpy: Hessian-vector products match central differences", "[higher-order]") {
  std::mt19937_64 rng(12);
  for (std::size_t r : kRows)
    for (std::size_t c : kCols) {
      INFO(shape_string(r, c));
      auto check = hvp_check({random_tensor(r, c, rng), random_tensor(r, c, rng)},
                             [](Tape<double>&, const std::vector<Var<double>>& x) { return tanh(axpy(x[0], x[1], 0.8)); });
      INFO(check.where);
      CHECK(check.worst < kTolerance);
    }
}

TEST_CASE("mse_loss, column concat and slices: Hessian-vector products match central differences",
          "[higher-order]") {
  std::mt19937_64 rng(6);
  for (std::size_t r : kRows)
    for (std::size_t c : kCols) {
      INFO(shape_string(r, c));
      Tensor<double> a = random_tensor(r, c, rng), b = random_tensor(r, c, rng), z = random_tensor(r, 2, rng);
      auto check = hvp_check({a, b, z}, [](Tape<double>&, const std::vector<Var<double>>& x) {
        Var<double> joined = concat_cols({slice_cols(x[2], 1, 1), tanh(x[0]), slice_cols(x[2], 0, 1)});
        Var<double> split = concat_cols({slice_cols(joined, 1, x[0].cols()), x[2] * x[2]});
        return mse_loss(split, concat_cols({x[1], sin(x[2])})) * 10.0 + sum(joined * joined, 1);
      });
      INFO(check.where);
      CHECK(check.worst < kTolerance);
    }
}

namespace {

/// A scalar tanh network H: R² → R, 2 → 16 → 16 → 1 with the fused linear, summed over rows.
struct TanhNet {
  std::vector<Tensor<double>> params;  // W1, b1, W2, b2, W3, b3
  explicit TanhNet(std::mt19937_64& rng, std::size_t width = 16, std::size_t d = 2) {
    params = {random_tensor(width, d, rng), random_tensor(1, width, rng), random_tensor(width, width, rng),
              random_tensor(1, width, rng), random_tensor(1, width, rng), random_tensor(1, 1, rng)};
  }
  template <class T>
  static Var<T> H(const Var<T>& x, const std::vector<Var<T>>& p, Activation act = Activation::tanh) {
    Var<T> h = linear(x, p[0], p[1], act);
    h = linear(h, p[2], p[3], act);
    return sum(linear(h, p[4], p[5]));
  }
};

/// Directional derivative of order `order` of H along v at x, from the tape: ∇ (… ∇(∇H·v)·v …)·v.
double directional(const TanhNet& net, const Tensor<double>& x0, const Tensor<double>& v0, int order,
                   Tensor<double>* gradient = nullptr, Activation act = Activation::tanh) {
  Tape<double> tape;
  Var<double> x = tape.leaf(x0), v = tape.constant(v0);
  std::vector<Var<double>> p;
  for (const auto& t : net.params) p.push_back(tape.constant(t));
  Var<double> s = TanhNet::H(x, p, act);
  for (int k = 0; k < order; ++k) s = sum(grad(s, x, true) * v);
  if (gradient) *gradient = grad(s, x, false).value();
  return s.value()(0, 0);
}

}  // namespace

TEST_CASE("third and fourth derivatives through a tanh network match finite differences", "[higher-order]") {
  std::mt19937_64 rng(8);
  const TanhNet net(rng);
  const Tensor<double> x = random_tensor(5, 2, rng), v = random_tensor(5, 2, rng);
  auto shifted = [&](double t) {
    Tensor<double> y = x;
    for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] += t * v.data()[i];
    return directional(net, y, v, 0);
  };
  // d³/dt³ H(x + t v) at 0 from values alone: D(h) = (f(2h) − 2f(h) + 2f(−h) − f(−2h)) / 2h³
  // = f‴ + h²/4 f⁽⁵⁾ + O(h⁴), and Richardson's (4 D(h) − D(2h)) / 3 removes the h² term. h = 5e-3
  // keeps both the O(h⁴) remainder and the rounding of the values (about ε|f|/h³) near 4e-8; at
  // 2e-3 rounding alone reached 3e-7, and moved with the last bits of the values.
  auto D = [&](double h) { return (shifted(2 * h) - 2 * shifted(h) + 2 * shifted(-h) - shifted(-2 * h)) / (2 * h * h * h); };
  const double third_fd = (4 * D(5e-3) - D(2 * 5e-3)) / 3;
  const double third = directional(net, x, v, 3);
  INFO("third directional derivative: tape " << third << ", finite differences " << third_fd);
  CHECK(std::abs(third - third_fd) < 1e-7 * std::max(1.0, std::abs(third_fd)));

  // The full gradient of each order against central differences of the order below, entry by entry.
  for (int order = 2; order <= 3; ++order) {
    Tensor<double> g;
    directional(net, x, v, order, &g);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double eps = 1e-5;
      Tensor<double> up = x, down = x;
      up.data()[i] += eps;
      down.data()[i] -= eps;
      const double numeric = (directional(net, up, v, order) - directional(net, down, v, order)) / (2 * eps);
      INFO("order " << order + 1 << ", entry " << i << ": tape " << g.data()[i] << ", central difference " << numeric);
      CHECK(std::abs(g.data()[i] - numeric) < 1e-6 * std::max(1.0, std::abs(numeric)));
    }
  }
}

TEST_CASE("third derivatives through the fused linear with every smooth activation match central differences",
          "[higher-order]") {
  // The fused layer's recorded ȳ ⊙ act'(y) and its graph rule (the dual number through act''s
  // line, on the tape) are what the third order differentiates.
  std::mt19937_64 rng(13);
  const TanhNet net(rng, 8);
  const Tensor<double> x = random_tensor(4, 2, rng), v = random_tensor(4, 2, rng);
  for (Activation act : {Activation::tanh, Activation::sigmoid, Activation::elu, Activation::softplus, Activation::sin}) {
    Tensor<double> g;
    directional(net, x, v, 2, &g, act);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double eps = 1e-5;
      Tensor<double> up = x, down = x;
      up.data()[i] += eps;
      down.data()[i] -= eps;
      const double numeric =
          (directional(net, up, v, 2, nullptr, act) - directional(net, down, v, 2, nullptr, act)) / (2 * eps);
      INFO(activation_name(act) << ", entry " << i << ": tape " << g.data()[i] << ", central difference " << numeric);
      CHECK(std::abs(g.data()[i] - numeric) < 1e-6 * std::max(1.0, std::abs(numeric)));
    }
  }
}

namespace {

/// The Hamiltonian network's use: L(θ) = mse(∇ₓH_θ(x), target), its gradient in θ by backward
/// through the recorded ∇ₓH (`record_gradient`), or L alone with ∇ₓH from the first-order sweep.
template <class T>
double hnn_loss(const std::vector<Tensor<T>>& params, const Tensor<T>& x0, const Tensor<T>& target, bool record_gradient,
                std::vector<Tensor<T>>* grads = nullptr) {
  Tape<T> tape;
  Var<T> x = tape.leaf(x0);
  std::vector<Var<T>> p;
  for (const auto& t : params) p.push_back(tape.leaf(t, record_gradient));
  if (!record_gradient) {
    tape.backward(TanhNet::H(x, p));
    Var<T> dH = tape.constant(x.grad());
    return mse_loss(dH, tape.constant(target)).value()(0, 0);
  }
  Var<T> loss = mse_loss(grad(TanhNet::H(x, p), x, true), tape.constant(target));
  tape.backward(loss);
  if (grads)
    for (const auto& v : p) grads->push_back(v.grad());
  return loss.value()(0, 0);
}

template <class T>
std::vector<Tensor<T>> cast(const std::vector<Tensor<double>>& ts) {
  std::vector<Tensor<T>> out;
  for (const auto& t : ts) {
    Tensor<T> c(t.shape());
    std::copy(t.begin(), t.end(), c.begin());
    out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE("a loss of the input gradient differentiated in the weights matches central differences", "[higher-order]") {
  std::mt19937_64 rng(9);
  const TanhNet net(rng);
  const Tensor<double> x = random_tensor(7, 2, rng), target = random_tensor(7, 2, rng);
  std::vector<Tensor<double>> grads;
  const double loss = hnn_loss(net.params, x, target, true, &grads);
  CHECK(loss == Approx(hnn_loss(net.params, x, target, false)).epsilon(1e-13));
  double worst = 0;
  for (std::size_t k = 0; k < net.params.size(); ++k)
    for (std::size_t i = 0; i < net.params[k].size(); i += 1 + net.params[k].size() / 8) {
      const double eps = 1e-6;
      std::vector<Tensor<double>> up = net.params, down = net.params;
      up[k].data()[i] += eps;
      down[k].data()[i] -= eps;
      const double numeric = (hnn_loss(up, x, target, false) - hnn_loss(down, x, target, false)) / (2 * eps);
      const double err = std::abs(grads[k].data()[i] - numeric) / std::max(1.0, std::abs(numeric));
      INFO("parameter " << k << " entry " << i << ": tape " << grads[k].data()[i] << ", central " << numeric);
      CHECK(err < kTolerance);
      worst = std::max(worst, err);
    }
  WARN("worst relative error " << worst);
}

TEST_CASE("gradients of gradients are bitwise the same for 1 and 2 threads", "[higher-order][threads]") {
  // 1000 points through 128-wide layers: every kernel above its parallel threshold.
  std::mt19937_64 rng(10);
  const TanhNet net(rng, 128);
  const Tensor<double> x = random_tensor(1000, 2, rng), target = random_tensor(1000, 2, rng);
  auto run = [&]<class T>(T, int threads) {
    ThreadScope scope(threads);
    std::vector<Tensor<T>> grads;
    const double loss = hnn_loss(cast<T>(net.params), cast<T>({x})[0], cast<T>({target})[0], true, &grads);
    grads.push_back(zeros<T>(1, 1));
    grads.back()(0, 0) = static_cast<T>(loss);
    return grads;
  };
  auto same_bits = [](const auto& a, const auto& b) {
    for (std::size_t k = 0; k < a.size(); ++k)
      if (a[k].size() != b[k].size() || std::memcmp(a[k].data(), b[k].data(), a[k].size() * sizeof(*a[k].data())))
        return false;
    return true;
  };
  CHECK(same_bits(run(double(), 1), run(double(), 2)));
  CHECK(same_bits(run(float(), 1), run(float(), 2)));

  Tensor<double> g1, g2;
  const Tensor<double> v = random_tensor(1000, 2, rng);
  {
    ThreadScope scope(1);
    directional(net, x, v, 3, &g1);
  }
  {
    ThreadScope scope(2);
    directional(net, x, v, 3, &g2);
  }
  CHECK(std::memcmp(g1.data(), g2.data(), g1.size() * sizeof(double)) == 0);
}

TEST_CASE("grad returns constants without create_graph, zeros for an unused input, and refuses what it cannot do",
          "[higher-order]") {
  Tape<double> tape;
  std::mt19937_64 rng(12);
  const Tensor<double> xv = random_tensor(3, 2, rng);
  Var<double> x = tape.leaf(xv), unused = tape.leaf(xv), c = tape.constant(xv);
  Var<double> y = sum(x * x);
  const std::vector<Var<double>> g = grad(y, {x, unused});
  CHECK_FALSE(g[0].requires_grad());
  for (std::size_t i = 0; i < xv.size(); ++i) CHECK(g[0].value().data()[i] == 2 * xv.data()[i]);
  const std::vector<Var<double>> gg = grad(y, {x, unused}, true);
  CHECK(gg[0].requires_grad());
  for (std::size_t i = 0; i < xv.size(); ++i) {
    CHECK(gg[0].value().data()[i] == 2 * xv.data()[i]);
    CHECK(gg[1].value().data()[i] == 0);
  }
  CHECK_THROWS_AS(grad(y, c, true), std::invalid_argument);        // c takes no gradient
  CHECK_THROWS_AS(grad(x * x, x, true), std::invalid_argument);    // not 1×1 and no seed
  CHECK_THROWS_AS(grad(sum(c), x, true), std::invalid_argument);   // depends on no leaf with a gradient
  // A seed makes a vector–Jacobian product of a non-scalar output: seed ⊙ 2x.
  const Var<double> seed = tape.constant(random_tensor(3, 2, rng));
  const Var<double> vjp = tape.grad(x * x, std::span<const Var<double>>(&x, 1), seed, true)[0];
  for (std::size_t i = 0; i < xv.size(); ++i)
    CHECK(vjp.value().data()[i] == Approx(2 * xv.data()[i] * seed.value().data()[i]).epsilon(1e-15));
}

TEST_CASE("README's example: a loss of the input gradient, by backward and by grad, gives the same weight gradients",
          "[higher-order]") {
  std::mt19937_64 rng(14);
  const Tensor<double> points = random_tensor(9, 2, rng), targets = random_tensor(9, 2, rng);
  const Tensor<double> w1 = random_tensor(16, 2, rng), c1 = random_tensor(1, 16, rng), w2 = random_tensor(1, 16, rng),
                       c2 = random_tensor(1, 1, rng);
  Tape<double> tape;
  Var<double> x = tape.leaf(points);
  Var<double> W1 = tape.leaf(w1), b1 = tape.leaf(c1), W2 = tape.leaf(w2), b2 = tape.leaf(c2);
  Var<double> H = sum(linear(linear(x, W1, b1, Activation::tanh), W2, b2));
  Var<double> dH = grad(H, x, /*create_graph=*/true);
  Var<double> loss = mse_loss(dH, tape.constant(targets));
  tape.backward(loss);
  const Tensor<double> gW1 = W1.grad(), gW2 = W2.grad();
  std::vector<Var<double>> g = grad(loss, {W1, W2}, true);
  CHECK(g[0].requires_grad());  // third order is one more grad away
  for (std::size_t i = 0; i < gW1.size(); ++i) CHECK(g[0].value().data()[i] == Approx(gW1.data()[i]).epsilon(1e-14));
  for (std::size_t i = 0; i < gW2.size(); ++i) CHECK(g[1].value().data()[i] == Approx(gW2.data()[i]).epsilon(1e-14));
}
