#include "nn/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "autodiff/parallel.hpp"
#include "nn/atomic_file.hpp"
#include "nn/dataset.hpp"
#include "nn/directory_lock.hpp"
#include "nn/model_file.hpp"
#include "nn/objective.hpp"
#include "nn/optimizer.hpp"
#include "nn/run_files.hpp"
#include "ode/checked_input.hpp"
#include "ode/systems.hpp"

namespace nimde::nn {

using ode::require;

using nlohmann::json;

namespace {

ode::System make_system(const TrainConfig& c) {
  if (!c.system.empty()) return ode::system(c.system);
  return ode::expression_system(c.field, c.field_params, c.domain, c.canonical);
}

/// Targets that overflow (a field that blows up within T) would show as an infinite loss at
/// iteration 0; say what is wrong instead, and where.
void require_finite(const Dataset& d, const std::string& which) {
  for (std::size_t i = 0; i < d.y.shape()[0]; ++i)
    for (std::size_t k = 0; k < d.y.shape()[1]; ++k)
      if (!std::isfinite(d.y(i, k)) || !std::isfinite(d.x(i, k))) {
        std::ostringstream x;
        x.precision(6);
        for (std::size_t j = 0; j < d.x.shape()[1]; ++j) x << (j ? ", " : "") << d.x(i, j);
        throw std::invalid_argument("the " + which + " data are not finite: the exact flow over T = " +
                                    ode::shown(d.T) + " from point " + std::to_string(i) + " (" + x.str() +
                                    ") leaves the range of doubles; choose a smaller T or domain");
      }
}

/// `value` is one of the table's (an enum set from a number can be anything).
template <class E, std::size_t N>
void require_named(const NameTable<E, N>& table, E value, const std::string& field) {
  for (const Named<E>& n : table)
    if (n.value == value) return;
  require(false, field, static_cast<int>(value), "use one of " + names_of(table));
}

}  // namespace

TrainConfig resolve(TrainConfig c) {
  if (c.system.empty() == c.field.empty())
    throw SettingError("system/field", "", c.system.empty() ? "give one of them" : "give one of them, not both");
  if (!c.field.empty() && c.domain.empty()) throw SettingError("domain", "", "a user field needs a sampling domain");
  if (!c.system.empty() && !(c.domain.empty() && c.field_params.empty() && !c.canonical))
    throw SettingError(!c.domain.empty() ? "domain" : !c.field_params.empty() ? "params" : "canonical", "",
                       "applies only to a user field, not to " + c.system);
  const ode::System sys = make_system(c);  // throws naming an unknown system or a bad expression
  require_named(kModelKindNames, c.model, "model");
  if (c.model == ModelKind::hnn)
    require(sys.canonical, "model", "hnn",
            "needs a system in canonical coordinates (p, q): pendulum, harmonic, kepler, duffing, or a --field with "
            "--canonical; " + (c.system.empty() ? "this field" : c.system) + " is not");
  check_model_kind(c.model, sys.dim(), c.activation);
  const DataSetup setup = data_setup(sys);
  if (c.T == 0) c.T = setup.T;
  if (c.points == 0) c.points = setup.train_points;
  if (c.test_points == 0) c.test_points = setup.test_points;
  ode::method(c.method);               // throws naming an unknown method
  require_named(kInitNames, c.init, "init");
  require_named(kOptimizerNames, c.optimizer, "optimizer");
  require_named(kScheduleNames, c.schedule, "schedule");
  require_named(kDTypeNames, c.dtype, "dtype");
  require_named(kBackpropNames, c.backprop, "backprop");
  require(c.T > 0 && std::isfinite(c.T), "T", c.T, "must be positive");
  ode::require_range<std::int64_t>("steps", c.steps, 1, kMaxSteps);
  ode::require_range<std::int64_t>("points", std::int64_t(c.points), 1, kMaxPoints);
  ode::require_range<std::int64_t>("test_points", std::int64_t(c.test_points), 1, kMaxPoints);
  ode::require_range<std::int64_t>("width", std::int64_t(c.width), 1, kMaxWidth);
  ode::require_range<std::int64_t>("depth", std::int64_t(c.depth), 1, kMaxDepth);
  ode::require_range<std::int64_t>("iterations", c.iterations, 0, kMaxIterations);
  require(c.lr > 0 && std::isfinite(c.lr), "lr", c.lr, "must be positive");
  require(c.lr_decay > 0 && std::isfinite(c.lr_decay), "lr_decay", c.lr_decay, "must be positive");
  require(c.momentum >= 0 && c.momentum < 1, "momentum", c.momentum, "must be from 0 to below 1");
  require(c.threads >= 0 && c.threads <= kMaxThreads, "threads", c.threads,
          "must be from 1 to " + std::to_string(kMaxThreads) + ", or 0 for all cores");
  ode::require_range<std::int64_t>("checkpoint_every", c.checkpoint_every, 1, kMaxIterations);
  ode::require_range<std::int64_t>("log_every", c.log_every, 1, kMaxIterations);
  require(c.noise >= 0 && std::isfinite(c.noise), "noise", c.noise, "must not be negative");
  require(!c.out.empty(), "out", c.out, "a run directory is needed");
  require(c.batch <= c.points, "batch", c.batch, "exceeds the " + std::to_string(c.points) + " points");
  require(c.batch == 0 || c.optimizer != OptimizerKind::lbfgs, "batch", c.batch, "L-BFGS is full batch");
  return c;
}

namespace {

/// Parameter tensors as a flat list, in the order W₀, b₀, W₁, b₁, ….
std::vector<Tensor<double>*> parameter_list(MlpParams& p) {
  std::vector<Tensor<double>*> list;
  for (std::size_t l = 0; l < p.layers(); ++l) {
    list.push_back(&p.weights[l]);
    list.push_back(&p.biases[l]);
  }
  return list;
}

/// The rows of iteration k's minibatch: a partial Fisher–Yates shuffle seeded by (seed, k), so
/// a resumed run draws the same batches without keeping a generator's state.
std::vector<std::size_t> minibatch(const TrainConfig& c, long k) {
  std::vector<std::size_t> rows(c.points);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  std::uint64_t state = derive_seed(c.seed, 0x6d696e6962617463ull + static_cast<std::uint64_t>(k));
  for (std::size_t i = 0; i < c.batch; ++i) {
    state = derive_seed(state, i);
    std::swap(rows[i], rows[i + state % (rows.size() - i)]);
  }
  rows.resize(c.batch);
  return rows;
}

/// The training loop of a resolved configuration, from the start or (with `checkpoint`) from
/// a checkpoint of the same run.
TrainResult run_training(const TrainConfig& c, const Checkpoint* checkpoint, TrainProgress& progress,
                         const std::atomic<bool>* stop, long stop_after) {
  namespace fs = std::filesystem;
  const std::string& out = c.out;
  const autodiff::ThreadScope threads(c.threads);  // this training's count, on this thread only
  const autodiff::FlushSubnormals flush;  // after the count: it reaches the threads this training uses
  const ode::System sys = make_system(c);

  // Data from the seed (for trajectory systems the test set is the training set, as in the paper).
  const DataSplit data = make_split(sys, c.points, c.test_points, c.T, c.seed, c.noise);
  const Dataset& train_set = data.train;
  const Dataset& test_set = data.test;
  require_finite(train_set, "training");
  require_finite(test_set, "test");

  auto params = std::make_shared<MlpParams>(
      make_mlp(sys.dim(), c.width, c.depth, c.activation, c.init, c.seed, c.model));
  MlpParams best = *params;
  const ode::Method method = ode::method(c.method);
  MlpField net(params);
  const std::string dtype(dtype_name(c.dtype));
  auto objective = make_objective(net, method, c.steps, c.T, train_set.x, train_set.y, dtype, c.backprop);
  auto test_objective = make_objective(net, method, c.steps, c.T, test_set.x, test_set.y, dtype);

  OptimizerOptions options;
  if (c.optimizer != OptimizerKind::lbfgs) options.schedule = make_schedule(c.schedule, c.lr, c.iterations, c.lr_decay);
  options.sgd = {c.momentum, 0, false};
  options.lbfgs.max_iterations = 0;  // the loop below counts the iterations
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(c.optimizer, parameter_list(*params), options);
  const Closure loss_and_grad = [&](std::vector<Tensor<double>>& g) { return objective->loss_and_grad(g); };

  long start = 0, best_iteration = 0;
  double best_loss = INFINITY, seconds_before = 0;
  std::vector<std::array<double, 4>> history;  // iteration, loss, test loss, lr
  if (checkpoint) {  // read and checked against this run by load_checkpoint
    for (std::size_t l = 0; l < params->layers(); ++l) {  // in place: the optimiser holds these tensors
      std::copy(checkpoint->params.weights[l].begin(), checkpoint->params.weights[l].end(), params->weights[l].begin());
      std::copy(checkpoint->params.biases[l].begin(), checkpoint->params.biases[l].end(), params->biases[l].begin());
    }
    best = checkpoint->best;
    optimizer->load_state(checkpoint->optimizer);
    start = checkpoint->iteration;
    best_loss = checkpoint->best_loss;
    best_iteration = checkpoint->best_iteration;
    seconds_before = checkpoint->seconds;
    history = checkpoint->history;
  }

  // The losses model.json states are those `nimde eval` reproduces: of the kept weights, in
  // double, on the run's own data; recomputed only when the kept weights change (and once
  // after a resume, which gives the same numbers).
  struct BestLosses {
    double train = NAN, test = NAN;
  } best_cache;
  bool best_changed = true;
  auto best_losses = [&]() -> const BestLosses& {
    if (best_changed && std::isfinite(best_loss)) {
      MlpField kept(std::make_shared<MlpParams>(best));
      best_cache.train = make_objective(kept, method, c.steps, c.T, train_set.x, train_set.y, "f64")->loss();
      best_cache.test = make_objective(kept, method, c.steps, c.T, test_set.x, test_set.y, "f64")->loss();
      best_changed = false;
    }
    return best_cache;
  };

  json run{{"version", kRunFileVersion},
           {"config", to_json(c)},
           {"versions", {{"nimde", NIMDE_VERSION_STRING}, {"compiler", __VERSION__}}},
           {"threads", autodiff::num_threads()}};

  auto write_outputs = [&](long iteration, double seconds) {
    const Checkpoint ckpt{iteration, *params, best, best_loss, best_iteration, seconds, history, optimizer->state()};
    write_file_atomically((fs::path(out) / "checkpoint.json").string(), to_json(ckpt).dump() + "\n");
    std::ostringstream csv;
    csv << "iteration,train_loss,test_loss,lr\n" << std::setprecision(17);
    for (const auto& h : history) csv << long(h[0]) << "," << h[1] << "," << h[2] << "," << h[3] << "\n";
    write_file_atomically((fs::path(out) / "loss.csv").string(), csv.str());
    Model m;
    m.net = best;
    m.dtype = dtype;
    m.system = c.system.empty() ? "expression" : c.system;
    m.field = c.field;
    m.field_params = c.field_params;
    m.domain = c.domain;
    m.canonical = c.canonical;
    m.method = c.method;
    m.steps = c.steps;
    m.T = c.T;
    m.seed = c.seed;
    m.names = sys.field.names();
    // The metadata describe the weights in the file: the best checkpoint's, not the last iteration's.
    const BestLosses& losses = best_losses();
    m.training = {{"iterations", best_iteration}, {"iterations_run", iteration}, {"points", c.points},
                  {"test_points", c.test_points}, {"noise", c.noise}, {"optimizer", optimizer_name(c.optimizer)},
                  {"train_loss", std::isfinite(losses.train) ? json(losses.train) : json(nullptr)},
                  {"test_loss", std::isfinite(losses.test) ? json(losses.test) : json(nullptr)}};
    save_model(m, (fs::path(out) / "model.json").string());
    run["seconds"] = seconds;
    run["iterations_done"] = iteration;
    write_file_atomically((fs::path(out) / "run.json").string(), run.dump(1) + "\n");
  };

  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  long last_good = start;
  if (!checkpoint) {
    // run.json first: from now on the directory is a run that `resume` continues (from the
    // start, should no checkpoint follow) and a fresh training refuses to overwrite.
    run["seconds"] = 0;
    run["iterations_done"] = 0;
    write_file_atomically((fs::path(out) / "run.json").string(), run.dump(1) + "\n");
    write_outputs(0, 0);
  }

  TrainResult result;
  long it = start;
  for (; it < c.iterations; ++it) {
    if ((stop && stop->load()) || (stop_after >= 0 && it - start >= stop_after)) {
      result.interrupted = true;
      break;
    }
    if (c.batch > 0 && c.batch < c.points) objective->select_rows(minibatch(c, it));
    const double lr = optimizer->learning_rate();
    const IterateResult step = optimizer->iterate(loss_and_grad);
    const double loss = step.loss;
    if (!std::isfinite(loss))
      throw std::runtime_error("training stopped: the loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") +
                               " at iteration " + std::to_string(it) + "; the last good checkpoint (iteration " +
                               std::to_string(last_good) + ") is kept in " + out);
    if (step.stop != StopReason::none) {  // converged, or no further progress possible
      progress.message(std::string(optimizer->name()) + " stopped at iteration " + std::to_string(it) + ": " +
                       std::string(stop_reason_name(step.stop)));
      break;
    }
    const long done = it + 1;
    const bool at_checkpoint = done % c.checkpoint_every == 0 || done == c.iterations;
    if (done % c.log_every == 0 || at_checkpoint) {
      const double test = test_objective->loss();
      history.push_back({double(done), loss, test, lr});
      const double rate = double(done - start) / elapsed();
      progress.report({done, c.iterations, loss, test, lr, rate, rate > 0 ? double(c.iterations - done) / rate : 0});
    }
    if (at_checkpoint) {
      // The paper keeps the checkpoint with the lowest training loss.
      if (c.batch > 0) objective->select_rows({});  // the best model is judged on all the data
      const double current = objective->loss();
      if (current < best_loss) {
        best_loss = current;
        best_iteration = done;
        best_changed = true;
        best = *params;
      }
      write_outputs(done, seconds_before + elapsed());
      last_good = done;
    }
  }
  progress.finish();
  if (last_good != it || it == start) {  // stopped between checkpoints: make the stop point one
    // An interruption must not change which model is kept, or a resumed run would differ.
    if (c.batch > 0) objective->select_rows({});
    const double current = result.interrupted ? INFINITY : objective->loss();
    if (current < best_loss) {
      best_loss = current;
      best_iteration = it;
      best_changed = true;
      best = *params;
    }
    write_outputs(it, seconds_before + elapsed());
  }
  result.iterations = it;
  result.train_loss = best_losses().train;
  result.test_loss = best_losses().test;
  result.seconds = seconds_before + elapsed();
  return result;
}

}  // namespace

TrainResult train(const TrainConfig& config, TrainProgress& progress, const std::atomic<bool>* stop, long stop_after) {
  const TrainConfig c = resolve(config);
  const DirectoryLock lock(c.out);
  if (std::filesystem::exists(std::filesystem::path(c.out) / "run.json"))
    throw std::invalid_argument(c.out + " already holds a run: continue it with resume, or discard it first");
  remove_stale_temporaries(c.out);
  return run_training(c, nullptr, progress, stop, stop_after);
}

void discard_run(const std::string& dir) {
  const DirectoryLock lock(dir);
  for (const char* name : {"run.json", "checkpoint.json", "model.json", "loss.csv"})
    std::filesystem::remove(std::filesystem::path(dir) / name);
  remove_stale_temporaries(dir);
}

TrainResult resume_training(const std::string& dir, TrainProgress& progress, const std::atomic<bool>* stop,
                            long stop_after) {
  namespace fs = std::filesystem;
  const std::string run_file = (fs::path(dir) / "run.json").string();
  const std::string checkpoint_file = (fs::path(dir) / "checkpoint.json").string();
  if (!fs::exists(run_file)) throw std::invalid_argument("cannot resume " + dir + ": no run.json there");
  const DirectoryLock lock(dir);
  remove_stale_temporaries(dir);
  TrainConfig c;
  try {
    c = load_run_config(run_file);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cannot resume " + dir + ": " + e.what());
  }
  c.out = dir;
  try {
    c = resolve(c);  // fills what an older run.json leaves out, checks what a hand may have changed
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cannot resume " + dir + ": run.json has " + e.what());
  }
  // Killed before its first checkpoint: the run starts again from its settings, which give the
  // same result as the uninterrupted start.
  if (!fs::exists(checkpoint_file)) return run_training(c, nullptr, progress, stop, stop_after);
  Checkpoint checkpoint;
  try {
    checkpoint = load_checkpoint(checkpoint_file, c);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cannot resume " + dir + ": " + e.what());
  }
  return run_training(c, &checkpoint, progress, stop, stop_after);
}

}  // namespace nimde::nn
