// `nimde train`: fit a network field to the exact flow through S steps of a method.
// Ctrl-C writes a checkpoint and exits; `--resume DIR` continues from it.
//
// Each flag sets one field of nn::TrainConfig; the library names a bad setting by its field
// (`steps 0: must be at least 1`) and this file re-words it with the flag (`--steps 0: ...`).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <string_view>
#include <utility>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "nn/trainer.hpp"

namespace nimde::experiments {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) { g_stop = true; }

/// Every field of nn::TrainConfig the command line sets, with its flag.
constexpr std::pair<std::string_view, std::string_view> kFlags[] = {
    {"system", "--system"},
    {"field", "--field"},
    {"params", "--param"},
    {"domain", "--domain"},
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
  // The enumerated settings by name, read with the library's tables.
  std::string activation{autodiff::activation_name(config.activation)}, init{nn::init_name(config.init)}, optimizer{nn::optimizer_name(config.optimizer)},
      schedule{nn::schedule_name(config.schedule)}, dtype{nn::dtype_name(config.dtype)};
};

nn::TrainResult start_or_resume(TrainOptions& o, nn::TrainProgress& progress) {
  try {
    if (!o.resume.empty()) return nn::resume_training(o.resume, progress, &g_stop);
    nn::TrainConfig& c = o.config;
    c.system = o.system.system;
    c.field = o.system.field;
    c.field_params = parse_params(o.system.params);
    if (!o.system.domain.empty()) c.domain = parse_domain(o.system.domain);
    try {
      c.activation = autodiff::parse_activation(o.activation);
    } catch (const std::invalid_argument&) {
      throw nn::SettingError("activation", o.activation, "use one of tanh, sigmoid, relu, elu, softplus, sin, identity");
    }
    c.init = nn::value_of(nn::kInitNames, o.init, "init");
    c.optimizer = nn::parse_optimizer(o.optimizer);
    c.schedule = nn::parse_schedule(o.schedule);
    c.dtype = nn::parse_dtype(o.dtype);
    return nn::train(c, progress, &g_stop);
  } catch (const nn::SettingError& e) {
    throw std::invalid_argument(flag(e.key) + " " + e.value + ": " + e.why);
  }
}

void run_train(TrainOptions& o) {
  const std::string out = o.resume.empty() ? o.config.out : o.resume;
  nn::LineProgress progress(std::cerr, isatty(2));  // a live line on a terminal, plain lines elsewhere
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const nn::TrainResult r = start_or_resume(o, progress);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::cout << (r.interrupted ? "interrupted" : "finished") << " after " << r.iterations << " iterations in "
            << r.seconds << " s; best train loss " << r.train_loss << ", test loss " << r.test_loss << "\n"
            << "model: " << out << "/model.json\n";
  if (r.interrupted) std::cout << "resume with: nimde train --resume " << out << "\n";
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
  add("method", c.method, "Integration method the network is trained through")->capture_default_str();
  add("steps", c.steps, "Unrolled steps S (h = T/S)")->capture_default_str();
  add("T", c.T, "Data step T (default: the system's, 0.04 pendulum)");
  add("points", c.points, "Training points (default 10000)");
  add("test_points", c.test_points, "Test points (default 2000)");
  add("width", c.width, "Hidden width")->capture_default_str();
  add("depth", c.depth, "Hidden layers")->capture_default_str();
  add("activation", o->activation, "tanh, sigmoid, relu, elu, softplus, sin")->capture_default_str();
  add("init", o->init, "Weight initialiser: " + nn::names_of(nn::kInitNames))->capture_default_str();
  add("optimizer", o->optimizer, "Optimiser: " + nn::names_of(nn::kOptimizerNames))->capture_default_str();
  add("schedule", o->schedule, "Learning-rate schedule: " + nn::names_of(nn::kScheduleNames))->capture_default_str();
  add("lr", c.lr, "Learning rate")->capture_default_str();
  add("lr_decay", c.lr_decay, "Geometric decay: lr reaches lr/decay at the last iteration")->capture_default_str();
  add("momentum", c.momentum, "SGD momentum")->capture_default_str();
  add("iterations", c.iterations, "Iterations")->capture_default_str();
  add("dtype", o->dtype, "Precision of the training: " + nn::names_of(nn::kDTypeNames))->capture_default_str();
  add("threads", c.threads, "OpenMP threads of this training, 1 to 256 (0: all cores)")->capture_default_str();
  add("seed", c.seed, "Seed of data, noise and initial weights")->capture_default_str();
  add("noise", c.noise, "Std of Gaussian noise on the targets")->capture_default_str();
  add("batch", c.batch, "Minibatch size for adam/sgd (0: full batch, the paper's)")->capture_default_str();
  add("checkpoint_every", c.checkpoint_every, "Checkpoint (and best-model) interval")->capture_default_str();
  add("log_every", c.log_every, "Progress and loss.csv interval")->capture_default_str();
  add("out", c.out, "Run directory (model.json, loss.csv, checkpoint.json, run.json)");
  cmd->add_option("--resume", o->resume, "Continue the stopped run in this directory");
  cmd->callback([o] { run_train(*o); });
}

}  // namespace nimde::experiments
