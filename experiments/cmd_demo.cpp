// `nimde demo`: a short tour of the engine. It records a small network's loss on a tape,
// takes its gradient by one reverse sweep and checks one entry against a central difference.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>

#include "autodiff/ops.hpp"
#include "experiments/commands.hpp"

namespace nimde::experiments {
namespace {

using namespace nimde::autodiff;

Tensor<double> random_tensor(std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 0.5);
  Tensor<double> t = zeros<double>(rows, cols);
  for (double& v : t) v = normal(rng);
  return t;
}

/// The loss of a 2 → 32 → 2 tanh network on (x, y), recorded on `tape`; W1 is a leaf.
struct Recorded {
  Var<double> W1, loss;
};

Recorded record_loss(Tape<double>& tape, const Tensor<double>& x, const Tensor<double>& y, const Tensor<double>& W1,
                     const Tensor<double>& W2) {
  Var<double> w1 = tape.leaf(W1);
  Var<double> h = linear(tape.constant(x), w1, tape.constant(zeros<double>(1, W1.shape()[0])), Activation::tanh);
  Var<double> out = linear(h, tape.leaf(W2), tape.constant(zeros<double>(1, W2.shape()[0])));
  return {w1, mse_loss(out, tape.constant(y))};
}

void run_demo(int seed) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
  const Tensor<double> x = random_tensor(256, 2, rng), y = random_tensor(256, 2, rng);
  Tensor<double> W1 = random_tensor(32, 2, rng);
  const Tensor<double> W2 = random_tensor(2, 32, rng);

  Tape<double> tape;
  Recorded r = record_loss(tape, x, y, W1, W2);
  tape.backward(r.loss);
  const double loss = r.loss.value()(0, 0), analytic = r.W1.grad()(0, 0);
  const std::size_t nodes = tape.size();

  // Central difference in W1(0, 0), each side a forward-only recording on a cleared tape.
  const double eps = 1e-6, w = W1(0, 0);
  auto loss_at = [&](double value) {
    W1(0, 0) = value;
    tape.clear();
    NoGrad<double> no_grad(tape);
    return record_loss(tape, x, y, W1, W2).loss.value()(0, 0);
  };
  const double numeric = (loss_at(w + eps) - loss_at(w - eps)) / (2 * eps);

  std::cout << std::setprecision(12) << "network 2 -> 32 (tanh) -> 2 on 256 points, " << nodes << " tape nodes\n"
            << "loss                      " << loss << "\n"
            << "dloss/dW1[0,0] (tape)     " << analytic << "\n"
            << "dloss/dW1[0,0] (central)  " << numeric << "\n"
            << "relative difference       " << std::abs(analytic - numeric) / std::abs(numeric) << "\n";
}

}  // namespace

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Record a small network on the tape, backpropagate, check against finite differences");
  auto seed = std::make_shared<int>(0);
  cmd->add_option("--seed", *seed, "Random seed")->capture_default_str();
  cmd->callback([seed] { run_demo(*seed); });
}

}  // namespace nimde::experiments
