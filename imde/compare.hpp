// What did a learned field learn? f_θ against the true field f and the truncated IMDE f_h^[n]
// of its training method (h = T/S), with the paper's metric; and the correction that applies
// the method's modified equation to f_θ to recover f:
//     f ≈ f̃_h[f_θ] = Σ_{|τ| ≤ N+1} h^{|τ|−1} b(τ)/σ(τ) F_{f_θ}(τ),
// valid because the modified equation inverts the IMDE (b ⋆ e = Φ, c ⋆ Φ = e) and f_θ ≈ f_h.
#pragma once

#include <vector>

#include "autodiff/tensor.hpp"
#include "ode/field.hpp"
#include "ode/tableau.hpp"

namespace nimde::imde {

struct Comparison {
  double error_true = 0;            ///< Error(f_θ, f)
  std::vector<double> error_imde;   ///< Error(f_θ, f_h^[n]) for n = 0..order
  double error_corrected = -1;      ///< Error(f̃_h[f_θ], f) when a correction was asked for
  int correct_order = -1;
  std::size_t points = 0;           ///< rows of the points compared on
};

/// Compares `learned` with `truth` and with the truncated IMDE of `method` (a Runge–Kutta
/// tableau) at step h, for n = 0..order, on the rows of `points`; with correct_order ≥ 0 also
/// the learned field corrected by the modified equation to that order.
Comparison compare_fields(const ode::Field& learned, const ode::Field& truth, const ode::Tableau& method, double h,
                          const autodiff::Tensor<double>& points, int order, int correct_order = -1);

}  // namespace nimde::imde
