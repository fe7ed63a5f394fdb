// Derivatives of a field by central differences, to check forward-mode results against.
#pragma once

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "imde/elementary_differentials.hpp"
#include "ode/field.hpp"

namespace nimde::test {

inline std::vector<double> eval(const ode::Field& f, const std::vector<double>& y) { return f(ode::Point<double>{y}).x; }

/// f^(m)(y)(v_1, …, v_m) by the central mixed difference
///   (2ε)^(−m) Σ_{s ∈ {±1}^m} (Π s_i) f(y + ε Σ s_i v_i / |v_i|) · Π |v_i|,      error O(ε²).
inline std::vector<double> mixed_difference(const ode::Field& f, const std::vector<double>& y,
                                     const std::vector<std::vector<double>>& v, double eps) {
  const std::size_t m = v.size(), d = y.size();
  std::vector<std::vector<double>> unit = v;
  double scale = 1;
  for (auto& u : unit) {
    double norm = 0;
    for (double x : u) norm += x * x;
    norm = std::sqrt(norm);
    if (norm == 0) return std::vector<double>(d, 0.0);
    for (double& x : u) x /= norm;
    scale *= norm;
  }
  std::vector<double> sum(d, 0.0);
  for (unsigned mask = 0; mask < (1u << m); ++mask) {
    std::vector<double> z = y;
    double sign = 1;
    for (std::size_t i = 0; i < m; ++i) {
      const double s = (mask >> i) & 1 ? -1.0 : 1.0;
      sign *= s;
      for (std::size_t k = 0; k < d; ++k) z[k] += eps * s * unit[i][k];
    }
    const std::vector<double> fz = eval(f, z);
    for (std::size_t k = 0; k < d; ++k) sum[k] += sign * fz[k];
  }
  for (double& x : sum) x *= scale / std::pow(2 * eps, double(m));
  return sum;
}

/// The mixed difference with one Richardson step: (4 D(ε/2) − D(ε))/3, error O(ε⁴).
inline std::vector<double> richardson(const ode::Field& f, const std::vector<double>& y, const std::vector<std::vector<double>>& v,
                               double eps) {
  const std::vector<double> coarse = mixed_difference(f, y, v, eps), fine = mixed_difference(f, y, v, eps / 2);
  std::vector<double> r(y.size());
  for (std::size_t k = 0; k < r.size(); ++k) r[k] = (4 * fine[k] - coarse[k]) / 3;
  return r;
}

/// Every F(τ) = f^(m)(F(τ1), …, F(τm)) against a mixed difference in the directions F(τi)
/// (themselves checked the same way one level down). Differences of order m lose m digits
/// to rounding, so the step grows with m.
inline void check_against_differences(const ode::Field& f, const std::vector<double>& y, int max_order, double tolerance) {
  const imde::ElementaryDifferentials ed(max_order);
  const auto F = ed.at(f, y);
  const imde::RootedTrees& trees = ed.trees();
  for (int t = 0; t < trees.size(); ++t) {
    std::vector<std::vector<double>> directions;
    for (int c : trees[t].children) directions.push_back(F[static_cast<std::size_t>(c)]);
    const std::size_t m = directions.size();
    const double eps = m == 1 ? 1e-3 : m == 2 ? 4e-3 : m == 3 ? 1e-2 : 2e-2;
    const std::vector<double> expected = m == 0 ? eval(f, y) : richardson(f, y, directions, eps);
    // The scale of f^(m)(v_1, …, v_m): the result, or Π |v_i| where that cancels (Lorenz: f''' = 0).
    double size = 1, product = 1;
    for (double x : expected) size = std::max(size, std::abs(x));
    for (const auto& v : directions) {
      double norm = 0;
      for (double x : v) norm += x * x;
      product *= std::sqrt(norm);
    }
    size = std::max(size, product);
    for (std::size_t k = 0; k < y.size(); ++k) {
      INFO(trees.differential(t) << " component " << k);
      CHECK(F[static_cast<std::size_t>(t)][k] == Approx(expected[k]).margin(tolerance * size));
    }
  }
}

}  // namespace nimde::test
