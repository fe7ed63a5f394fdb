// Training a Neural ODE as the paper does: full-batch steps on the loss through S unrolled
// steps of a method, the model with the lowest training loss among checkpoints kept, and
// everything needed to stop and resume bitwise identically.
//
// A run directory holds: run.json (schema version, settings, versions, timings), model.json
// (the best model), loss.csv (iteration, train loss, test loss, learning rate),
// checkpoint.json (parameters, optimiser state, best model so far) — each written to a
// temporary name and renamed.
//
// A training is self-contained: its thread count applies to the thread that calls train()
// and is restored when it returns, and it reports only to the progress sink it is given, so
// several trainings can run at once, each on its own std::thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/mlp.hpp"
#include "nn/objective.hpp"
#include "nn/optimizer.hpp"
#include "nn/progress.hpp"
#include "nn/settings.hpp"

namespace nimde::nn {

/// Every setting of a run. Zero or empty means "the paper's default for the system".
struct TrainConfig {
  std::string system;                      ///< built-in system, or empty with `field`
  std::string field;                       ///< user expression field
  std::map<std::string, double> field_params;
  std::vector<std::pair<double, double>> domain;  ///< sampling box [lo, hi] per component, for a user field
  bool canonical = false;                  ///< a user field in canonical coordinates (p, q)
  ModelKind model = ModelKind::node;       ///< a Neural ODE, or a Hamiltonian network (canonical systems)
  std::string method = "euler";            ///< a name ode::method knows
  int steps = 1;                           ///< S
  double T = 0;                            ///< data step (0: the system's)
  std::size_t points = 0, test_points = 0; ///< 0: the system's (10,000 and 2,000)
  std::size_t width = 128, depth = 2;
  autodiff::Activation activation = autodiff::Activation::tanh;  ///< of the hidden layers
  Init init = Init::orthogonal;
  OptimizerKind optimizer = OptimizerKind::adam;
  Schedule::Kind schedule = Schedule::Kind::geometric;
  double lr = 0.01, lr_decay = 1000, momentum = 0.9;
  long iterations = 10000;
  DType dtype = DType::f32;
  Backprop backprop = Backprop::taped;     ///< recompute: memory for S states instead of S steps' tapes
  int threads = 0;                         ///< 1..256 for this training; 0: the calling thread's (all cores by default)
  std::uint64_t seed = 0;
  long checkpoint_every = 1000;            ///< also the interval at which the best model is chosen
  long log_every = 100;
  double noise = 0;                        ///< std of Gaussian noise on the targets
  std::size_t batch = 0;                   ///< minibatch size (Adam, SGD); 0: full batch
  std::string out;                         ///< run directory
};


/// Fills the defaults from the system's paper setup and validates every setting; a bad one
/// throws a SettingError naming its field (`steps`, `T`, `optimizer`, …) and value.
TrainConfig resolve(TrainConfig c);

struct TrainResult {
  long iterations = 0;        ///< iterations done in total
  double train_loss = 0;      ///< of the kept (best) model, in double, as `evaluate` gives it
  double test_loss = 0;
  double seconds = 0;
  bool interrupted = false;   ///< stopped by `stop` or `stop_after`; a checkpoint was written
};

/// Trains the run `c` describes from the start, into the directory c.out, which must not hold
/// a run already. `stop` is polled each iteration: when it becomes true a checkpoint is written
/// and training returns; `stop_after` ≥ 0 does the same after that many iterations of this call.
/// Training and resuming hold the directory's lock (nn/directory_lock.hpp) while they write
/// there: a second writer is refused with a message naming the holder.
TrainResult train(const TrainConfig& c, TrainProgress& progress, const std::atomic<bool>* stop = nullptr,
                  long stop_after = -1);
/// Continues the run in `dir` from its checkpoint (from the start if it was stopped before its
/// first one), with the settings its run.json holds.
TrainResult resume_training(const std::string& dir, TrainProgress& progress, const std::atomic<bool>* stop = nullptr,
                            long stop_after = -1);

/// Removes the run in `dir` (its run.json, checkpoint, model and loss history), under its lock.
void discard_run(const std::string& dir);

}  // namespace nimde::nn
