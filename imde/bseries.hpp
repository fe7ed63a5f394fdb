// Exact B-series: elementary weights, order conditions and the substitution law.
//
// Convention (Hairer–Lubich–Wanner): a B-series with coefficients a is
//   B(a, y) = y + Σ_τ h^|τ| / σ(τ) · a(τ) F(τ)(y),
// and a field written as a B-series (a modified field) is
//   f_h = Σ_τ h^(|τ|−1) / σ(τ) · b(τ) F(τ),
// so b(τ)/σ(τ) is the coefficient of F(τ) when each elementary differential is written once.
// Coefficient vectors are indexed by the ids of a RootedTrees set (see imde/trees.hpp).
#pragma once

#include <vector>

#include "imde/trees.hpp"
#include "ode/quadratic_rational.hpp"
#include "ode/tableau.hpp"

namespace nimde::imde {

/// An exact coefficient: rational, or in Q(√d) for methods such as Gauss–Legendre.
using Coefficient = ode::QuadraticRational;
/// B-series coefficients, one per tree id.
using Coefficients = std::vector<Coefficient>;

/// e(τ) = 1/γ(τ): the exact flow of f over one step h.
Coefficients exact_flow(const RootedTrees& trees);

/// Φ(τ): the B-series of one step of the Runge–Kutta method.
Coefficients elementary_weights(const ode::Tableau& tableau, const RootedTrees& trees);

/// One order condition Φ(τ) = 1/γ(τ).
struct OrderCondition {
  int tree;             ///< tree id
  Coefficient weight;   ///< Φ(τ)
  Coefficient exact;    ///< 1/γ(τ)
  bool holds() const { return weight == exact; }
};

/// The order conditions of every tree of the set.
std::vector<OrderCondition> order_conditions(const ode::Tableau& tableau, const RootedTrees& trees);

/// The classical order p: Φ(τ) = 1/γ(τ) for all |τ| ≤ p. Returns max_order if all trees up to
/// max_order nodes agree (the order is then at least that).
int method_order(const ode::Tableau& tableau, int max_order = 10);

/// b ⋆ a: the B-series of the integrator a applied to the field with coefficients b
/// (Chartier–Hairer–Vilmart substitution law). Needs b(τ), a(τ) for every tree of the set.
Coefficients substitute(const Coefficients& b, const Coefficients& a, const RootedTrees& trees);

/// The field x with x ⋆ outer = target, solved order by order; needs outer(•) ≠ 0.
/// The IMDE of a method Φ is x ⋆ Φ = e; its modified equation is x ⋆ e = Φ.
Coefficients solve_substitution(const Coefficients& outer, const Coefficients& target, const RootedTrees& trees);

}  // namespace nimde::imde
