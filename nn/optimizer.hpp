// Optimisers over a flat list of parameter tensors (kept in double), as torch defines them:
// Adam and SGD with momentum take one step from a gradient; L-BFGS drives a closure that
// evaluates the loss and its gradient, with a strong-Wolfe line search. Each one's state
// (moments, momentum buffers, curvature pairs, iteration counter) is JSON that reads back
// bit for bit, so a run stopped at a checkpoint continues exactly as if it had not stopped.
//
//   Adam:    m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − lr·m̂/(√v̂ + ε),
//            m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
//   SGD:     b ← μb + (1−τ)g (b = g at the first step),  θ ← θ − lr·b   (Nesterov: g + μb)
//   L-BFGS:  θ ← θ + α·d,  d = −H·g by the two-loop recursion over the last m pairs (s, y),
//            α satisfying the strong Wolfe conditions
//              f(θ + αd) ≤ f(θ) + c₁α∇f·d,   |∇f(θ + αd)·d| ≤ c₂|∇f·d|.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "autodiff/tensor.hpp"

namespace nimde::nn {

using autodiff::Tensor;

// ---- learning-rate schedules ------------------------------------------------------------
/// The learning rate of iteration k (0-based) of a run of K iterations.
struct Schedule {
  enum class Kind { constant, geometric, cosine };
  Kind kind = Kind::constant;
  double lr = 0.01;
  long total = 1;       ///< K
  double decay = 1000;  ///< geometric: the factor lr falls by over K iterations

  /// constant: lr;  geometric: lr·decay^(−k/K) (the paper's);  cosine: lr·(1 + cos(πk/K))/2.
  double operator()(long k) const;
};
/// "constant", "geometric" or "cosine"; throws std::invalid_argument naming a bad kind or value.
Schedule make_schedule(std::string_view kind, double lr, long total, double decay = 1000);
std::string_view schedule_name(Schedule::Kind kind);

// ---- first-order optimisers -------------------------------------------------------------
/// An optimiser that updates the parameters in place from their gradients, one step at a time.
class Optimizer {
 public:
  Optimizer(std::vector<Tensor<double>*> params, Schedule schedule);
  virtual ~Optimizer() = default;
  virtual std::string_view name() const = 0;

  /// One update from ∂L/∂θ; `grads` are ordered and shaped as the parameters.
  virtual void step(const std::vector<Tensor<double>>& grads) = 0;
  /// Steps taken so far.
  long iteration() const { return iteration_; }
  /// The learning rate the next step will use.
  double learning_rate() const { return schedule_(iteration_); }
  const Schedule& schedule() const { return schedule_; }

  /// Everything but the parameters, exact to the bit (the parameters are saved by the caller).
  virtual nlohmann::json state() const = 0;
  /// Restores state(); throws std::invalid_argument naming a key that is missing or does not fit.
  virtual void load_state(const nlohmann::json& state) = 0;

 protected:
  void check_grads(const std::vector<Tensor<double>>& grads) const;
  std::vector<Tensor<double>*> params_;
  Schedule schedule_;
  long iteration_ = 0;
};

struct AdamOptions {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

/// Adam (Kingma & Ba), computed as torch.optim.Adam does, operation for operation.
class Adam final : public Optimizer {
 public:
  Adam(std::vector<Tensor<double>*> params, Schedule schedule, AdamOptions options = {});
  std::string_view name() const override { return "adam"; }
  void step(const std::vector<Tensor<double>>& grads) override;
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;

 private:
  AdamOptions options_;
  std::vector<Tensor<double>> m_, v_;  ///< first and second moment estimates
};

struct SGDOptions {
  double momentum = 0.9, dampening = 0;
  bool nesterov = false;
};

/// Stochastic gradient descent with momentum, as torch.optim.SGD.
class SGD final : public Optimizer {
 public:
  SGD(std::vector<Tensor<double>*> params, Schedule schedule, SGDOptions options = {});
  std::string_view name() const override { return "sgd"; }
  void step(const std::vector<Tensor<double>>& grads) override;
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;

 private:
  SGDOptions options_;
  std::vector<Tensor<double>> buffer_;  ///< momentum buffers (empty before the first step)
};

/// "adam" or "sgd" (with `momentum`); throws std::invalid_argument naming an unknown name.
std::unique_ptr<Optimizer> make_optimizer(std::string_view name, std::vector<Tensor<double>*> params,
                                          Schedule schedule, double momentum = 0.9);

// ---- L-BFGS -----------------------------------------------------------------------------
/// Evaluates the loss at the current parameters and fills `grad` (one tensor per parameter).
using Closure = std::function<double(std::vector<Tensor<double>>& grad)>;

struct LBFGSOptions {
  int history = 20;                ///< m, curvature pairs kept
  long max_iterations = 1000;      ///< in total, over all calls of run
  long max_evaluations = 0;        ///< in total; 0: no limit
  double gradient_tolerance = 1e-12;  ///< stop when max |∇f| ≤ this
  double change_tolerance = 1e-14;    ///< stop when max |Δθ| ≤ this or |Δf| ≤ this·|f|
  double c1 = 1e-4, c2 = 0.9;      ///< strong Wolfe constants
  int max_line_search = 25;        ///< evaluations per line search
};

enum class LBFGSStop { none, gradient, change, max_iterations, max_evaluations, line_search, non_finite };
std::string_view lbfgs_stop_name(LBFGSStop s);

struct LBFGSReport {
  long iterations = 0;     ///< in total
  long evaluations = 0;    ///< closure calls in total
  double loss = 0;         ///< at the current parameters
  double gradient = 0;     ///< max |∇f| there
  LBFGSStop stop = LBFGSStop::none;  ///< none: the requested iterations ran, more may follow
};

/// Limited-memory BFGS, full batch, with the strong-Wolfe line search of Nocedal & Wright
/// (Algorithms 3.5 and 3.6, cubic interpolation in the zoom).
class LBFGS {
 public:
  LBFGS(std::vector<Tensor<double>*> params, LBFGSOptions options = {});

  /// Runs up to `iterations` more iterations (0: as many as options.max_iterations allows in
  /// total) or until a tolerance is met; once one is met (or the line search finds no
  /// decrease) further calls return at once.
  LBFGSReport run(const Closure& closure, long iterations = 0);
  long iteration() const { return iteration_; }
  long evaluations() const { return evaluations_; }
  const LBFGSOptions& options() const { return options_; }

  /// Curvature pairs, loss and gradient at the current parameters, counters: bit for bit.
  nlohmann::json state() const;
  /// Restores state(); the parameters must be those state() was taken at.
  void load_state(const nlohmann::json& state);

 private:
  double line_search(const Closure& closure, const std::vector<double>& x0, double alpha, double dphi0, double& f,
                     std::vector<double>& g);
  double evaluate(const Closure& closure, const std::vector<double>& x0, double alpha, std::vector<double>& grad);
  void set_params(const std::vector<double>& x0, double alpha);
  std::vector<double> direction() const;
  LBFGSReport report() const;

  std::vector<Tensor<double>*> params_;
  LBFGSOptions options_;
  std::size_t n_ = 0;
  long iteration_ = 0, evaluations_ = 0;
  bool have_current_ = false;        ///< loss_ and grad_ hold f and ∇f at the parameters
  double loss_ = 0;
  std::vector<double> grad_, d_;
  std::vector<std::vector<double>> s_, y_;  ///< curvature pairs, oldest first
  std::vector<Tensor<double>> scratch_;     ///< the closure's gradient tensors
  LBFGSStop stop_ = LBFGSStop::none;
};

}  // namespace nimde::nn
