// Every function of the list (autodiff/functions.hpp) on every number type: a batch, a tape, a
// jet and one number compute the same function from its one rule. Gradients are checked in
// test_gradients.cpp, the expression language in tests/ode/test_expression.cpp.
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/array.hpp"
#include "autodiff/jet.hpp"
#include "autodiff/ops.hpp"

using namespace nimde::autodiff;

namespace {

/// Points inside each domain of functions.hpp.
enum class Domain { real, positive, nonzero, half_pi };

std::vector<double> points(Domain d) {
  switch (d) {
    case Domain::real: return {-2.1, -0.4, 0.3, 1.7};
    case Domain::positive: return {0.3, 1.7};
    case Domain::nonzero: return {-0.8, 0.6};
    case Domain::half_pi: return {-0.9, 0.4};
  }
  return {};
}

/// n values cycling through the domain's points, nudged so that no two are equal.
template <class T>
Tensor<T> sample(std::size_t n, Domain d) {
  const std::vector<double> p = points(d);
  Tensor<T> t = zeros<T>(1, n);
  for (std::size_t i = 0; i < n; ++i) t(0, i) = static_cast<T>(p[i % p.size()] * (1 + 1e-3 * double(i / p.size())));
  return t;
}

struct Function {
  const char* name;
  Domain domain;
  double (*scalar)(double);
  Jet (*jet)(const Jet&);
  Array<float> (*array_f)(const Array<float>&);
  Array<double> (*array_d)(const Array<double>&);
  Var<float> (*var_f)(const Var<float>&);
  Var<double> (*var_d)(const Var<double>&);
};

#define NIMDE_FUNCTION_ROW(name, Rule, domain)                                                           \
  {#name,                                                                                               \
   Domain::domain,                                                                                      \
   [](double x) { return nimde::autodiff::name(x); },                                                               \
   [](const Jet& a) { return nimde::autodiff::name(a); },                                                            \
   [](const Array<float>& x) { return name(x); },                                                       \
   [](const Array<double>& x) { return name(x); },                                                      \
   [](const Var<float>& x) { return name(x); },                                                         \
   [](const Var<double>& x) { return name(x); }},
const Function kFunctions[] = {NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_ROW)};
#undef NIMDE_FUNCTION_ROW

constexpr int kOrder = 4;

/// The coefficients c_k = g^(k)(x0)/k!, k ≤ kOrder, of the jet g(x0 + ε).
std::vector<double> series(const Function& f, double x0) {
  const JetShape box({kOrder});
  const Jet r = f.jet(Jet::variable(box, x0, 0));
  std::vector<double> c;
  for (int k = 0; k <= kOrder; ++k) c.push_back(r[k]);
  return c;
}

}  // namespace

TEST_CASE("every function on a batch agrees with its value on one number, and a tape computes the batch's bits",
          "[functions]") {
  for (const Function& f : kFunctions)
    for (std::size_t n : {1ul, 7ul, 129ul}) {  // SIMD tails and full batches
      INFO(f.name << " on " << n << " values");
      const Array<double> xd(sample<double>(n, f.domain));
      const Array<float> xf(sample<float>(n, f.domain));
      const Array<double> yd = f.array_d(xd);
      const Array<float> yf = f.array_f(xf);
      for (std::size_t i = 0; i < n; ++i) {
        const double x = xd.value()(0, i);
        INFO("x = " << x);
        CHECK(yd.value()(0, i) == Approx(f.scalar(x)).epsilon(1e-13).margin(1e-15));
        CHECK(yf.value()(0, i) == Approx(f.scalar(double(xf.value()(0, i)))).epsilon(2e-6).margin(1e-7));
      }
      Tape<double> tape_d;
      Tape<float> tape_f;
      const Var<double> vd = f.var_d(tape_d.leaf(xd.value()));
      const Var<float> vf = f.var_f(tape_f.leaf(xf.value()));
      CHECK(std::memcmp(vd.value().data(), yd.value().data(), n * sizeof(double)) == 0);
      CHECK(std::memcmp(vf.value().data(), yf.value().data(), n * sizeof(float)) == 0);
    }
}

TEST_CASE("every function's jet starts at its value and each coefficient is the derivative of the one before",
          "[functions][jet]") {
  // c_0 = g(x0); k c_k(x0) = d c_{k−1}/dx at x0, by central differences: by induction, c_k = g^(k)/k!.
  const double h = 1e-4;
  for (const Function& f : kFunctions)
    for (double x0 : points(f.domain)) {
      INFO(f.name << " at " << x0);
      const std::vector<double> c = series(f, x0), up = series(f, x0 + h), down = series(f, x0 - h);
      CHECK(c[0] == f.scalar(x0));
      for (int k = 1; k <= kOrder; ++k) {
        INFO("coefficient " << k);
        CHECK(k * c[k] == Approx((up[k - 1] - down[k - 1]) / (2 * h)).epsilon(1e-6).margin(1e-7));
      }
    }
}

TEST_CASE("every function of a jet in several directions is its Taylor series in a - a_0", "[functions][jet]") {
  // g(a) = Σ_k c_k (a − a_0)^k exactly in the box, where (a − a_0)^k vanishes past its degree.
  const JetShape box({2, 1, 1});  // total degree 4 = kOrder
  for (const Function& f : kFunctions)
    for (double x0 : points(f.domain)) {
      INFO(f.name << " at " << x0);
      Jet a(box, x0);
      for (int i = 1; i < box.size(); ++i) a[i] = 0.3 * std::sin(1.0 + i);
      const std::vector<double> c = series(f, x0);
      const Jet d = a - x0;
      Jet power(box, 1.0), expected(box, c[0]);
      for (int k = 1; k <= kOrder; ++k) {
        power = power * d;
        expected = expected + power * c[static_cast<std::size_t>(k)];
      }
      const Jet got = f.jet(a);
      for (int i = 0; i < Jet::kCapacity; ++i) {
        INFO("coefficient " << i);
        CHECK(got[i] == Approx(expected[i]).epsilon(1e-12).margin(1e-13));
      }
    }
}
