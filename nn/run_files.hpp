// The files of a run directory that a resumed training reads back: run.json (the settings)
// and checkpoint.json (where the run stopped). A hand may have edited either, and a crash
// or a bad disk may have damaged them, so each value is checked as it is read, against the
// ranges of nn/settings.hpp and the shapes of the run's own network; the errors are one line
// naming the file and the key.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/mlp.hpp"
#include "nn/trainer.hpp"

namespace nimde::nn {

/// The schema of run.json this version writes; a file without "version" is version 1.
inline constexpr int kRunFileVersion = 2;

/// The settings as run.json's "config" holds them (enums by name).
nlohmann::json to_json(const TrainConfig& c);
/// Reads to_json's form; a key that is missing keeps its default, so runs written before a
/// setting existed still read. Each value must have its type and fit the ranges of
/// nn/settings.hpp (a SettingError names the key); whether the settings make a run together
/// is resolve()'s to say.
TrainConfig config_from_json(const nlohmann::json& j);
/// The settings of run.json's text: its schema version at most kRunFileVersion, its "config".
TrainConfig run_config_from_text(const std::string& text);
/// run_config_from_text of the file at `path`; errors name the file.
TrainConfig load_run_config(const std::string& path);

/// Where a run stopped, as checkpoint.json holds it.
struct Checkpoint {
  long iteration = 0;                           ///< iterations done, from 0 to the run's iterations
  MlpParams params, best;                       ///< the current network and the best so far
  double best_loss = INFINITY;                  ///< of `best`; ∞ (null in the file) before the first choice
  long best_iteration = 0;                      ///< where `best` was taken (files of 0.1: `iteration`)
  double seconds = 0;                           ///< training time so far
  std::vector<std::array<double, 4>> history;   ///< iteration, train loss, test loss (∞: null), lr
  nlohmann::json optimizer;                     ///< the optimiser's state (its load_state reads it)
};

/// The checkpoint of the run `c` (a resolved configuration): iteration within [0,
/// c.iterations], every parameter tensor shaped as the run's network and finite, best_loss
/// finite or null, seconds ≥ 0, the history's iterations increasing up to `iteration`, and an
/// optimiser state that the run's optimiser accepts.
Checkpoint checkpoint_from_json(const nlohmann::json& j, const TrainConfig& c);
/// checkpoint_from_json of the file at `path`; errors name the file.
Checkpoint load_checkpoint(const std::string& path, const TrainConfig& c);

/// checkpoint.json's form of a checkpoint (non-finite losses as null).
nlohmann::json to_json(const Checkpoint& k);

}  // namespace nimde::nn
