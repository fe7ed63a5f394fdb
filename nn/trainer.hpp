// Training a Neural ODE as the paper does: full-batch steps on the loss through S unrolled
// steps of a method, the model with the lowest training loss among checkpoints kept, and
// everything needed to stop and resume bitwise identically.
//
// A run directory holds: run.json (settings, versions, timings), model.json (the best model),
// loss.csv (iteration, train loss, test loss, learning rate), checkpoint.json (parameters,
// optimiser state, best model so far) — each written to a temporary name and renamed.
#pragma once

#include <atomic>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nimde::nn {

/// Every setting of a run. Zero or empty means "the paper's default for the system".
struct TrainConfig {
  std::string system;                      ///< built-in system, or empty with `field`
  std::string field;                       ///< user expression field
  std::map<std::string, double> field_params;
  std::vector<std::pair<double, double>> domain;  ///< sampling box [lo, hi] per component, for a user field
  std::string method = "euler";
  int steps = 1;                           ///< S
  double T = 0;                            ///< data step (0: the system's)
  std::size_t points = 0, test_points = 0; ///< 0: the system's (10,000 and 2,000)
  std::size_t width = 128, depth = 2;
  std::string activation = "tanh", init = "orthogonal";
  std::string optimizer = "adam";          ///< adam, lbfgs, sgd
  std::string schedule = "geometric";      ///< geometric, constant, cosine
  double lr = 0.01, lr_decay = 1000, momentum = 0.9;
  long iterations = 10000;
  std::string dtype = "f32";
  int threads = 0;                         ///< 0: all cores
  std::uint64_t seed = 0;
  long checkpoint_every = 1000;            ///< also the interval at which the best model is chosen
  long log_every = 100;
  double noise = 0;                        ///< std of Gaussian noise on the targets
  std::size_t batch = 0;                   ///< minibatch size (Adam, SGD); 0: full batch
  std::string out;                         ///< run directory
};

nlohmann::json to_json(const TrainConfig& c);
TrainConfig config_from_json(const nlohmann::json& j);
/// Fills the defaults from the system's paper setup and validates every setting, naming a bad one.
TrainConfig resolve(TrainConfig c);

struct TrainResult {
  long iterations = 0;        ///< iterations done in total
  double train_loss = 0;      ///< of the kept (best) model
  double test_loss = 0;
  double seconds = 0;
  bool interrupted = false;   ///< stopped by a signal; a checkpoint was written
};

/// Trains (or, with `resume`, continues the run in c.out). `stop` is polled each iteration:
/// when it becomes true a checkpoint is written and training returns; `stop_after` ≥ 0 does
/// the same after that many iterations of this call. Progress goes to `log`: one live line
/// on a terminal, plain lines otherwise.
TrainResult train(TrainConfig c, bool resume, std::ostream& log, const std::atomic<bool>* stop = nullptr,
                  long stop_after = -1);

}  // namespace nimde::nn
