// Optimisers over a flat list of parameter tensors (kept in double), as torch defines them.
// All three share one interface: `iterate` takes a closure that evaluates the loss and its
// gradient at the current parameters; Adam and SGD with momentum evaluate it once and step,
// L-BFGS runs one quasi-Newton iteration with a strong-Wolfe line search. Each one's state
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
#include "nn/settings.hpp"

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
inline constexpr NameTable<Schedule::Kind, 3> kScheduleNames{{{Schedule::Kind::constant, "constant"},
                                                              {Schedule::Kind::geometric, "geometric"},
                                                              {Schedule::Kind::cosine, "cosine"}}};
std::string_view schedule_name(Schedule::Kind kind);
/// Throws a SettingError naming the field "schedule" for an unknown name.
Schedule::Kind parse_schedule(std::string_view name);
/// Throws std::invalid_argument for a learning rate or decay that is not positive and finite,
/// or a decaying schedule without a number of iterations.
Schedule make_schedule(Schedule::Kind kind, double lr, long total, double decay = 1000);

// ---- the interface ----------------------------------------------------------------------
/// Evaluates the loss at the current parameters and fills `grad` (one tensor per parameter).
using Closure = std::function<double(std::vector<Tensor<double>>& grad)>;

/// Why an optimiser can go no further; `none` while it can.
enum class StopReason { none, gradient, change, max_iterations, max_evaluations, line_search, non_finite };
inline constexpr NameTable<StopReason, 7> kStopReasonNames{
    {{StopReason::none, "none"},
     {StopReason::gradient, "gradient"},
     {StopReason::change, "change"},
     {StopReason::max_iterations, "max_iterations"},
     {StopReason::max_evaluations, "max_evaluations"},
     {StopReason::line_search, "line_search"},
     {StopReason::non_finite, "non_finite"}}};
std::string_view stop_reason_name(StopReason s);

/// What one iteration found.
struct IterateResult {
  /// Adam, SGD: the loss at the parameters before the step. L-BFGS: at the parameters after
  /// the iteration (where its line search ended).
  double loss = 0;
  /// `none`, or why this and further iterations leave the parameters where they are
  /// (Adam and SGD: `non_finite` when the loss is NaN or infinite, and they do not step).
  StopReason stop = StopReason::none;
};

/// An optimiser that updates the parameters it was given in place, one iteration at a time.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string_view name() const = 0;

  /// One iteration on the loss `loss_and_grad` evaluates at the current parameters.
  virtual IterateResult iterate(const Closure& loss_and_grad) = 0;
  /// Iterations done so far.
  virtual long iteration() const = 0;
  /// The learning rate the next iteration will use (L-BFGS, whose line search chooses the
  /// step, reports 1).
  virtual double learning_rate() const = 0;

  /// Everything but the parameters, exact to the bit (the parameters are saved by the caller).
  virtual nlohmann::json state() const = 0;
  /// Restores state(); throws std::invalid_argument naming a key that is missing or does not
  /// fit, leaving the optimiser as it was.
  virtual void load_state(const nlohmann::json& state) = 0;
};

// ---- first-order optimisers -------------------------------------------------------------
/// Adam and SGD: one step from a gradient, along a learning-rate schedule.
class FirstOrderOptimizer : public Optimizer {
 public:
  FirstOrderOptimizer(std::vector<Tensor<double>*> params, Schedule schedule);

  /// Evaluates the closure once and, when the loss is finite, steps from its gradient.
  IterateResult iterate(const Closure& loss_and_grad) final;
  /// One update from ∂L/∂θ; `grads` are ordered and shaped as the parameters.
  virtual void step(const std::vector<Tensor<double>>& grads) = 0;
  long iteration() const final { return iteration_; }
  double learning_rate() const final { return schedule_(iteration_); }
  const Schedule& schedule() const { return schedule_; }

 protected:
  void check_grads(const std::vector<Tensor<double>>& grads) const;
  std::vector<Tensor<double>*> params_;
  Schedule schedule_;
  long iteration_ = 0;

 private:
  std::vector<Tensor<double>> grad_;  ///< the closure's gradient tensors
};

struct AdamOptions {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

/// Adam (Kingma & Ba), computed as torch.optim.Adam does, operation for operation.
class Adam final : public FirstOrderOptimizer {
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
class SGD final : public FirstOrderOptimizer {
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

// ---- L-BFGS -----------------------------------------------------------------------------
struct LBFGSOptions {
  int history = 20;                ///< m, curvature pairs kept
  long max_iterations = 1000;      ///< in total, over all calls; 0: no limit
  long max_evaluations = 0;        ///< in total; 0: no limit
  double gradient_tolerance = 1e-12;  ///< stop when max |∇f| ≤ this
  double change_tolerance = 1e-14;    ///< stop when max |Δθ| ≤ this or |Δf| ≤ this·|f|
  double c1 = 1e-4, c2 = 0.9;      ///< strong Wolfe constants
  int max_line_search = 25;        ///< evaluations per line search
};

struct LBFGSReport {
  long iterations = 0;     ///< in total
  long evaluations = 0;    ///< closure calls in total
  double loss = 0;         ///< at the current parameters
  double gradient = 0;     ///< max |∇f| there
  StopReason stop = StopReason::none;  ///< none: the requested iterations ran, more may follow
};

/// Limited-memory BFGS, full batch, with the strong-Wolfe line search of Nocedal & Wright
/// (Algorithms 3.5 and 3.6, cubic interpolation in the zoom).
class LBFGS final : public Optimizer {
 public:
  LBFGS(std::vector<Tensor<double>*> params, LBFGSOptions options = {});
  std::string_view name() const override { return "lbfgs"; }

  /// Runs up to `iterations` more iterations (0: as many as options.max_iterations allows in
  /// total) or until a tolerance is met; once one is met (or the line search finds no
  /// decrease) further calls return at once.
  LBFGSReport run(const Closure& closure, long iterations = 0);
  /// run(closure, 1).
  IterateResult iterate(const Closure& closure) override;
  long iteration() const override { return iteration_; }
  double learning_rate() const override { return 1.0; }
  long evaluations() const { return evaluations_; }
  const LBFGSOptions& options() const { return options_; }

  /// Curvature pairs, loss and gradient at the current parameters, counters: bit for bit.
  nlohmann::json state() const override;
  /// Restores state(); the parameters must be those state() was taken at.
  void load_state(const nlohmann::json& state) override;

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
  StopReason stop_ = StopReason::none;
};

// ---- choosing one by name -----------------------------------------------------------------
enum class OptimizerKind { adam, lbfgs, sgd };
inline constexpr NameTable<OptimizerKind, 3> kOptimizerNames{
    {{OptimizerKind::adam, "adam"}, {OptimizerKind::lbfgs, "lbfgs"}, {OptimizerKind::sgd, "sgd"}}};
std::string_view optimizer_name(OptimizerKind kind);
/// Throws a SettingError naming the field "optimizer" for an unknown name.
OptimizerKind parse_optimizer(std::string_view name);

/// The settings of every kind; each optimiser reads its own (Adam and SGD also the schedule).
struct OptimizerOptions {
  Schedule schedule{};
  AdamOptions adam{};
  SGDOptions sgd{};
  LBFGSOptions lbfgs{};
};
std::unique_ptr<Optimizer> make_optimizer(OptimizerKind kind, std::vector<Tensor<double>*> params,
                                          const OptimizerOptions& options = {});

}  // namespace nimde::nn
