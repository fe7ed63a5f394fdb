// The adaptive pairs dopri5 and dop853: they meet their tolerances against closed forms and
// invariants, have their orders when the step is held fixed, agree with the paper's sv6
// reference on the pendulum, and refuse bad input with one line naming it.
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ode/adaptive.hpp"
#include "ode/method.hpp"
#include "ode/reference.hpp"
#include "ode/systems.hpp"
#include "tests/support/error_of.hpp"

using namespace nimde;
using ode::AdaptiveOptions;
using ode::AdaptiveStats;
using ode::Point;

using nimde::test::error_of;

namespace {

AdaptiveOptions tolerances(double rtol, double atol) {
  AdaptiveOptions o;
  o.rtol = rtol;
  o.atol = atol;
  return o;
}

std::vector<double> range(double step, int count) {
  std::vector<double> t;
  for (int n = 1; n <= count; ++n) t.push_back(step * n);
  return t;
}

/// max over the output times of the max-norm distance to the harmonic oscillator's flow from (0, 1).
template <class State>
double harmonic_error(const std::vector<State>& ys, const std::vector<double>& times) {
  double e = 0;
  for (std::size_t n = 0; n < times.size(); ++n)
    e = std::max({e, std::abs(ys[n].x[0] + std::sin(times[n])), std::abs(ys[n].x[1] - std::cos(times[n]))});
  return e;
}

const ode::Field& harmonic() { return ode::system("harmonic").field; }

// y' = −y (decay) and y' = y² (blows up at t = 1/y0).
ode::Field decay_field() {
  return ode::Field("decay", {"y"}, ode::componentwise([](const auto& y) {
                      using C = std::decay_t<decltype(y[0])>;
                      return std::vector<C>{-y[0]};
                    }));
}

ode::Field square_field() {
  return ode::Field("square", {"y"}, ode::componentwise([](const auto& y) {
                      using C = std::decay_t<decltype(y[0])>;
                      return std::vector<C>{y[0] * y[0]};
                    }));
}

autodiff::Array<double> pendulum_points(std::size_t n, unsigned seed) {
  const ode::System& pd = ode::system("pendulum");
  std::mt19937_64 rng(seed);
  autodiff::Tensor<double> x = autodiff::zeros<double>(n, 2);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      x(i, k) = std::uniform_real_distribution<double>(pd.domain[k].first, pd.domain[k].second)(rng);
  return autodiff::Array<double>(x);
}

}  // namespace

TEST_CASE("dopri5 and dop853 follow the harmonic oscillator to their tolerance", "[adaptive]") {
  const std::vector<double> times = range(1, 10);
  for (const char* m : {"dopri5", "dop853"}) {
    std::vector<double> errors;
    for (const double tol : {1e-6, 1e-9, 1e-12}) {
      const double e =
          harmonic_error(ode::integrate_adaptive(m, harmonic(), Point<double>{{0.0, 1.0}}, 0.0, times, tolerances(tol, tol)),
                         times);
      INFO(m << " at tolerance " << tol << ": error " << e);
      CHECK(e <= 10 * tol);
      errors.push_back(e);
    }
    // Tighter tolerances buy accuracy in proportion.
    CHECK(errors.back() < 1e-4 * errors.front());
  }
}

TEST_CASE("on y' = -y the relative error stays within the relative tolerance", "[adaptive]") {
  const ode::Field decay = decay_field();
  const std::vector<double> times{1, 2, 3, 4};
  for (const char* m : {"dopri5", "dop853"}) {
    for (const double rtol : {1e-6, 1e-9, 1e-12}) {
      const auto ys = ode::integrate_adaptive(m, decay, Point<double>{{1.0}}, 0.0, times, tolerances(rtol, 1e-6 * rtol));
      double e = 0;
      for (std::size_t n = 0; n < times.size(); ++n) e = std::max(e, std::abs(ys[n].x[0] * std::exp(times[n]) - 1));
      INFO(m << " at rtol " << rtol << ": relative error " << e);
      CHECK(e <= 5 * rtol);
    }
  }
}

TEST_CASE("Lotka-Volterra's invariant is kept to the tolerance over four periods", "[adaptive]") {
  const ode::System& lv = ode::system("lotka-volterra");
  const auto invariant = lv.invariants.at(0).value;
  const std::vector<double> y0{1.0, 1.0}, times = range(0.5, 40);
  for (const char* m : {"dopri5", "dop853"}) {
    for (const double tol : {1e-6, 1e-9, 1e-12}) {
      double e = 0;
      for (const auto& y : ode::integrate_adaptive(m, lv.field, Point<double>{y0}, 0.0, times, tolerances(tol, tol)))
        e = std::max(e, std::abs(invariant(y.x) - invariant(y0)));
      INFO(m << " at tolerance " << tol << ": invariant error " << e);
      CHECK(e <= 20 * tol);
    }
  }
}

TEST_CASE("with the step held fixed, dopri5 converges at order 5 and dop853 at order 8", "[adaptive]") {
  // Tolerances that accept every step and h0 = h_max = T/N make N equal steps.
  struct Case {
    const char* method;
    int order;
    double T;
    std::vector<int> steps;
  };
  for (const Case& c : {Case{"dopri5", 5, 1, {2, 4, 8, 16, 32}}, Case{"dop853", 8, 10, {10, 14, 20, 28, 40}}}) {
    std::vector<double> x, y;
    for (const int n : c.steps) {
      AdaptiveOptions o = tolerances(1e10, 1e10);
      o.h0 = o.h_max = c.T / n;
      AdaptiveStats stats;
      const auto ys = ode::integrate_adaptive(c.method, harmonic(), Point<double>{{0.0, 1.0}}, 0.0, {c.T}, o, &stats);
      CHECK(stats.accepted == static_cast<std::size_t>(n));
      x.push_back(std::log(c.T / n));
      y.push_back(std::log(harmonic_error(ys, {c.T})));
    }
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / x.size(), my += y[i] / y.size();
    for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
    INFO(c.method << ": measured order " << sxy / sxx);
    CHECK(std::abs(sxy / sxx - c.order) < 0.15);
  }
}

TEST_CASE("the pendulum's sv6 reference with 10 substeps agrees with dop853 at 1e-14 to 1e-12", "[adaptive]") {
  // The paper's pendulum targets: T = 0.04 by sv6 with 10 substeps (nn::data_setup says so too).
  const ode::System& pd = ode::system("pendulum");
  const double T = 0.04;
  const autodiff::Array<double> x = pendulum_points(1000, 3);
  const autodiff::Array<double> paper = ode::reference_flow(pd.field, x, T, "sv6", 10);
  const auto accurate = ode::integrate_adaptive("dop853", pd.field, x, 0.0, {T}, tolerances(1e-14, 1e-14));
  CHECK(max_abs_diff(paper, accurate.at(0)) < 1e-12);
}

TEST_CASE("a batch shares one step sequence and every point meets the tolerance", "[adaptive]") {
  // Circles of radius 0.01 to 10: the largest decides the steps, the scale sk each point's error.
  const std::vector<double> radius{0.01, 0.1, 1, 10};
  autodiff::Array<double> y0(radius.size(), 2, 0.0);
  for (std::size_t i = 0; i < radius.size(); ++i) y0.value()(i, 1) = radius[i];
  const std::vector<double> times = range(1, 5);
  const double tol = 1e-9;
  for (const char* m : {"dopri5", "dop853"}) {
    AdaptiveStats batch, alone;
    const auto ys = ode::integrate_adaptive(m, harmonic(), y0, 0.0, times, tolerances(tol, tol), &batch);
    ode::integrate_adaptive(m, harmonic(), Point<double>{{0.0, radius.back()}}, 0.0, times, tolerances(tol, tol), &alone);
    CHECK(batch.accepted >= alone.accepted);
    for (std::size_t i = 0; i < radius.size(); ++i) {
      double e = 0;
      for (std::size_t n = 0; n < times.size(); ++n)
        e = std::max({e, std::abs(ys[n].value()(i, 0) + radius[i] * std::sin(times[n])),
                      std::abs(ys[n].value()(i, 1) - radius[i] * std::cos(times[n]))});
      INFO(m << ", radius " << radius[i] << ": error " << e);
      CHECK(e <= 10 * tol * (1 + radius[i]));
    }
  }
}

TEST_CASE("with atol = 0 a point at rest stays exactly at rest beside a moving one", "[adaptive]") {
  autodiff::Array<double> y0(2, 2, 0.0);
  y0.value()(1, 1) = 1;
  for (const char* m : {"dopri5", "dop853"}) {
    const auto ys = ode::integrate_adaptive(m, harmonic(), y0, 0.0, {1.0, 2.0}, tolerances(1e-9, 0));
    CHECK(ys[1].value()(0, 0) == 0);
    CHECK(ys[1].value()(0, 1) == 0);
    CHECK(std::abs(ys[1].value()(1, 0) + std::sin(2.0)) < 1e-8);
  }
}

TEST_CASE("output times are reached exactly, however close together", "[adaptive]") {
  // Dense outputs at the start, one far away, then one just past it; the first at t0 itself.
  std::vector<double> times{0.0};
  for (int n = 1; n <= 20; ++n) times.push_back(1e-3 * n);
  times.push_back(7.5);
  times.push_back(7.5 + 1e-9);
  for (const char* m : {"dopri5", "dop853"}) {
    INFO(m);
    const auto ys = ode::integrate_adaptive(m, harmonic(), Point<double>{{0.0, 1.0}}, 0.0, times, tolerances(1e-10, 1e-10));
    REQUIRE(ys.size() == times.size());
    CHECK(ys[0].x == std::vector<double>{0.0, 1.0});
    CHECK(harmonic_error(ys, times) < 1e-9);
    // No outputs: nothing to do.
    CHECK(ode::integrate_adaptive(m, harmonic(), Point<double>{{0.0, 1.0}}, 0.0, {}).empty());
  }
}

TEST_CASE("dopri5 reuses its last stage as the next first: 6 evaluations per step, dop853 12", "[adaptive]") {
  for (const bool automatic_h0 : {true, false}) {
    AdaptiveOptions o = tolerances(1e-8, 1e-8);
    if (!automatic_h0) o.h0 = 0.1;
    AdaptiveStats s5, s8;
    ode::integrate_adaptive("dopri5", harmonic(), Point<double>{{0.0, 1.0}}, 0.0, {10.0}, o, &s5);
    ode::integrate_adaptive("dop853", harmonic(), Point<double>{{0.0, 1.0}}, 0.0, {10.0}, o, &s8);
    // f(y0), one more for the initial step heuristic, then per attempted step (dop853: f(y₁) when accepted).
    const std::size_t start = automatic_h0 ? 2 : 1;
    CHECK(s5.evaluations == start + 6 * (s5.accepted + s5.rejected));
    CHECK(s8.evaluations == start + 11 * (s8.accepted + s8.rejected) + s8.accepted);
  }
}

TEST_CASE("a first step that is too large is rejected and retried smaller", "[adaptive]") {
  for (const char* m : {"dopri5", "dop853"}) {
    AdaptiveOptions o = tolerances(1e-8, 1e-8);
    o.h0 = 8;
    AdaptiveStats stats;
    const std::vector<double> times = range(1, 10);
    const auto ys = ode::integrate_adaptive(m, harmonic(), Point<double>{{0.0, 1.0}}, 0.0, times, o, &stats);
    INFO(m << ": " << stats.rejected << " rejected");
    CHECK(stats.rejected > 0);
    CHECK(harmonic_error(ys, times) < 1e-7);
  }
}

TEST_CASE("h_max bounds every step", "[adaptive]") {
  AdaptiveOptions o = tolerances(1e-3, 1e-3);
  o.h_max = 0.01;
  AdaptiveStats stats;
  ode::integrate_adaptive("dop853", harmonic(), Point<double>{{0.0, 1.0}}, 0.0, {1.0}, o, &stats);
  CHECK(stats.accepted >= 100);
}

TEST_CASE("float batches integrate to float accuracy", "[adaptive]") {
  const ode::System& pd = ode::system("pendulum");
  const autodiff::Array<double> x = pendulum_points(64, 9);
  autodiff::Tensor<float> xf = autodiff::zeros<float>(64, 2);
  for (std::size_t i = 0; i < xf.size(); ++i) xf.data()[i] = static_cast<float>(x.value().data()[i]);
  const auto yd = ode::integrate_adaptive("dopri5", pd.field, x, 0.0, {0.5}, tolerances(1e-12, 1e-12));
  const auto yf = ode::integrate_adaptive("dopri5", pd.field, autodiff::Array<float>(xf), 0.0, {0.5}, tolerances(1e-5, 1e-5));
  double e = 0;
  for (std::size_t i = 0; i < xf.size(); ++i)
    e = std::max(e, std::abs(static_cast<double>(yf[0].value().data()[i]) - yd[0].value().data()[i]));
  CHECK(e < 1e-3);
}

TEST_CASE("a fixed-step reference flow is S steps of the named method; an adaptive one is integrate_adaptive", "[adaptive]") {
  const ode::System& pd = ode::system("pendulum");
  const autodiff::Array<double> x = pendulum_points(50, 4);
  const auto fixed = ode::reference_flow(pd.field, x, 0.04, "sv6", 10);
  CHECK(max_abs_diff(fixed, ode::integrate(ode::method("sv6"), pd.field, x, 0.004, 10)) == 0);
  const auto adaptive = ode::reference_flow(pd.field, x, 0.04, "dop853", 1, tolerances(1e-13, 1e-13));
  CHECK(max_abs_diff(adaptive, ode::integrate_adaptive("dop853", pd.field, x, 0.0, {0.04}, tolerances(1e-13, 1e-13))[0]) == 0);
  CHECK(max_abs_diff(fixed, adaptive) < 1e-12);

  const std::string unknown = error_of([&] { ode::reference_flow(pd.field, x, 0.04, "rk5", 10); });
  CHECK_THAT(unknown, Catch::StartsWith("reference flow: unknown method 'rk5' (known: "));
  for (const char* name : {"rk4", "sv6", "gauss6", "dopri5", "dop853"}) CHECK_THAT(unknown, Catch::Contains(name));
  CHECK(error_of([&] { ode::reference_flow(pd.field, x, 0.04, "rk4", 0); }) ==
        "reference flow: substeps must be >= 1, got 0");
}

TEST_CASE("bad input and failures are reported in one line naming the value", "[adaptive]") {
  const Point<double> y0{{0.0, 1.0}};
  auto run = [&](const char* m, std::vector<double> times, AdaptiveOptions o = {}) {
    return error_of([&] { ode::integrate_adaptive(m, harmonic(), y0, 0.0, times, o); });
  };
  CHECK(run("rk45", {1}) == "unknown adaptive method 'rk45' (known: dopri5, dop853)");
  CHECK(ode::adaptive_method_names() == std::vector<std::string>{"dopri5", "dop853"});
  CHECK(run("dopri5", {1, 2, 2}) == "integrate_adaptive: times must increase from t0 = 0, but times[2] = 2 follows 2");
  CHECK(run("dopri5", {0.5, 0.25}) ==
        "integrate_adaptive: times must increase from t0 = 0, but times[1] = 0.25 follows 0.5");
  CHECK(run("dopri5", {-1}) == "integrate_adaptive: times must increase from t0 = 0, but times[0] = -1 is before t0");
  CHECK(run("dopri5", {1, NAN}) == "integrate_adaptive: times[1] = nan is not finite");
  CHECK(run("dopri5", {1}, tolerances(-1e-3, 1e-6)) == "integrate_adaptive: rtol = -0.001 must be finite and >= 0");
  CHECK(run("dopri5", {1}, tolerances(0, 0)) == "integrate_adaptive: rtol and atol are both 0");
  AdaptiveOptions few;
  few.max_steps = 5;
  CHECK_THAT(run("dop853", {100}, few), Catch::StartsWith("dop853: max_steps = 5 reached at t = ") &&
                                            Catch::EndsWith(" on the way to 100"));
  // y' = y² from y = 1 blows up at t = 1: the steps shrink until they no longer move t.
  const ode::Field blowup = square_field();
  const std::string underflow =
      error_of([&] { ode::integrate_adaptive("dopri5", blowup, Point<double>{{1.0}}, 0.0, {2.0}); });
  CHECK_THAT(underflow, Catch::StartsWith("dopri5: step size underflow (h = "));
  const std::string nan_start =
      error_of([&] { ode::integrate_adaptive("dopri5", harmonic(), Point<double>{{NAN, 1.0}}, 0.0, {1.0}); });
  CHECK(nan_start == "dopri5: the initial state or the field at it is not finite (t0 = 0)");
}
