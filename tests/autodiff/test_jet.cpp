// Jets against Taylor coefficients known in closed form: a coefficient of ε^k in g(x0 + ε) is
// g^(k)(x0)/k!, and a coefficient of ε^β in f(x + Σ ε_i v_i) is f^(|β|)(v^β)/β!.
#include <cmath>
#include <functional>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/jet.hpp"

using nimde::autodiff::Jet;
using nimde::autodiff::JetShape;

namespace {

constexpr int kDegree = 7;

double factorial(int k) { return k <= 1 ? 1.0 : k * factorial(k - 1); }

/// Checks the coefficients of g(x0 + ε) in the box (kDegree) against coefficient(k).
void check_series(const std::function<Jet(const Jet&)>& g, double x0, const std::function<double(int)>& coefficient) {
  const JetShape box({kDegree});
  const Jet r = g(Jet::variable(box, x0, 0));
  for (int k = 0; k <= kDegree; ++k) {
    INFO("coefficient " << k << " at x0 = " << x0);
    CHECK(r[k] == Approx(coefficient(k)).epsilon(1e-13).margin(1e-14));
  }
  for (int k = kDegree + 1; k < Jet::kCapacity; ++k) CHECK(r[k] == 0);
}

}  // namespace

TEST_CASE("a jet in one direction is the Taylor polynomial: (2 + e)^3 = 8 + 12e + 6e^2 + e^3", "[jet]") {
  const JetShape box({3});
  const Jet x = Jet::variable(box, 2.0, 0);
  const Jet y = x * x * x;
  CHECK(y[0] == 8);
  CHECK(y[1] == 12);
  CHECK(y[2] == 6);
  CHECK(y[3] == 1);
}

TEST_CASE("hyper-dual numbers give mixed second derivatives: x^2 at x + e1 u + e2 w", "[jet]") {
  const JetShape box({1, 1});
  Jet x(box, 1.5);
  x[box.unit(0)] = 0.3;   // u
  x[box.unit(1)] = -0.7;  // w
  const Jet y = x * x;
  const int both = box.index(std::vector<int>{1, 1});
  CHECK(y[both] == Approx(2 * 0.3 * -0.7));  // f''(u, w) = 2uw
  CHECK(y[box.unit(0)] == Approx(2 * 1.5 * 0.3));
  CHECK(y[box.unit(1)] == Approx(2 * 1.5 * -0.7));
}

TEST_CASE("elementary functions of jets have their known Taylor coefficients", "[jet]") {
  for (double x0 : {0.3, 1.7}) {
    check_series([](const Jet& a) { return exp(a); }, x0, [&](int k) { return std::exp(x0) / factorial(k); });
    check_series([](const Jet& a) { return log(a); }, x0, [&](int k) {
      return k == 0 ? std::log(x0) : (k % 2 == 1 ? 1.0 : -1.0) / (k * std::pow(x0, k));
    });
    check_series([](const Jet& a) { return sin(a); }, x0, [&](int k) { return std::sin(x0 + k * M_PI / 2) / factorial(k); });
    check_series([](const Jet& a) { return cos(a); }, x0, [&](int k) { return std::cos(x0 + k * M_PI / 2) / factorial(k); });
    // atan^(k)(x) = (−1)^(k−1) (k−1)! sin^k θ sin kθ with x = cot θ (a rule with u = 1/(1 + a²))
    check_series([](const Jet& a) { return atan(a); }, x0, [&](int k) {
      const double theta = M_PI / 2 - std::atan(x0);
      return k == 0 ? std::atan(x0) : (k % 2 == 1 ? 1.0 : -1.0) * std::pow(std::sin(theta), k) * std::sin(k * theta) / k;
    });
    // 1/(x0 + ε) = Σ (−1)^k ε^k / x0^(k+1)
    check_series([](const Jet& a) { return 1.0 / a; }, x0, [&](int k) { return (k % 2 ? -1.0 : 1.0) / std::pow(x0, k + 1); });
    // √(x0 + ε) = Σ binom(1/2, k) x0^(1/2 − k) ε^k
    check_series([](const Jet& a) { return sqrt(a); }, x0, [&](int k) {
      double binom = 1;
      for (int j = 0; j < k; ++j) binom *= (0.5 - j) / (j + 1);
      return binom * std::pow(x0, 0.5 - k);
    });
  }
}

TEST_CASE("one evaluation gives every mixed derivative in the box: exp at x0 + e1 u + e2 w", "[jet]") {
  const JetShape box({3, 2});
  const double x0 = 0.4, u = 0.9, w = -1.3;
  Jet x(box, x0);
  x[box.unit(0)] = u;
  x[box.unit(1)] = w;
  const Jet y = exp(x);
  for (int i = 0; i < box.size(); ++i) {
    const std::vector<int> beta = box.multi_index(i);
    // exp^(|β|)(x0)(u^β1, w^β2) / β! = e^x0 u^β1 w^β2 / (β1! β2!)
    const double expected = std::exp(x0) * std::pow(u, beta[0]) * std::pow(w, beta[1]) / box.factorial(i);
    INFO("beta = (" << beta[0] << ", " << beta[1] << ")");
    CHECK(y[i] == Approx(expected).epsilon(1e-14));
  }
}

TEST_CASE("tan, tanh, log, sqrt, abs and quotients of jets satisfy their identities", "[jet]") {
  const JetShape box({2, 1, 1});
  Jet a(box, 0.6), b(box, -1.4);
  for (int i = 1; i < box.size(); ++i) {
    a[i] = 0.3 * std::sin(1.0 + i);
    b[i] = 0.2 * std::cos(2.0 + 3 * i);
  }
  auto same = [&](const Jet& x, const Jet& y) {
    for (int i = 0; i < Jet::kCapacity; ++i) {
      INFO("coefficient " << i);
      CHECK(x[i] == Approx(y[i]).epsilon(1e-13).margin(1e-14));
    }
  };
  same(tan(a), sin(a) / cos(a));
  same(tanh(a), (exp(2.0 * a) - 1.0) / (exp(2.0 * a) + 1.0));
  same(log(exp(a)), a);
  same(sqrt(a) * sqrt(a), a);
  same((a * b) / b, a);
  same(2.0 / b, Jet(2.0) / b);
  same(abs(b), -b);
  same(abs(a), a);
  same(sin(a) * sin(a) + cos(a) * cos(a), Jet(box, 1.0));
  same(a - b + b, a);
  same((a + 2.0) * 3.0 - 6.0, 3.0 * a);
}

TEST_CASE("sigmoid, softplus, elu, relu and square of jets agree with their definitions", "[jet]") {
  const JetShape box({2, 1, 1});
  Jet a(box, 0.6), b(box, -1.4), big(box, 800.0), small(box, -800.0);
  for (int i = 1; i < box.size(); ++i) {
    a[i] = big[i] = small[i] = 0.3 * std::sin(1.0 + i);
    b[i] = 0.2 * std::cos(2.0 + 3 * i);
  }
  auto same = [&](const Jet& x, const Jet& y) {
    for (int i = 0; i < Jet::kCapacity; ++i) {
      INFO("coefficient " << i);
      CHECK(x[i] == Approx(y[i]).epsilon(1e-13).margin(1e-14));
    }
  };
  same(sigmoid(a), 1.0 / (1.0 + exp(-a)));
  same(sigmoid(b), 1.0 / (1.0 + exp(-b)));
  same(softplus(a), log(1.0 + exp(a)));
  same(softplus(b), log(1.0 + exp(b)));
  same(elu(a), a);
  same(elu(b), exp(b) - 1.0);
  same(relu(a), a);
  same(relu(b), Jet(box, 0.0));
  same(square(b), b * b);
  // Where e^{±a} overflows a double, the definitions give inf and NaN; the functions do not.
  same(sigmoid(big), Jet(box, 1.0));
  same(sigmoid(small), Jet(box, 0.0));
  same(softplus(big), big);
  same(softplus(small), Jet(box, 0.0));
}

TEST_CASE("constants mix with jets, and boxes too large for a jet are refused", "[jet]") {
  const JetShape box({1});
  const Jet x = Jet::variable(box, 2.0, 0);
  const Jet y = x * Jet(3.0) + Jet(1.0) / x;
  CHECK(y.shape == &box);
  CHECK(y[0] == Approx(6.5));
  CHECK(y[1] == Approx(3.0 - 0.25));
  CHECK(nimde::autodiff::value_of(y) == y[0]);
  CHECK_THROWS_AS(JetShape({2, 1, 2}), std::invalid_argument);  // 3·2·3 = 18 coefficients
  CHECK_THROWS_AS(x + Jet::variable(JetShape({2}), 1.0, 0), std::invalid_argument);
}
