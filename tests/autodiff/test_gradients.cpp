// Every operation's gradient against central finite differences, on shapes that hit SIMD
// tails (1, 2, 3 columns), full batches (128) and parallel splits (1000 rows).
#include <cmath>

#include "tests/autodiff/gradcheck.hpp"

using namespace nimde::autodiff;
using nimde::test::gradient_check;
using nimde::test::random_tensor;
using nimde::test::Domain;
using nimde::test::input;
using nimde::test::kCols;
using nimde::test::kRows;

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
    {"s + x", Domain::real, [](const Var<double>& x) { return 0.7 + x; }},
    {"x - s", Domain::real, [](const Var<double>& x) { return x - 0.7; }},
    {"s - x", Domain::real, [](const Var<double>& x) { return 0.7 - x; }},
    {"x * s", Domain::real, [](const Var<double>& x) { return x * -1.3; }},
    {"s * x", Domain::real, [](const Var<double>& x) { return -1.3 * x; }},
    {"x / s", Domain::real, [](const Var<double>& x) { return x / 3.0; }},
    {"s / x", Domain::nonzero, [](const Var<double>& x) { return 2.0 / x; }},
// Every function of the list, on its domain.
#define NIMDE_FUNCTION_CASE(name, Rule, domain) \
  {#name, Domain::domain, [](const Var<double>& x) { return name(x); }},
    NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_CASE)
#undef NIMDE_FUNCTION_CASE
    {"pow 3", Domain::real, [](const Var<double>& x) { return pow(x, 3); }},
    {"pow 0", Domain::real, [](const Var<double>& x) { return pow(x, 0) + x; }},
    {"pow -2", Domain::nonzero, [](const Var<double>& x) { return pow(x, -2); }},
    {"sum", Domain::real, [](const Var<double>& x) { return sum(x); }},
    {"mean", Domain::real, [](const Var<double>& x) { return mean(x); }},
    {"sum axis 0", Domain::real, [](const Var<double>& x) { return sum(x, 0); }},
    {"sum axis 1", Domain::real, [](const Var<double>& x) { return sum(x, 1); }},
    {"mean axis 0", Domain::real, [](const Var<double>& x) { return mean(x, 0); }},
    {"mean axis 1", Domain::real, [](const Var<double>& x) { return mean(x, 1); }},
    {"slice last column", Domain::real, [](const Var<double>& x) { return slice_cols(x, x.cols() - 1, 1); }},
    {"slice all", Domain::real, [](const Var<double>& x) { return slice_cols(x, 0, x.cols()); }},
};

}  // namespace

TEST_CASE("unary operations match central differences on every test shape", "[gradients]") {
  std::mt19937_64 rng(1);
  for (const UnaryCase& op : kUnary)
    for (std::size_t r : kRows)
      for (std::size_t c : kCols) {
        INFO(op.name << " on " << shape_string(r, c));
        auto check = gradient_check({input(r, c, rng, op.domain)},
                                    [&](Tape<double>&, const std::vector<Var<double>>& x) { return op.f(x[0]); });
        INFO(check.where);
        CHECK(check.worst < kTolerance);
      }
}

TEST_CASE("binary operations with broadcasting match central differences", "[gradients]") {
  using Fn = Var<double> (*)(const Var<double>&, const Var<double>&);
  const std::pair<const char*, Fn> ops[] = {
      {"add", [](const Var<double>& a, const Var<double>& b) { return a + b; }},
      {"sub", [](const Var<double>& a, const Var<double>& b) { return a - b; }},
      {"mul", [](const Var<double>& a, const Var<double>& b) { return a * b; }},
      {"div", [](const Var<double>& a, const Var<double>& b) { return a / b; }},
  };
  std::mt19937_64 rng(2);
  for (const auto& [name, f] : ops)
    for (std::size_t r : kRows)
      for (std::size_t c : kCols) {
        // b as the full shape, a scalar, a row, a column; and the broadcast on the left too.
        const std::pair<std::size_t, std::size_t> b_shapes[] = {{r, c}, {1, 1}, {1, c}, {r, 1}};
        for (auto [br, bc] : b_shapes)
          for (bool swap : {false, true}) {
            INFO(name << ": " << shape_string(r, c) << (swap ? " on the right" : " on the left") << ", other "
                      << shape_string(br, bc));
            Tensor<double> a = input(r, c, rng, Domain::nonzero), b = input(br, bc, rng, Domain::nonzero);
            auto check = gradient_check({a, b}, [&](Tape<double>&, const std::vector<Var<double>>& x) {
              return swap ? f(x[1], x[0]) : f(x[0], x[1]);
            });
            INFO(check.where);
            CHECK(check.worst < kTolerance);
          }
      }
}

TEST_CASE("matmul with either operand transposed matches central differences", "[gradients]") {
  std::mt19937_64 rng(3);
  for (std::size_t m : kRows)
    for (std::size_t k : kCols)
      for (std::size_t n : {1ul, 5ul, 17ul})
        for (int t = 0; t < 4; ++t) {
          const bool ta = t & 1, tb = t & 2;
          INFO("op(A) " << shape_string(m, k) << " op(B) " << shape_string(k, n) << " ta " << ta << " tb " << tb);
          Tensor<double> A = ta ? random_tensor(k, m, rng) : random_tensor(m, k, rng);
          Tensor<double> B = tb ? random_tensor(n, k, rng) : random_tensor(k, n, rng);
          auto check = gradient_check(
              {A, B}, [&](Tape<double>&, const std::vector<Var<double>>& x) { return matmul(x[0], x[1], ta, tb); }, 4);
          INFO(check.where);
          CHECK(check.worst < kTolerance);
        }
}

TEST_CASE("matmul over a long inner dimension (split into chunks) matches central differences", "[gradients]") {
  std::mt19937_64 rng(4);
  Tensor<double> A = random_tensor(2500, 5, rng), B = random_tensor(2500, 7, rng);
  auto check = gradient_check({A, B}, [](Tape<double>&, const std::vector<Var<double>>& x) {
    return matmul(x[0], x[1], true, false);
  });
  INFO(check.where);
  CHECK(check.worst < kTolerance);
}

TEST_CASE("fused linear with every activation matches central differences", "[gradients]") {
  std::mt19937_64 rng(5);
#define NIMDE_ACTIVATION_VALUE(name, Rule) Activation::name,
  for (Activation act : {NIMDE_ACTIVATIONS(NIMDE_ACTIVATION_VALUE)})
#undef NIMDE_ACTIVATION_VALUE
    for (std::size_t r : kRows)
      for (std::size_t c : kCols)
        for (std::size_t out : {1ul, 3ul, 128ul}) {
          INFO(activation_name(act) << ": x " << shape_string(r, c) << ", " << out << " outputs");
          Tensor<double> x = random_tensor(r, c, rng), W = random_tensor(out, c, rng), b = random_tensor(1, out, rng);
          auto check = gradient_check(
              {x, W, b},
              [&](Tape<double>&, const std::vector<Var<double>>& v) { return linear(v[0], v[1], v[2], act); }, 4);
          INFO(check.where);
          // relu and elu have a kink at 0; a sampled entry may straddle it, so only smooth ones are exact.
          CHECK(check.worst < (act == Activation::relu || act == Activation::elu ? 1e-3 : kTolerance));
        }
}

TEST_CASE("mse_loss, column concat and slices match central differences", "[gradients]") {
  std::mt19937_64 rng(6);
  for (std::size_t r : kRows)
    for (std::size_t c : kCols) {
      INFO(shape_string(r, c));
      Tensor<double> a = random_tensor(r, c, rng), b = random_tensor(r, c, rng), z = random_tensor(r, 2, rng);
      auto check = gradient_check({a, b, z}, [](Tape<double>&, const std::vector<Var<double>>& x) {
        Var<double> joined = concat_cols({slice_cols(x[2], 1, 1), x[0], slice_cols(x[2], 0, 1)});
        Var<double> split = concat_cols({slice_cols(joined, 1, x[0].cols()), x[2]});
        return mse_loss(split, concat_cols({x[1], x[2]})) * 10.0 + sum(joined, 1);
      });
      INFO(check.where);
      CHECK(check.worst < kTolerance);
    }
}

TEST_CASE("axpy matches central differences, and the product and sum it replaces to the bit", "[gradients]") {
  std::mt19937_64 rng(9);
  for (std::size_t r : kRows)
    for (std::size_t c : kCols) {
      INFO(shape_string(r, c));
      Tensor<double> a = random_tensor(r, c, rng), x = random_tensor(r, c, rng);
      auto check = gradient_check({a, x}, [](Tape<double>&, const std::vector<Var<double>>& v) {
        return axpy(v[0], v[1], -0.37) * v[1];  // both operands reach the loss twice
      });
      INFO(check.where);
      CHECK(check.worst < kTolerance);

      // In float, value and both gradients equal a + x * c recorded as two operations.
      Tensor<float> af(a.shape()), xf(x.shape()), seed(a.shape());
      std::copy(a.begin(), a.end(), af.begin());
      std::copy(x.begin(), x.end(), xf.begin());
      for (std::size_t i = 0; i < seed.size(); ++i) seed.data()[i] = float(std::sin(0.3 * double(i) + 1));
      Tensor<float> results[2][3];
      for (int fused = 0; fused < 2; ++fused) {
        Tape<float> tape;
        Var<float> va = tape.leaf(af), vx = tape.leaf(xf);
        Var<float> y = fused ? axpy(va, vx, 0.1) : va + vx * 0.1;
        tape.backward(y, seed);
        results[fused][0] = y.value(), results[fused][1] = va.grad(), results[fused][2] = vx.grad();
      }
      for (int k = 0; k < 3; ++k) CHECK((results[0][k] == results[1][k]));
    }
  Tape<double> tape;
  CHECK_THROWS_WITH(axpy(tape.leaf(zeros<double>(2, 3)), tape.leaf(zeros<double>(2, 1)), 1.0),
                    Catch::Contains("axpy") && Catch::Contains("[2 x 1]"));
}

TEST_CASE("a leaf that reaches the loss twice accumulates both contributions", "[gradients]") {
  Tape<double> tape;
  Tensor<double> v = zeros<double>(1, 3);
  v(0, 0) = 1, v(0, 1) = 2, v(0, 2) = 3;
  Var<double> x = tape.leaf(v);
  tape.backward(sum(x * x + x * 3.0));
  for (std::size_t j = 0; j < 3; ++j) CHECK(x.grad()(0, j) == Approx(2 * v(0, j) + 3));
}

TEST_CASE("detach passes the value and stops the gradient", "[gradients]") {
  Tape<double> tape;
  std::mt19937_64 rng(7);
  Tensor<double> v = random_tensor(7, 3, rng);
  Var<double> x = tape.leaf(v);
  Var<double> d = detach(x);
  CHECK_FALSE(d.requires_grad());
  tape.backward(sum(x * d));  // d(x·c)/dx = c = x's value
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(x.grad().data()[i] == v.data()[i]);
}
