#include "experiments/runs.hpp"

#include <cstdio>

#include "nn/dataset.hpp"
#include "ode/method.hpp"
#include "ode/systems.hpp"

namespace nimde::experiments {

nlohmann::json to_json(const RunSpec& run) {
  const TrainingSettings& t = run.training;
  nlohmann::json j{{"system", run.system},
                   {"method", run.method},
                   {"T", run.T},
                   {"steps", run.steps},
                   {"seed", run.seed},
                   {"points", t.points},
                   {"test_points", t.test_points},
                   {"width", t.width},
                   {"optimizer", t.optimizer},
                   {"dtype", t.dtype},
                   {"iterations", t.iterations},
                   {"lr", t.lr},
                   {"lr_decay", t.lr_decay},
                   {"checkpoint_every", t.checkpoint_every}};
  // Only when it is not a Neural ODE, so that the runs (and ids) of Neural ODEs stay as they were.
  if (run.model != nn::ModelKind::node) j["model"] = nn::name_of(nn::kModelKindNames, run.model);
  return j;
}

RunSpec make_run(std::string system, std::string method, double T, int steps, std::uint64_t seed,
                 TrainingSettings training, nn::ModelKind model) {
  const nn::DataSetup setup = nn::data_setup(ode::system(system));
  if (setup.trajectory) {
    training.points = setup.train_points;
    training.test_points = setup.test_points;
  }
  return RunSpec{std::move(system), std::move(method), model, T, steps, seed, training};
}

std::string run_id(const RunSpec& run) {
  // FNV-1a over the settings' JSON text (keys sorted, doubles written to round-trip), so the id
  // changes whenever any setting does and is the same on every machine.
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : to_json(run).dump()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  char buffer[160];
  const char* kind = run.model == nn::ModelKind::hnn ? "-hnn" : "";
  std::snprintf(buffer, sizeof buffer, "%s%s_%s_T%g_S%d_seed%llu_%08llx", run.system.c_str(), kind, run.method.c_str(),
                run.T, run.steps, static_cast<unsigned long long>(run.seed), static_cast<unsigned long long>(hash >> 32));
  return buffer;
}

double expected_cost(const RunSpec& run) {
  const ode::Method m = ode::method(run.method);
  // An implicit method iterates its stages a fixed number of times on the tape.
  const double stages = m.is_partitioned() ? 2.0
                        : m.tableau().is_explicit()
                            ? double(m.tableau().stages())
                            : double(m.tableau().stages()) * (m.iteration.taped_iterations + 1);
  const double points = double(run.training.points);
  const double width = double(run.training.width);
  // A Hamiltonian network's field is a forward and a recorded backward pass of the same GEMMs,
  // and the loss's gradient runs backward through both: twice a Neural ODE's work (measured:
  // train_step/pendulum-hnn/euler/S1 takes what pendulum/euler/S2 does).
  const double kind = run.model == nn::ModelKind::hnn ? 2.0 : 1.0;
  return kind * stages * run.steps * points * double(run.training.iterations) * (width * width + 16 * width);
}

nn::TrainConfig train_config(const RunSpec& run, const std::string& dir, int threads) {
  nn::TrainConfig c;
  c.system = run.system;
  c.method = run.method;
  c.model = run.model;
  c.steps = run.steps;
  c.T = run.T;
  c.points = run.training.points;
  c.test_points = run.training.test_points;
  c.width = run.training.width;
  c.optimizer = nn::parse_optimizer(run.training.optimizer);
  c.dtype = nn::parse_dtype(run.training.dtype);
  c.iterations = run.training.iterations;
  c.lr = run.training.lr;
  c.lr_decay = run.training.lr_decay;
  c.checkpoint_every = run.training.checkpoint_every;
  c.log_every = run.training.checkpoint_every;
  c.seed = run.seed;
  c.threads = threads;
  c.out = dir;
  return c;
}

}  // namespace nimde::experiments
