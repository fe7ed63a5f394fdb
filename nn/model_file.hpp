// Model files: a trained network and how it was trained, as JSON other tools can read.
//
// {"format": "nimde-model", "version": 1, "kind": "node"|"hnn", "dim": d, "dtype": "f32"|"f64", "system": ...,
//  "method": ..., "steps": S, "T": T, "seed": ..., "names": [...],
//  "layers": [{"weight": [[...], ...], "bias": [...], "activation": "tanh"}, ...,
//             {"weight": ..., "bias": ..., "activation": "identity"}],
//  "training": {"iterations": ..., "optimizer": ..., "train_loss": ..., "test_loss": ...}}
// Each layer computes activation(weight · x + bias), weight of shape out × in. Numbers are
// written with 17 significant digits, so every double (and every float) reads back exactly.
// A user field adds "field" (its text), "params", "domain" and "canonical". "kind" is "node"
// (the network is the field; the default when absent) or "hnn" (a Hamiltonian network: the
// last layer has one output, H, and the field is J⁻¹∇H on canonical coordinates).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/atomic_file.hpp"
#include "nn/mlp.hpp"
#include "ode/systems.hpp"

namespace nimde::nn {

struct Model {
  MlpParams net;
  std::string dtype = "f64";
  std::string system;              ///< built-in system name, or "expression"
  std::string field;               ///< the expression of a user field (system == "expression")
  std::map<std::string, double> field_params;
  std::vector<std::pair<double, double>> domain;  ///< a user field's sampling box
  bool canonical = false;          ///< a user field in canonical coordinates (p, q)
  std::string method;
  int steps = 1;
  double T = 0;
  std::uint64_t seed = 0;
  std::vector<std::string> names;  ///< component names
  nlohmann::json training = nlohmann::json::object();

  std::size_t dim() const { return names.size(); }
  double h() const { return T / steps; }
  /// The system the model was trained on (built-in, or rebuilt from the expression).
  ode::System true_system() const;
  /// The trained network as a system named `name`: its field (f_θ, or J⁻¹∇H_θ), the true
  /// system's variables and domain, and as invariants H_θ (a Hamiltonian network) followed by
  /// the true system's, to watch along the learned flow.
  ode::System learned_system(const std::string& name) const;
};

nlohmann::json to_json(const Model& m);
/// Validates format, version, shapes and finiteness; errors name the offending key.
Model model_from_json(const nlohmann::json& j);

/// Written atomically (nn/atomic_file.hpp): a reader never sees half a file.
void save_model(const Model& m, const std::string& path);
Model load_model(const std::string& path);

}  // namespace nimde::nn
