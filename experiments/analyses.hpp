// What the reproduction measures of one trained model. Each analysis is computed once, after
// training, and kept in the run's metrics.json under its key, so the report only reads.
//
//   errors      Error(f_θ, f_h^[N]) and Error(f_h^[N], f) for N = 0..4 (f_h^[0] = f), on the test set
//   correction  Error(f̃_h^[N][f_θ], f) for N = 1..3: f_θ corrected by the modified equation
//   certify     training loss and the loss of f_θ integrated accurately (rk4, 100 substeps)
//   trajectory  from the system's y0 to t_end: f, f_h^[3] and f_θ, each by rk4 with step 0.001,
//               every 0.01 (and the energy along each, for a system with one)
//   rollout     f_θ's accurate flow to t = 1000 from four starts: the energy error over time
//               (and a Hamiltonian network's error in its own H_θ)
//   divergence  mean |div f_θ| and mean |div f_h^[4]| over the test points (central differences)
//   hamiltonian a Hamiltonian network's H_θ against the true H and the inverse modified
//               Hamiltonian H_h^[3] of its method on the test points, each after removing the
//               best constant (an H is defined up to one); and a sample of the three
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "nn/model_file.hpp"

namespace nimde::experiments {

/// The key under which an analysis is kept: "errors", "correction", "certify", "trajectory_<t>",
/// "rollout", "divergence", "hamiltonian".
std::string analysis_key(const std::string& analysis, double t_end = 0);

/// Computes the analysis named by `key` of the model (see the list above).
nlohmann::json analyse(const nn::Model& model, const std::string& key);

/// The least-squares slope of log y against log x (both positive).
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace nimde::experiments
