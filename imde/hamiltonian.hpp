// The inverse modified Hamiltonian of a symplectic Runge–Kutta method.
//
// In canonical coordinates y = (p, q) (p the first half, q the second) a Hamiltonian field is
//     f = J⁻¹∇H:   ṗ = −∂H/∂q,  q̇ = ∂H/∂p,        so  ∇H = J f = (f_q, −f_p).
// A Runge–Kutta method whose tableau satisfies b_i a_ij + b_j a_ji = b_i b_j (implicit midpoint,
// Gauss) is symplectic, and every term of its IMDE is Hamiltonian again, so the truncated field is
//     f_h^[N] = J⁻¹∇H_h^[N].
// H_h^[N] is recovered from f_h^[N] alone, as the potential of the closed 1-form J f_h^[N]:
//     H_h^[N](y) = H(y_ref) + ∫₀¹ (J f_h^[N])(y_ref + s(y − y_ref)) · (y − y_ref) ds,
// the constant chosen so that H_h^[N](y_ref) = H(y_ref). For a method that is not symplectic the
// form is not closed: the integral then depends on the path, by O(h^p) for a method of order p
// (f_h = f + O(h^p); nothing at all while N < p, where f_h^[N] = f). That is measured here by the
// divergence (planar fields: div g = 0 ⇔ g Hamiltonian) and by two paths that disagree.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "autodiff/tensor.hpp"
#include "imde/series_field.hpp"
#include "ode/field.hpp"
#include "ode/tableau.hpp"

namespace nimde::imde {

/// A field evaluated at every row of an n × d tensor of points (a SeriesField is one).
using BatchField = std::function<autodiff::Tensor<double>(const autodiff::Tensor<double>&)>;

/// An ode::Field as a BatchField (evaluated on Array<double>).
BatchField batch_field(const ode::Field& f);

/// An n-point Gauss–Legendre rule on [0, 1]: exact for polynomials of degree ≤ 2n − 1.
struct GaussLegendre {
  std::vector<double> nodes, weights;
};

/// The n-point rule (1 ≤ n ≤ 200), nodes and weights correct to the last bit or two.
GaussLegendre gauss_legendre(int n);

/// The rule line integrals use by default: 24 points (exact to degree 47; see hamiltonian.cpp).
const GaussLegendre& default_rule();

/// true when b_i a_ij + b_j a_ji − b_i b_j = 0 for all i, j, in exact arithmetic: the method is
/// symplectic, and the IMDE and modified equation of a Hamiltonian field are Hamiltonian.
bool is_symplectic(const ode::Tableau& tableau);

/// ∫₀¹ (J g)(from + s(to − from)) · (to − from) ds for each row `to` of `points` (n × d, d even).
std::vector<double> line_integrals(const BatchField& g, std::span<const double> from,
                                   const autodiff::Tensor<double>& points, const GaussLegendre& rule = default_rule());

/// The same for one end point.
double line_integral(const BatchField& g, std::span<const double> from, std::span<const double> to,
                     const GaussLegendre& rule = default_rule());

/// H_h^[N] of a field and a Runge–Kutta method: the straight-line potential of J f_h^[N] from
/// y_ref, plus H(y_ref). Exactly the Hamiltonian of f_h^[N] when the method is symplectic
/// (is_symplectic) and the base field is Hamiltonian.
class InverseModifiedHamiltonian {
 public:
  /// Throws std::invalid_argument for an odd dimension, an order outside 0..8, a y_ref of the
  /// wrong size or not finite, a non-finite h or H(y_ref).
  InverseModifiedHamiltonian(const ode::Tableau& tableau, const ode::Field& base, double h, int order,
                             std::vector<double> y_ref, double h_ref);

  /// H_h^[N] at one point, and at every row of `points` (n × d); non-finite points are refused.
  double operator()(std::span<const double> y) const;
  std::vector<double> operator()(const autodiff::Tensor<double>& points) const;

  const SeriesField& field() const { return field_; }  ///< f_h^[N]
  const std::vector<double>& y_ref() const { return y_ref_; }
  double h_ref() const { return h_ref_; }  ///< H_h^[N](y_ref), the given H(y_ref)

 private:
  SeriesField field_;
  std::vector<double> y_ref_;
  double h_ref_;
};

// ---- is a field Hamiltonian? --------------------------------------------------------------

/// The mean over the rows of `points` of |div g|, div g = Σ_i ∂g_i/∂y_i by sixth-order central
/// differences (step 2⁻⁷ times max(1, |y_i|)). For d = 2, g is Hamiltonian iff div g = 0.
double mean_abs_divergence(const BatchField& g, const autodiff::Tensor<double>& points);

/// The mean over the rows y of `points` of |∫ J g along y_ref → y − ∫ J g along y_ref → c → y|,
/// c = (p of y, q of y_ref) (first p changes, then q). Zero, up to quadrature and rounding, for
/// a Hamiltonian g in any even dimension.
double mean_two_path_difference(const BatchField& g, std::span<const double> y_ref,
                                const autodiff::Tensor<double>& points, const GaussLegendre& rule = default_rule());

}  // namespace nimde::imde
