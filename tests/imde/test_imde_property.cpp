// The defining properties of the two truncated series fields, for every Runge–Kutta method of the
// catalogue, N = 0..4, on two nonlinear systems.
//
// IMDE (Zhu et al. 2022): one step of the method applied to f_h^[N] is the exact flow of f,
//     Φ_h[f_h^[N]](y) − φ_h[f](y) = −h^(N+2) g_(N+1)(y) + O(h^(N+3)),
// g_k being the h^k term of the full IMDE. Modified equation: the exact flow of f̃_h^[N] is one
// step of the method applied to f, φ_h[f̃_h^[N]](y) − Φ_h[f](y) = O(h^(N+2)) likewise.
//
// So the local error has slope N + 2 in h on a log-log plot, or more when the series has no
// h^(N+1) term: a method of order p has f_h = f + O(h^p) (rk4 at N ≤ 3 shows its classical local
// error h^5), and symmetric methods (implicit midpoint, Gauss) have even powers only. The slope
// expected is therefore 1 + k, k ≥ N + 1 the first power of h with a nonzero coefficient, read off
// the exact series; the fitted slope must lie within 0.3 of it.
//
// Step sizes h_j = 0.4 · 2^-j, j = 0..8. The slope is fitted over the four consecutive step sizes,
// as small as possible, whose errors are all finite and above 1e-13: fifty times the rounding floor
// (about 2e-15), so rounding moves a slope by about 0.01, while the smallest admissible h keep the
// higher-order terms small.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "imde/field_series.hpp"
#include "imde/series_field.hpp"
#include "ode/method.hpp"
#include "ode/systems.hpp"

using namespace nimde;

namespace {

constexpr int kSteps = 9;
constexpr double kFloor = 1e-13;
double step_size(int j) { return 0.4 / std::pow(2.0, j); }

struct Case {
  std::string system;
  std::vector<double> y0;
};
const std::vector<Case> kCases{{"pendulum", {0.5, 0.3}}, {"cubic-oscillator", {1.2, -0.9}}};

/// 1 + the first power k ≥ N + 1 of h with a nonzero coefficient in the series.
int expected_slope(const ode::Tableau& tableau, imde::SeriesKind kind, int N) {
  const imde::FieldSeries full = imde::field_series(tableau, kind, 8);
  for (int k = N + 1; k <= 8; ++k)
    for (int t = full.trees.begin(k + 1); t < full.trees.end(k + 1); ++t)
      if (!full.coefficients[static_cast<std::size_t>(t)].is_zero()) return k + 1;
  return 10;
}

/// max_k |a_k − b_k|, or NaN if either is not finite.
double distance(const ode::Point<double>& a, const ode::Point<double>& b) {
  double e = 0;
  for (std::size_t k = 0; k < a.x.size(); ++k) {
    if (!std::isfinite(a.x[k]) || !std::isfinite(b.x[k])) return std::nan("");
    e = std::max(e, std::abs(a.x[k] - b.x[k]));
  }
  return e;
}

/// Least-squares slope of log e against log h over the smallest admissible window, or NaN.
double fitted_slope(const std::vector<double>& errors, std::string& window) {
  for (int start = kSteps - 4; start >= 0; --start) {
    bool ok = true;
    for (int j = start; j < start + 4; ++j) ok = ok && std::isfinite(errors[j]) && errors[j] > kFloor;
    if (!ok) continue;
    double mx = 0, my = 0;
    for (int j = start; j < start + 4; ++j) {
      mx += std::log(step_size(j)) / 4;
      my += std::log(errors[j]) / 4;
    }
    double sxy = 0, sxx = 0;
    for (int j = start; j < start + 4; ++j) {
      sxy += (std::log(step_size(j)) - mx) * (std::log(errors[j]) - my);
      sxx += (std::log(step_size(j)) - mx) * (std::log(step_size(j)) - mx);
    }
    window = std::to_string(step_size(start + 3)) + " .. " + std::to_string(step_size(start));
    return sxy / sxx;
  }
  window = "none";
  return std::nan("");
}

std::string list(const std::vector<double>& errors) {
  std::string s;
  for (double e : errors) s += (s.empty() ? "" : " ") + std::to_string(e);
  return s;
}

/// Accurate flows: rk4 with `substeps` steps of h/substeps.
ode::Point<double> flow(const ode::Field& f, const std::vector<double>& y0, double h, int substeps) {
  return ode::integrate(ode::method("rk4"), f, ode::Point<double>{y0}, h / substeps, substeps);
}

/// One step of m, or NaNs if its implicit equations do not converge at this h.
ode::Point<double> try_step(const ode::Method& m, const ode::Field& f, const std::vector<double>& y0, double h) {
  try {
    return m.step(f, ode::Point<double>{y0}, h);
  } catch (const std::runtime_error&) {
    return ode::Point<double>{std::vector<double>(y0.size(), std::nan(""))};
  }
}

}  // namespace

TEST_CASE("one step of every Runge-Kutta method applied to the truncated IMDE is the exact flow to O(h^(N+2))",
          "[imde][property]") {
  for (const Case& c : kCases) {
    const ode::System& sys = ode::system(c.system);
    std::vector<ode::Point<double>> exact;  // φ_h[f](y0), local error of rk4 below (h/4000)^5
    for (int j = 0; j < kSteps; ++j) exact.push_back(flow(sys.field, c.y0, step_size(j), 4000));
    for (const std::string& name : ode::rk_method_names()) {
      const ode::Method m = ode::method(name);
      for (int N = 0; N <= 4; ++N) {
        const imde::FieldSeries series = imde::inverse_modified_equation(m.tableau(), N);
        std::vector<double> errors;
        for (int j = 0; j < kSteps; ++j) {
          const ode::Field fh = imde::series_field(series, sys.field, step_size(j));
          errors.push_back(distance(try_step(m, fh, c.y0, step_size(j)), exact[static_cast<std::size_t>(j)]));
        }
        std::string window;
        const double slope = fitted_slope(errors, window);
        const int expected = expected_slope(m.tableau(), imde::SeriesKind::inverse, N);
        INFO(c.system << ", " << name << ", N = " << N << ": slope " << slope << " over h in " << window
                      << ", expected " << expected << "; errors " << list(errors));
        CHECK(expected >= N + 2);
        CHECK(std::abs(slope - expected) <= 0.3);
      }
    }
  }
}

TEST_CASE("the exact flow of the truncated modified equation is one step of every Runge-Kutta method to O(h^(N+2))",
          "[imde][property]") {
  // N ≤ 3: at N = 4 the error of the two-stage methods is h^6 g_5 + h^7 g_6 + …, and on the
  // pendulum g_5 is some fifty times smaller than g_6 (midpoint at (0.5, 0.3): |g_5| ≈ 0.9,
  // |g_6| ≈ 46), so slope 6 shows only below h ≈ 0.01, where the error is under the floor.
  for (const Case& c : kCases) {
    const ode::System& sys = ode::system(c.system);
    for (const std::string& name : ode::rk_method_names()) {
      const ode::Method m = ode::method(name);
      for (int N = 0; N <= 3; ++N) {
        const imde::FieldSeries series = imde::modified_equation(m.tableau(), N);
        std::vector<double> errors;
        for (int j = 0; j < kSteps; ++j) {
          const ode::Field fh = imde::series_field(series, sys.field, step_size(j));
          errors.push_back(distance(flow(fh, c.y0, step_size(j), 1000), try_step(m, sys.field, c.y0, step_size(j))));
        }
        std::string window;
        const double slope = fitted_slope(errors, window);
        const int expected = expected_slope(m.tableau(), imde::SeriesKind::modified, N);
        INFO(c.system << ", " << name << ", N = " << N << ": slope " << slope << " over h in " << window
                      << ", expected " << expected << "; errors " << list(errors));
        CHECK(std::abs(slope - expected) <= 0.3);
      }
    }
  }
}

TEST_CASE("the truncated IMDE field is Euler's f + h/2 f'f + h^2 (f''(f,f)/6 + f'f'f/6) on the pendulum", "[imde]") {
  // f = (−10 sin q, p): f'f = (−10 p cos q, −10 sin q), f''(f,f) = (10 p² sin q, 0),
  // f'f'f = (100 sin q cos q, −10 p cos q).
  const double h = 0.1, p = 0.5, q = 0.3, s = std::sin(q), c = std::cos(q);
  const imde::SeriesField fh(imde::inverse_modified_equation(ode::rk_tableau("euler"), 2), ode::system("pendulum").field, h);
  const std::vector<double> got = fh(std::vector<double>{p, q});
  CHECK(got[0] == Approx(-10 * s + h / 2 * (-10 * p * c) + h * h * (10 * p * p * s + 100 * s * c) / 6).epsilon(1e-14));
  CHECK(got[1] == Approx(p + h / 2 * (-10 * s) + h * h * (-10 * p * c) / 6).epsilon(1e-14));
  // The same on a batch, as an ode::Field on Array<double>, Array<float> and Point<double>.
  const ode::Field field = fh.field();
  autodiff::Tensor<double> x = autodiff::zeros<double>(2, 2);
  x(0, 0) = x(1, 0) = p;
  x(0, 1) = x(1, 1) = q;
  const autodiff::Array<double> batch = field(autodiff::Array<double>(x));
  const ode::Point<double> point = field(ode::Point<double>{{p, q}});
  autodiff::Tensor<float> xf = autodiff::zeros<float>(1, 2);
  xf(0, 0) = float(p);
  xf(0, 1) = float(q);
  const autodiff::Array<float> single = field(autodiff::Array<float>(xf));
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(batch.value()(1, k) == got[k]);
    CHECK(point.x[k] == got[k]);
    CHECK(single.value()(0, k) == Approx(got[k]).epsilon(1e-6));
  }
  CHECK(field.names() == std::vector<std::string>{"p", "q"});
  autodiff::Tape<double> tape;
  CHECK_THROWS_WITH(field(tape.constant(x)), Catch::Contains("plain points and batches only"));
}
