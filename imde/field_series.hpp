// The two fields that backward error analysis attaches to a Runge–Kutta method Φ_h:
//
//   inverse  (IMDE, Zhu et al. 2022)  f_h with Φ_h[f_h] = φ_h[f]: the field that the method,
//            applied to it, turns into the exact flow of f. This is what a Neural ODE trained
//            through the method learns:  c ⋆ Φ = e.
//   modified (Hairer–Lubich–Wanner IX) f̃_h with φ_h[f̃_h] = Φ_h[f]: the field whose exact flow is
//            the method applied to f:  b ⋆ e = Φ.
//
// Both are B-series fields f_h = Σ_τ h^(|τ|−1) c(τ)/σ(τ) F(τ). "Order N" means the series is
// truncated after h^N, i.e. it involves the trees with up to N + 1 nodes.
#pragma once

#include <string>
#include <string_view>

#include "imde/bseries.hpp"
#include "imde/trees.hpp"
#include "ode/tableau.hpp"

namespace nimde::imde {

/// Which field of backward error analysis: the IMDE ("inverse") or the modified equation.
enum class SeriesKind { inverse, modified };

/// "inverse" or "modified"; throws std::invalid_argument naming anything else.
SeriesKind parse_series_kind(std::string_view text);
std::string to_string(SeriesKind kind);

/// The IMDE or modified equation of a method, truncated after h^order.
struct FieldSeries {
  static constexpr int kMaxOrder = 12;  ///< order 12 takes seconds; each further order ~3x longer

  std::string method;         ///< the tableau's name
  int method_order = 0;       ///< classical order of the method
  SeriesKind kind = SeriesKind::inverse;
  int order = 0;              ///< highest power of h kept
  RootedTrees trees{1};       ///< every tree with at most order + 1 nodes
  Coefficients coefficients;  ///< B-series coefficients c(τ), by tree id

  /// c(τ)/σ(τ): the coefficient of F(τ) when each elementary differential is written once.
  Coefficient written_once(int tree) const;
};

/// The IMDE of the method, truncated after h^order (0 ≤ order ≤ FieldSeries::kMaxOrder).
FieldSeries inverse_modified_equation(const ode::Tableau& tableau, int order);

/// The modified equation of the method, truncated after h^order.
FieldSeries modified_equation(const ode::Tableau& tableau, int order);

/// Either of the two, by kind.
FieldSeries field_series(const ode::Tableau& tableau, SeriesKind kind, int order);

}  // namespace nimde::imde
