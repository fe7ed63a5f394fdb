// Central finite differences for checking reverse-mode gradients in double.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/ops.hpp"

namespace nimde::test {

using autodiff::Tensor;
using autodiff::Var;
using autodiff::Tape;

/// Builds the function under test from leaves, on a tape.
using GraphBuilder = std::function<Var<double>(Tape<double>&, const std::vector<Var<double>>&)>;

inline Tensor<double> random_tensor(std::size_t rows, std::size_t cols, std::mt19937_64& rng, double lo = -1.0,
                                    double hi = 1.0) {
  std::uniform_real_distribution<double> u(lo, hi);
  Tensor<double> t = autodiff::zeros<double>(rows, cols);
  for (double& v : t) v = u(rng);
  return t;
}

/// The test shapes: rows that hit SIMD tails and thread splits, columns 1–3 (tails) and a full 128.
inline constexpr std::size_t kRows[] = {1, 7, 129, 1000};
inline constexpr std::size_t kCols[] = {1, 2, 3, 128};

/// Inputs drawn from a domain where the operation is smooth (the domains of autodiff/functions.hpp).
enum class Domain { real, positive, nonzero, half_pi };

inline Tensor<double> input(std::size_t r, std::size_t c, std::mt19937_64& rng, Domain d) {
  Tensor<double> t = random_tensor(r, c, rng);
  for (double& v : t) {
    if (d == Domain::real) v = 3 * v;
    if (d == Domain::positive) v = 0.3 + std::abs(v);
    if (d == Domain::nonzero) v = (v < 0 ? -0.2 : 0.2) + v;
  }
  return t;
}

/// L = Σ out ⊙ R with fixed random weights R, so every output entry matters with its own weight.
inline Var<double> weighted_sum(Tape<double>& tape, const Var<double>& out) {
  std::mt19937_64 rng(out.rows() * 1000003u + out.cols());
  return autodiff::sum(out * tape.constant(random_tensor(out.rows(), out.cols(), rng)));
}

struct GradCheckResult {
  double worst = 0;  ///< largest |analytic − numeric| / max(|numeric|, 1)
  std::string where;
};

/// Compares the tape's gradient of L with central differences at `samples` entries of each
/// input (always including the first and the last, where SIMD tails live).
inline GradCheckResult gradient_check(const std::vector<Tensor<double>>& inputs, const GraphBuilder& build,
                                      std::size_t samples = 6, double step = 1e-6) {
  Tape<double> tape;
  std::vector<Var<double>> leaves;
  for (const auto& x : inputs) leaves.push_back(tape.leaf(x));
  Var<double> loss = weighted_sum(tape, build(tape, leaves));
  tape.backward(loss);
  std::vector<Tensor<double>> grads;
  for (const auto& v : leaves) grads.push_back(v.grad());

  std::vector<Tensor<double>> work = inputs;
  auto loss_at = [&]() {
    tape.clear();
    autodiff::NoGrad<double> no_grad(tape);
    std::vector<Var<double>> xs;
    for (const auto& x : work) xs.push_back(tape.leaf(x));
    return weighted_sum(tape, build(tape, xs)).value()(0, 0);
  };
  GradCheckResult result;
  std::mt19937_64 rng(42);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::size_t n = inputs[k].size();
    std::vector<std::size_t> idx{0, n - 1};
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    for (std::size_t s = 0; s < samples; ++s) idx.push_back(pick(rng));
    for (std::size_t i : idx) {
      const double x0 = inputs[k].data()[i];
      const double h = step * std::max(1.0, std::abs(x0));
      work[k].data()[i] = x0 + h;
      const double up = loss_at();
      work[k].data()[i] = x0 - h;
      const double down = loss_at();
      work[k].data()[i] = x0;
      const double numeric = (up - down) / (2 * h), analytic = grads[k].data()[i];
      const double err = std::abs(analytic - numeric) / std::max(1.0, std::abs(numeric));
      if (err > result.worst) {
        result.worst = err;
        result.where = "input " + std::to_string(k) + " entry " + std::to_string(i) + ": tape " +
                       std::to_string(analytic) + ", central difference " + std::to_string(numeric);
      }
    }
  }
  return result;
}

/// ∇L at the inputs by the first-order sweep, L = weighted_sum(build(x)).
inline std::vector<Tensor<double>> first_order(const std::vector<Tensor<double>>& inputs, const GraphBuilder& build) {
  Tape<double> tape;
  std::vector<Var<double>> x;
  for (const auto& v : inputs) x.push_back(tape.leaf(v));
  tape.backward(weighted_sum(tape, build(tape, x)));
  std::vector<Tensor<double>> g;
  for (const auto& v : x) g.push_back(v.grad());
  return g;
}

/// H·v for random directions v: the tape's ∇(Σ_k ∇_k L · v_k), through grad(..., create_graph),
/// against (∇L(x + εv) − ∇L(x − εv)) / 2ε, every entry of every input. Also checks that the
/// recorded first-order gradient equals the sweep's.
inline GradCheckResult hvp_check(const std::vector<Tensor<double>>& inputs, const GraphBuilder& build, double eps = 1e-5) {
  std::mt19937_64 rng(11);
  std::vector<Tensor<double>> dir;
  for (const auto& x : inputs) dir.push_back(random_tensor(x.shape()[0], x.shape()[1], rng));

  Tape<double> tape;
  std::vector<Var<double>> x;
  for (const auto& v : inputs) x.push_back(tape.leaf(v));
  const std::vector<Var<double>> g = autodiff::grad(weighted_sum(tape, build(tape, x)), std::span<const Var<double>>(x), true);
  Var<double> gv = autodiff::sum(g[0] * tape.constant(dir[0]));
  for (std::size_t k = 1; k < x.size(); ++k) gv = gv + autodiff::sum(g[k] * tape.constant(dir[k]));
  const bool curved = gv.requires_grad();  // false for an operation linear in all its inputs
  if (curved) tape.backward(gv);

  const std::vector<Tensor<double>> g0 = first_order(inputs, build);
  std::vector<Tensor<double>> up = inputs, down = inputs;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    for (std::size_t i = 0; i < inputs[k].size(); ++i) {
      up[k].data()[i] += eps * dir[k].data()[i];
      down[k].data()[i] -= eps * dir[k].data()[i];
    }
  const std::vector<Tensor<double>> gu = first_order(up, build), gd = first_order(down, build);

  GradCheckResult result;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    for (std::size_t i = 0; i < inputs[k].size(); ++i) {
      const double recorded = g[k].value().data()[i], swept = g0[k].data()[i];
      const double first = std::abs(recorded - swept) / std::max(1.0, std::abs(swept));
      const double numeric = (gu[k].data()[i] - gd[k].data()[i]) / (2 * eps);
      const double analytic = curved ? x[k].grad().data()[i] : 0.0;
      const double err = std::max(first, std::abs(analytic - numeric) / std::max(1.0, std::abs(numeric)));
      if (err > result.worst) {
        result.worst = err;
        result.where = "input " + std::to_string(k) + " entry " + std::to_string(i) + ": H·v tape " +
                       std::to_string(analytic) + ", central difference " + std::to_string(numeric) +
                       "; gradient recorded " + std::to_string(recorded) + ", swept " + std::to_string(swept);
      }
    }
  return result;
}

}  // namespace nimde::test
