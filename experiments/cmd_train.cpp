// `nimde train`: fit a network field to the exact flow through S steps of a method.
// Ctrl-C writes a checkpoint and exits; `--resume DIR` continues from it.
#include <atomic>
#include <csignal>
#include <iostream>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "nn/trainer.hpp"

namespace nimde::experiments {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) { g_stop = true; }

struct TrainOptions {
  nn::TrainConfig config;
  SystemOptions system;
  std::string resume;
};

void run_train(TrainOptions& o) {
  o.config.system = o.system.system;
  o.config.field = o.system.field;
  o.config.field_params = parse_params(o.system.params);
  if (!o.system.domain.empty()) o.config.domain = parse_domain(o.system.domain);
  const bool resume = !o.resume.empty();
  if (resume) o.config.out = o.resume;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const nn::TrainResult r = nn::train(o.config, resume, std::cerr, &g_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::cout << (r.interrupted ? "interrupted" : "finished") << " after " << r.iterations << " iterations in "
            << r.seconds << " s; best train loss " << r.train_loss << ", test loss " << r.test_loss << "\n"
            << "model: " << o.config.out << "/model.json\n";
  if (r.interrupted) std::cout << "resume with: nimde train --resume " << o.config.out << "\n";
}

}  // namespace

void add_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  nn::TrainConfig& c = o->config;
  auto* cmd = app.add_subcommand("train", "Train a Neural ODE through S steps of a method (the paper's setup by default)");
  add_system_options(cmd, o->system, true);
  cmd->add_option("--method", c.method, "Integration method the network is trained through")->capture_default_str();
  cmd->add_option("--steps", c.steps, "Unrolled steps S (h = T/S)")->capture_default_str();
  cmd->add_option("--T", c.T, "Data step T (default: the system's, 0.04 pendulum)");
  cmd->add_option("--points", c.points, "Training points (default 10000)");
  cmd->add_option("--test-points", c.test_points, "Test points (default 2000)");
  cmd->add_option("--width", c.width, "Hidden width")->capture_default_str();
  cmd->add_option("--depth", c.depth, "Hidden layers")->capture_default_str();
  cmd->add_option("--activation", c.activation, "tanh, sigmoid, relu, elu, softplus, sin")->capture_default_str();
  cmd->add_option("--init", c.init, "orthogonal, glorot-uniform, glorot-normal, he-normal")->capture_default_str();
  cmd->add_option("--optimizer", c.optimizer, "adam, lbfgs or sgd")->capture_default_str();
  cmd->add_option("--schedule", c.schedule, "Learning-rate schedule: geometric, constant, cosine")->capture_default_str();
  cmd->add_option("--lr", c.lr, "Learning rate")->capture_default_str();
  cmd->add_option("--lr-decay", c.lr_decay, "Geometric decay: lr reaches lr/decay at the last iteration")->capture_default_str();
  cmd->add_option("--momentum", c.momentum, "SGD momentum")->capture_default_str();
  cmd->add_option("--iters", c.iterations, "Iterations")->capture_default_str();
  cmd->add_option("--dtype", c.dtype, "f32 or f64")->capture_default_str();
  cmd->add_option("--threads", c.threads, "OpenMP threads (0: all cores)")->capture_default_str();
  cmd->add_option("--seed", c.seed, "Seed of data, noise and initial weights")->capture_default_str();
  cmd->add_option("--noise", c.noise, "Std of Gaussian noise on the targets")->capture_default_str();
  cmd->add_option("--batch", c.batch, "Minibatch size for adam/sgd (0: full batch, the paper's)")->capture_default_str();
  cmd->add_option("--checkpoint-every", c.checkpoint_every, "Checkpoint (and best-model) interval")->capture_default_str();
  cmd->add_option("--log-every", c.log_every, "Progress and loss.csv interval")->capture_default_str();
  cmd->add_option("--out", c.out, "Run directory (model.json, loss.csv, checkpoint.json, run.json)");
  cmd->add_option("--resume", o->resume, "Continue the stopped run in this directory");
  cmd->callback([o] { run_train(*o); });
}

}  // namespace nimde::experiments
