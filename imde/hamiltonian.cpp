#include "imde/hamiltonian.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "imde/elementary_differentials.hpp"
#include "imde/field_series.hpp"
#include "ode/state.hpp"

namespace nimde::imde {

namespace {

using autodiff::Tensor;

std::string number(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

void require_finite(std::span<const double> y, const std::string& what) {
  for (double v : y)
    if (!std::isfinite(v)) throw std::invalid_argument(what + " has a non-finite value " + number(v));
}

void require_points(const Tensor<double>& points, std::size_t d, const std::string& what) {
  if (points.shape()[1] != d)
    throw std::invalid_argument(what + " have " + std::to_string(points.shape()[1]) + " columns, expected " +
                                std::to_string(d));
  for (std::size_t i = 0; i < points.shape()[0]; ++i)
    require_finite(std::span<const double>(points.data() + i * d, d), what + ": row " + std::to_string(i));
}

void require_even(std::size_t d, const std::string& what) {
  if (d == 0 || d % 2 != 0)
    throw std::invalid_argument(what + ": dimension " + std::to_string(d) +
                                " is not even; canonical coordinates y = (p, q) need an even dimension");
}

/// Points are processed in blocks of this many, so that a block's quadrature nodes
/// (block × nodes × d doubles) stay a few MB however many points there are.
constexpr std::size_t kBlock = 2048;

/// ∫₀¹ (J g)(a_i + s(b_i − a_i)) · (b_i − a_i) ds for each row pair (a_i, b_i), where (J g) = (g_q, −g_p).
std::vector<double> segment_integrals(const BatchField& g, const Tensor<double>& a, const Tensor<double>& b,
                                      const GaussLegendre& rule) {
  const std::size_t n = a.shape()[0], d = a.shape()[1], m = rule.nodes.size(), half = d / 2;
  std::vector<double> out(n, 0.0);
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t count = std::min(kBlock, n - start);
    Tensor<double> nodes = autodiff::zeros<double>(count * m, d);
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t k = 0; k < m; ++k)
        for (std::size_t j = 0; j < d; ++j) {
          const double from = a(start + i, j), to = b(start + i, j);
          nodes(i * m + k, j) = from + rule.nodes[k] * (to - from);
        }
    const Tensor<double> gy = g(nodes);
    for (std::size_t i = 0; i < count; ++i) {
      double sum = 0;
      for (std::size_t k = 0; k < m; ++k) {
        double dot = 0;
        for (std::size_t j = 0; j < half; ++j) {
          dot += gy(i * m + k, j + half) * (b(start + i, j) - a(start + i, j));         // ∂H/∂p_j = g_{q_j}
          dot -= gy(i * m + k, j) * (b(start + i, j + half) - a(start + i, j + half));  // ∂H/∂q_j = −g_{p_j}
        }
        sum += rule.weights[k] * dot;
      }
      out[start + i] = sum;
    }
  }
  return out;
}

/// n copies of one point as rows.
Tensor<double> repeated(std::span<const double> y, std::size_t n) {
  Tensor<double> t = autodiff::zeros<double>(n, y.size());
  for (std::size_t i = 0; i < n; ++i) std::copy(y.begin(), y.end(), t.begin() + static_cast<long>(i * y.size()));
  return t;
}

/// Checks the order and the dimension before the series is built.
FieldSeries checked_series(const ode::Tableau& tableau, const ode::Field& base, int order) {
  require_even(base.dim(), "inverse modified Hamiltonian of " + base.name());
  if (order < 0 || order > ElementaryDifferentials::kMaxOrder - 1)
    throw std::invalid_argument("inverse modified Hamiltonian: order " + std::to_string(order) +
                                " is out of range 0.." + std::to_string(ElementaryDifferentials::kMaxOrder - 1));
  return inverse_modified_equation(tableau, order);
}

/// (P_n(x), P_n'(x)) by the three-term recurrence.
std::pair<double, double> legendre(int n, double x) {
  double p0 = 1, p1 = x;  // P_{k−1}, P_k
  for (int k = 1; k < n; ++k) {
    const double p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
    p0 = p1;
    p1 = p2;
  }
  return {p1, n == 1 ? 1.0 : n * (x * p1 - p0) / (x * x - 1)};
}

}  // namespace

BatchField batch_field(const ode::Field& f) {
  return [f](const Tensor<double>& points) { return f(ode::Array<double>(points)).value(); };
}

// ---- Gauss–Legendre ------------------------------------------------------------------------
// The nodes on [−1, 1] are the roots x of the Legendre polynomial P_n, found by Newton's method
// from Tricomi's estimate x ≈ cos(π(i − 1/4)/(n + 1/2)), with P_n and P_n' from the recurrence
//     (k + 1) P_{k+1}(x) = (2k + 1) x P_k(x) − k P_{k−1}(x),    P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1);
// the weights are w = 2 / ((1 − x²) P_n'(x)²). Newton converges quadratically from the estimate, so
// a step below 1e-16 means the root is exact to double. Only the roots x > 0 are computed; the
// others are their mirror images, which keeps the rule exactly symmetric. On [0, 1]: s = (1 ± x)/2,
// weight w/2.
GaussLegendre gauss_legendre(int n) {
  if (n < 1 || n > 200) throw std::invalid_argument("Gauss-Legendre rule: " + std::to_string(n) + " points is out of range 1..200");
  GaussLegendre rule;
  rule.nodes.assign(static_cast<std::size_t>(n), 0.0);
  rule.weights.assign(static_cast<std::size_t>(n), 0.0);
  for (int i = 1; i <= (n + 1) / 2; ++i) {
    double x = std::cos(std::numbers::pi * (i - 0.25) / (n + 0.5));
    for (int iteration = 0; iteration < 100; ++iteration) {
      const auto [p, dp] = legendre(n, x);
      const double step = p / dp;
      x -= step;
      if (std::abs(step) < 1e-16) break;
    }
    if (2 * i - 1 == n) x = 0;  // the middle node of an odd rule
    const double dp = legendre(n, x).second;  // P_n' at the root, for the weight
    const double w = 1 / ((1 - x * x) * dp * dp);  // half the weight on [−1, 1]
    const auto lo = static_cast<std::size_t>(i - 1), hi = static_cast<std::size_t>(n - i);
    rule.nodes[lo] = (1 - x) / 2;
    rule.nodes[hi] = (1 + x) / 2;
    rule.weights[lo] = rule.weights[hi] = w;
  }
  return rule;
}

// 24 points integrate polynomials of degree 47 exactly; for an analytic integrand the error falls
// like ρ^(−48), ρ the size of the largest ellipse around the segment where it stays analytic. The
// fields here are entire (the pendulum's, the harmonic oscillator's, a tanh network's up to its
// poles at distance ≥ π/2 over the weights) or analytic well away from the domain (Kepler's
// singularity at q = 0), and along the longest segments of the pendulum's domain (length ≈ 8) the
// line integral of f_h^[3] changes by less than 1e-13 from 24 to 48 points: the quadrature is
// exact to rounding at the cost of 24 evaluations of f_h^[N], batched in one call.
const GaussLegendre& default_rule() {
  static const GaussLegendre rule = gauss_legendre(24);
  return rule;
}

// Symplecticity (Hairer–Lubich–Wanner, Theorem VI.4.3): a Runge–Kutta method conserves every
// quadratic invariant, and is symplectic, when m_ij = b_i a_ij + b_j a_ji − b_i b_j = 0 for all i, j.
// The entries are exact, so the test is exact.
bool is_symplectic(const ode::Tableau& t) {
  const int s = t.stages();
  for (int i = 0; i < s; ++i)
    for (int j = 0; j < s; ++j) {
      const auto ui = static_cast<std::size_t>(i), uj = static_cast<std::size_t>(j);
      const ode::QuadraticRational m =
          t.b_exact[ui] * t.A_exact[ui][uj] + t.b_exact[uj] * t.A_exact[uj][ui] - t.b_exact[ui] * t.b_exact[uj];
      if (!m.is_zero()) return false;
    }
  return true;
}

std::vector<double> line_integrals(const BatchField& g, std::span<const double> from, const Tensor<double>& points,
                                   const GaussLegendre& rule) {
  require_even(from.size(), "line integral");
  require_finite(from, "line integral: start point");
  require_points(points, from.size(), "line integral: end points");
  return segment_integrals(g, repeated(from, points.shape()[0]), points, rule);
}

double line_integral(const BatchField& g, std::span<const double> from, std::span<const double> to,
                     const GaussLegendre& rule) {
  return line_integrals(g, from, repeated(to, 1), rule)[0];
}

// ---- the inverse modified Hamiltonian ------------------------------------------------------

InverseModifiedHamiltonian::InverseModifiedHamiltonian(const ode::Tableau& tableau, const ode::Field& base, double h,
                                                       int order, std::vector<double> y_ref, double h_ref)
    : field_(checked_series(tableau, base, order), base, h), y_ref_(std::move(y_ref)), h_ref_(h_ref) {
  if (!std::isfinite(h)) throw std::invalid_argument("inverse modified Hamiltonian: step h = " + number(h) + " is not finite");
  if (y_ref_.size() != base.dim())
    throw std::invalid_argument("inverse modified Hamiltonian: reference point has " + std::to_string(y_ref_.size()) +
                                " values, expected " + std::to_string(base.dim()));
  require_finite(y_ref_, "inverse modified Hamiltonian: reference point");
  if (!std::isfinite(h_ref))
    throw std::invalid_argument("inverse modified Hamiltonian: H(y_ref) = " + number(h_ref) + " is not finite");
}

double InverseModifiedHamiltonian::operator()(std::span<const double> y) const {
  return (*this)(repeated(y, 1))[0];
}

std::vector<double> InverseModifiedHamiltonian::operator()(const Tensor<double>& points) const {
  const SeriesField& fh = field_;
  std::vector<double> H = line_integrals([&fh](const Tensor<double>& x) { return fh(x); }, y_ref_, points);
  for (double& v : H) v += h_ref_;
  return H;
}

// ---- is a field Hamiltonian? ----------------------------------------------------------------
// div g by sixth-order central differences in each coordinate,
//     ∂g_i/∂y_i ≈ [45 (g₁ − g₋₁) − 9 (g₂ − g₋₂) + (g₃ − g₋₃)] / (60 δ),   g_k = g_i(y + kδ e_i),
// whose error is δ⁶/140 · ∂⁷g_i + O(ε |g| / δ). With δ = 2⁻⁷ ≈ 0.008 (relative to |y_i| when that
// exceeds 1) both are near 1e-13 · |g| for fields whose derivatives grow like those of sin:
// rounding level, far below the O(h) divergence of a method that is not symplectic.
double mean_abs_divergence(const BatchField& g, const Tensor<double>& points) {
  const std::size_t n = points.shape()[0], d = points.shape()[1];
  if (n == 0) return 0;
  require_points(points, d, "divergence: points");
  constexpr double kStep = 1.0 / 128;
  constexpr int kOffsets[6] = {-3, -2, -1, 1, 2, 3};
  double total = 0;
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t count = std::min(kBlock, n - start);
    Tensor<double> stencil = autodiff::zeros<double>(count * d * 6, d);
    std::vector<double> delta(count * d);
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t c = 0; c < d; ++c) {
        const double y = points(start + i, c);
        const double step = kStep * std::max(1.0, std::abs(y));
        delta[i * d + c] = step;
        for (std::size_t k = 0; k < 6; ++k) {
          const std::size_t row = (i * d + c) * 6 + k;
          for (std::size_t j = 0; j < d; ++j) stencil(row, j) = points(start + i, j);
          stencil(row, c) = y + kOffsets[k] * step;
        }
      }
    const Tensor<double> gs = g(stencil);
    for (std::size_t i = 0; i < count; ++i) {
      double div = 0;
      for (std::size_t c = 0; c < d; ++c) {
        const std::size_t r = (i * d + c) * 6;
        const double d1 = gs(r + 3, c) - gs(r + 2, c), d2 = gs(r + 4, c) - gs(r + 1, c), d3 = gs(r + 5, c) - gs(r, c);
        div += (45 * d1 - 9 * d2 + d3) / (60 * delta[i * d + c]);
      }
      total += std::abs(div);
    }
  }
  return total / static_cast<double>(n);
}

double mean_two_path_difference(const BatchField& g, std::span<const double> y_ref, const Tensor<double>& points,
                                const GaussLegendre& rule) {
  const std::size_t n = points.shape()[0], d = y_ref.size();
  if (n == 0) return 0;
  const std::vector<double> straight = line_integrals(g, y_ref, points, rule);
  // The corner c = (p of y, q of y_ref): the first leg changes p only, the second q only.
  Tensor<double> corners = repeated(y_ref, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d / 2; ++j) corners(i, j) = points(i, j);
  const std::vector<double> first = segment_integrals(g, repeated(y_ref, n), corners, rule);
  const std::vector<double> second = segment_integrals(g, corners, points, rule);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += std::abs(straight[i] - (first[i] + second[i]));
  return total / static_cast<double>(n);
}

}  // namespace nimde::imde
