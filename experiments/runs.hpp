// One training run of a reproduction: a system, a method, the data step T and S unrolled steps,
// a seed and the training settings. A run's id is derived from all of these, so two experiments
// that need the same model share one run directory.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "nn/trainer.hpp"

namespace nimde::experiments {

/// How a network is trained (the paper's values are those of the `paper` preset).
struct TrainingSettings {
  std::size_t points = 10000, test_points = 2000;
  std::size_t width = 128;
  std::string optimizer = "adam";
  std::string dtype = "f32";
  long iterations = 300000;
  double lr = 0.01, lr_decay = 1000;
  long checkpoint_every = 1000;
};

struct RunSpec {
  std::string system;
  std::string method;
  nn::ModelKind model = nn::ModelKind::node;  ///< a Neural ODE or a Hamiltonian network
  double T = 0.04;
  int steps = 1;  ///< S
  std::uint64_t seed = 0;
  TrainingSettings training;

  double h() const { return T / steps; }
};

/// A run with the system's own data set size where its data are one trajectory (Lorenz: 250
/// pairs, test = train), so that settings that cannot matter do not split a run in two.
RunSpec make_run(std::string system, std::string method, double T, int steps, std::uint64_t seed,
                 TrainingSettings training, nn::ModelKind model = nn::ModelKind::node);

/// A readable, unique name: "<system>[-hnn]_<method>_T<T>_S<S>_seed<seed>_<8 hex digits of a
/// hash of every setting>".
std::string run_id(const RunSpec& run);

/// Relative cost of training the run (field evaluations per iteration × points × iterations ×
/// width²), for scheduling the longest first.
double expected_cost(const RunSpec& run);

/// The trainer's configuration for the run, writing into `dir` with `threads` threads.
nn::TrainConfig train_config(const RunSpec& run, const std::string& dir, int threads);

nlohmann::json to_json(const RunSpec& run);

}  // namespace nimde::experiments
