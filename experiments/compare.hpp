// What did the network learn? A trained model's field f_θ against the true field f and the
// truncated IMDE f_h^[n] of its training method (h = T/S), with the paper's metric; and the
// correction that applies the method's modified equation to f_θ to recover f:
//     f ≈ f̃_h[f_θ] = Σ_{|τ| ≤ N+1} h^{|τ|−1} b(τ)/σ(τ) F_{f_θ}(τ),
// valid because the modified equation inverts the IMDE (b ⋆ e = Φ, c ⋆ Φ = e) and f_θ ≈ f_h.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/model_file.hpp"

namespace nimde::cli {

struct Comparison {
  double error_true = 0;            ///< Error(f_θ, f)
  std::vector<double> error_imde;   ///< Error(f_θ, f_h^[n]) for n = 0..order
  double error_corrected = -1;      ///< Error(f̃_h[f_θ], f) when a correction was asked for
  int correct_order = -1;
  std::size_t points = 0;           ///< test points used (a trajectory system's pairs, else test_points)
};

/// Evaluates on the model's test set: test_points points from its seed, or for a system whose
/// data are one trajectory (Lorenz) its training pairs, as the paper does.
Comparison compare_model(const nn::Model& model, int order, int correct_order, std::size_t test_points);

}  // namespace nimde::cli
