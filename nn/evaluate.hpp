// What a trained model learned, measured as the paper does.
#pragma once

#include <cstdint>

#include "nn/model_file.hpp"

namespace nimde::nn {

struct Evaluation {
  double train_loss = 0;          ///< through the training method and S, on the training set
  double test_loss = 0;           ///< the same on the test set
  double field_error = 0;         ///< Error(f_θ, f) on the test points
  double accurate_test_loss = 0;  ///< test loss when f_θ is integrated accurately (rk4, 100 substeps)
  /// The accurate loss exceeds 10× the training loss: the network fits its solver, not an ODE.
  bool fits_solver_not_ode = false;
};

/// Regenerates the model's training set from its seed and a test set of `test_points` points
/// from `test_seed` (the model's own test set when test_seed is the model's seed), and evaluates.
Evaluation evaluate(const Model& model, std::size_t test_points, std::uint64_t test_seed);

}  // namespace nimde::nn
