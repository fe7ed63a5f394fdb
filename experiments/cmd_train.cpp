// `nimde train`: fit a network field to the exact flow through S steps of a method.
// Ctrl-C writes a checkpoint and exits with 130; `--resume DIR` continues from it.
//
// Each flag sets one field of nn::TrainConfig; the library names a bad setting by its field
// (`steps 0: must be at least 1`) and this file re-words it with the flag (`--steps 0: ...`).
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <utility>

#include "experiments/commands.hpp"
#include "experiments/stop_signals.hpp"
#include "experiments/options.hpp"
#include "nn/trainer.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {
namespace {

/// Every field of nn::TrainConfig the command line sets, with its flag.
constexpr std::pair<std::string_view, std::string_view> kFlags[] = {
    {"system", "--system"},
    {"field", "--field"},
    {"params", "--param"},
    {"domain", "--domain"},
    {"canonical", "--canonical"},
    {"model", "--model"},
    {"method", "--method"},
    {"steps", "--steps"},
    {"T", "--T"},
    {"points", "--points"},
    {"test_points", "--test-points"},
    {"width", "--width"},
    {"depth", "--depth"},
    {"activation", "--activation"},
    {"init", "--init"},
    {"optimizer", "--optimizer"},
    {"schedule", "--schedule"},
    {"lr", "--lr"},
    {"lr_decay", "--lr-decay"},
    {"momentum", "--momentum"},
    {"iterations", "--iters"},
    {"dtype", "--dtype"},
    {"backprop", "--backprop"},
    {"threads", "--threads"},
    {"seed", "--seed"},
    {"noise", "--noise"},
    {"batch", "--batch"},
    {"checkpoint_every", "--checkpoint-every"},
    {"log_every", "--log-every"},
    {"out", "--out"},
};

/// The flag of a field; fields joined by '/' ("system/field") give their flags joined by '/'.
std::string flag(std::string_view field) {
  std::string flags;
  while (true) {
    const std::size_t slash = field.find('/');
    const std::string_view one = field.substr(0, slash);
    std::string name(one);
    for (const auto& [f, fl] : kFlags)
      if (f == one) name = fl;
    flags += name;
    if (slash == std::string_view::npos) return flags;
    flags += "/";
    field.remove_prefix(slash + 1);
  }
}

struct TrainOptions {
  nn::TrainConfig config;
  SystemOptions system;
  std::string resume;
  bool force = false;
  // Counts are read signed, so that "-1" is refused rather than wrapped around to 2^64 - 1.
  long long steps = 1, points = 0, test_points = 0, width = 128, depth = 2, batch = 0;
  CLI::App* command = nullptr;
  // The enumerated settings by name, read with the library's tables.
  std::string activation{autodiff::activation_name(config.activation)}, init{nn::init_name(config.init)}, optimizer{nn::optimizer_name(config.optimizer)},
      schedule{nn::schedule_name(config.schedule)}, dtype{nn::dtype_name(config.dtype)},
      backprop{nn::name_of(nn::kBackpropNames, config.backprop)}, model{nn::name_of(nn::kModelKindNames, config.model)};
};

/// Options given with --resume: the run continues with its own settings, so any other is refused.
void refuse_options_with_resume(const TrainOptions& o) {
  for (const CLI::Option* opt : o.command->get_options())
    if (opt->count() > 0 && opt->get_name() != "--resume" && opt->get_name() != "--help")
      throw std::invalid_argument(opt->get_name() + " cannot be given with --resume: a run continues with the settings in its run.json");
}

/// A count option: 0 and negative values are refused when `given` (0 stands for the default
/// only when the option is absent), and the library checks the upper bound.
std::size_t count_option(std::string_view field, long long value, const CLI::App* cmd, long long least = 1) {
  const bool given = cmd->get_option(flag(field))->count() > 0;
  if (given) ode::require(value >= least, field, value, "must be at least " + std::to_string(least));
  return static_cast<std::size_t>(value);
}

nn::TrainResult start_or_resume(TrainOptions& o, nn::TrainProgress& progress, const std::atomic<bool>* stop) {
  try {
    if (!o.resume.empty()) {
      refuse_options_with_resume(o);
      return nn::resume_training(o.resume, progress, stop);
    }
    nn::TrainConfig& c = o.config;
    if (o.command->get_option("--T")->count() > 0) ode::require(c.T > 0, "T", c.T, "must be positive");
    ode::require_range<long long>("steps", o.steps, 1, nn::kMaxSteps);
    c.steps = static_cast<int>(o.steps);
    c.points = count_option("points", o.points, o.command);
    c.test_points = count_option("test_points", o.test_points, o.command);
    c.width = count_option("width", o.width, o.command);
    c.depth = count_option("depth", o.depth, o.command);
    c.batch = count_option("batch", o.batch, o.command, 0);
    c.system = o.system.system;
    c.field = o.system.field;
    c.field_params = parse_params(o.system.params);
    if (!o.system.domain.empty()) c.domain = parse_domain(o.system.domain);
    c.canonical = o.system.canonical;
    c.model = nn::value_of(nn::kModelKindNames, o.model, "model");
    try {
      c.activation = autodiff::parse_activation(o.activation);
    } catch (const std::invalid_argument&) {
      throw nn::SettingError("activation", o.activation, "use one of tanh, sigmoid, relu, elu, softplus, sin, identity");
    }
    c.init = nn::value_of(nn::kInitNames, o.init, "init");
    c.optimizer = nn::parse_optimizer(o.optimizer);
    c.schedule = nn::parse_schedule(o.schedule);
    c.dtype = nn::parse_dtype(o.dtype);
    c.backprop = nn::value_of(nn::kBackpropNames, o.backprop, "backprop");
    if (o.force && !c.out.empty()) nn::discard_run(c.out);
    if (!c.out.empty() && std::filesystem::exists(std::filesystem::path(c.out) / "run.json"))
      throw std::invalid_argument("--out " + c.out + " already holds a run: continue it with --resume " + c.out +
                                  ", or replace it with --force");
    return nn::train(c, progress, stop);
  } catch (const nn::SettingError& e) {
    throw std::invalid_argument(flag(e.key) + (e.value.empty() ? "" : " " + e.value) + ": " + e.why);
  }
}

void run_train(TrainOptions& o) {
  const std::string out = o.resume.empty() ? o.config.out : o.resume;
  nn::LineProgress progress(std::cerr, isatty(2));  // a live line on a terminal, plain lines elsewhere
  const StopOnSignals signals;
  const nn::TrainResult r = start_or_resume(o, progress, signals.requested());
  std::cout << (r.interrupted ? "interrupted" : "finished") << " after " << r.iterations << " iterations in "
            << r.seconds << " s; best train loss " << r.train_loss << ", test loss " << r.test_loss << "\n"
            << "model: " << out << "/model.json\n";
  if (r.interrupted) {
    std::cout << "resume with: nimde train --resume " << out << "\n";
    throw ExitStatus{128 + signals.signal()};
  }
}

}  // namespace

void add_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  nn::TrainConfig& c = o->config;
  auto* cmd = app.add_subcommand("train", "Train a Neural ODE through S steps of a method (the paper's setup by default)");
  auto add = [cmd](std::string_view field, auto& value, const std::string& description) {
    return cmd->add_option(flag(field), value, description);
  };
  add_system_options(cmd, o->system, true);
  add("model", o->model,
      "node (the network is the field) or hnn (a Hamiltonian network: the network is H, the field J^-1 grad H; "
      "canonical systems only)")
      ->capture_default_str();
  add("method", c.method, "Integration method the network is trained through")->capture_default_str();
  add("steps", o->steps, "Unrolled steps S (h = T/S)")->capture_default_str();
  add("T", c.T, "Data step T (default: the system's, 0.04 pendulum)");
  add("points", o->points, "Training points (default 10000)");
  add("test_points", o->test_points, "Test points (default 2000)");
  add("width", o->width, "Hidden width")->capture_default_str();
  add("depth", o->depth, "Hidden layers")->capture_default_str();
  add("activation", o->activation, "tanh, sigmoid, relu, elu, softplus, sin")->capture_default_str();
  add("init", o->init, "Weight initialiser: " + nn::names_of(nn::kInitNames))->capture_default_str();
  add("optimizer", o->optimizer, "Optimiser: " + nn::names_of(nn::kOptimizerNames))->capture_default_str();
  add("schedule", o->schedule, "Learning-rate schedule: " + nn::names_of(nn::kScheduleNames))->capture_default_str();
  add("lr", c.lr, "Learning rate")->capture_default_str();
  add("lr_decay", c.lr_decay, "Geometric decay: lr reaches lr/decay at the last iteration")->capture_default_str();
  add("momentum", c.momentum, "SGD momentum")->capture_default_str();
  add("iterations", c.iterations, "Iterations")->capture_default_str();
  add("dtype", o->dtype, "Precision of the training: " + nn::names_of(nn::kDTypeNames))->capture_default_str();
  add("backprop", o->backprop,
      "Through the S steps: taped (one tape), or recompute (keep each step's input only and re-record "
      "the steps in backward: memory for S states, one more forward pass, same bits)")
      ->capture_default_str();
  add("threads", c.threads, "OpenMP threads of this training, 1 to 256 (0: all cores)")->capture_default_str();
  add("seed", c.seed, "Seed of data, noise and initial weights")->capture_default_str();
  add("noise", c.noise, "Std of Gaussian noise on the targets")->capture_default_str();
  add("batch", o->batch, "Minibatch size for adam/sgd (0: full batch, the paper's)")->capture_default_str();
  add("checkpoint_every", c.checkpoint_every, "Checkpoint (and best-model) interval")->capture_default_str();
  add("log_every", c.log_every, "Progress and loss.csv interval")->capture_default_str();
  add("out", c.out, "Run directory (model.json, loss.csv, checkpoint.json, run.json)");
  cmd->add_option("--resume", o->resume, "Continue the stopped run in this directory (with its own settings)");
  cmd->add_flag("--force", o->force, "Replace a run already in --out (otherwise refused)");
  o->command = cmd;
  cmd->callback([o] { run_train(*o); });
}

}  // namespace nimde::experiments
