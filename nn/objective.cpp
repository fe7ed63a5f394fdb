#include "nn/objective.hpp"

#include <algorithm>
#include <stdexcept>

#include "autodiff/ops.hpp"

namespace nimde::nn {
namespace {

using autodiff::Tape;
using autodiff::Var;

template <class T>
Tensor<T> convert(const Tensor<double>& t) {
  Tensor<T> c(t.shape());
  std::copy(t.begin(), t.end(), c.begin());
  return c;
}

template <class T>
class TapedObjective final : public Objective {
 public:
  TapedObjective(MlpField net, ode::Method method, int steps, double t_data, const Tensor<double>& x,
                 const Tensor<double>& y, Backprop backprop)
      : net_(std::move(net)), method_(std::move(method)), steps_(steps), h_(t_data / steps), x_(convert<T>(x)),
        y_(convert<T>(y)), all_x_(x_), all_y_(y_), backprop_(backprop) {
    if (steps < 1) throw std::invalid_argument("steps must be at least 1, got " + std::to_string(steps));
    if (x.shape() != y.shape()) throw std::invalid_argument("objective: inputs and targets differ in shape");
    field_ = net_.field("network", std::vector<std::string>(x.shape()[1], "y"));
  }

  double loss_and_grad(std::vector<Tensor<double>>& grad) override {
    if (backprop_ == Backprop::recompute) return loss_and_grad_by_steps(grad);
    tape_.clear();
    const TapeParams<T>& p = net_.bind(tape_);
    Var<T> loss = record();
    tape_.backward(loss, autodiff::Values::release);
    grad.resize(2 * p.weights.size());
    for (std::size_t l = 0; l < p.weights.size(); ++l) {
      copy_grad(p.weights[l], grad[2 * l]);
      copy_grad(p.biases[l], grad[2 * l + 1]);
    }
    return loss.value()(0, 0);
  }

  void select_rows(const std::vector<std::size_t>& rows) override {
    if (rows.empty()) {
      x_ = all_x_;
      y_ = all_y_;
      return;
    }
    const std::size_t d = all_x_.shape()[1];
    if (x_.shape()[0] != rows.size()) {
      x_.resize({rows.size(), d});
      y_.resize({rows.size(), d});
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t k = 0; k < d; ++k) {
        x_(i, k) = all_x_(rows[i], k);
        y_(i, k) = all_y_(rows[i], k);
      }
  }

  std::size_t memory_bytes() const override {
    std::size_t states = 0;
    for (const Tensor<T>& s : states_) states += s.size() * sizeof(T);
    return tape_.bytes() + states;
  }

  /// Forward only, a block of rows at a time on a tape of its own: memory for one block's
  /// layers, whatever N and S, and the training tape's buffers are left as they are. (The
  /// kept model's loss in double is taken this way beside a training tape of N rows.)
  double loss() override {
    const std::size_t n = x_.shape()[0], d = x_.shape()[1];
    Tensor<T> state, next;
    double sum = 0;
    for (std::size_t r0 = 0; r0 < n; r0 += kLossRows) {
      const std::size_t rows = std::min(kLossRows, n - r0);
      state.resize({rows, d});
      std::copy(x_.begin() + r0 * d, x_.begin() + (r0 + rows) * d, state.begin());
      for (int s = 0; s < steps_; ++s) {
        loss_tape_.clear();
        autodiff::NoGrad<T> no_grad(loss_tape_);
        net_.bind(loss_tape_);
        next = method_.step(field_, loss_tape_.constant(state), h_).value();
        std::swap(state, next);
      }
      for (std::size_t i = 0; i < rows * d; ++i) {
        const double e = double(state.data()[i]) - double(y_.data()[r0 * d + i]);
        sum += e * e;
      }
    }
    loss_tape_.clear();
    return sum / double(n * d);
  }

 private:
  Var<T> record() {
    Var<T> state = tape_.constant(x_);
    state = ode::integrate(method_, field_, state, h_, steps_);
    return autodiff::mse_loss(state, tape_.constant(y_));
  }

  /// The same gradient as one tape through all steps, with only the step inputs kept: a
  /// forward pass without a tape stores them, then each step is recorded again, last first,
  /// and backward through it continues from the gradient its output received. The parameters'
  /// gradients start each step from what the later steps added (Tape::start_grad), so every
  /// sum is formed in the full tape's order and the result is the same to the bit.
  double loss_and_grad_by_steps(std::vector<Tensor<double>>& grad) {
    forward_states();
    tape_.clear();
    Var<T> end = tape_.leaf(states_[steps_]);
    Var<T> loss = autodiff::mse_loss(end, tape_.constant(y_));
    tape_.backward(loss);
    const double value = loss.value()(0, 0);
    seed_ = end.grad();

    std::vector<Tensor<T>> sums;  // the parameters' gradients so far, W₀, b₀, W₁, b₁, …
    for (int s = steps_ - 1; s >= 0; --s) {
      tape_.clear();
      const TapeParams<T>& p = net_.bind(tape_);
      Var<T> start = tape_.leaf(states_[s], /*requires_grad=*/s > 0);
      if (!sums.empty()) {
        for (std::size_t l = 0; l < p.weights.size(); ++l) {
          tape_.start_grad(p.weights[l], sums[2 * l]);
          tape_.start_grad(p.biases[l], sums[2 * l + 1]);
        }
      }
      tape_.backward(method_.step(field_, start, h_), seed_, autodiff::Values::release);
      sums.resize(2 * p.weights.size());
      for (std::size_t l = 0; l < p.weights.size(); ++l) {
        sums[2 * l] = p.weights[l].grad();
        sums[2 * l + 1] = p.biases[l].grad();
      }
      if (s > 0) seed_ = start.grad();
    }
    grad.resize(sums.size());
    for (std::size_t i = 0; i < sums.size(); ++i) {
      if (grad[i].shape() != sums[i].shape()) grad[i].resize(sums[i].shape());
      std::copy(sums[i].begin(), sums[i].end(), grad[i].begin());
    }
    return value;
  }

  /// The state after each step, without a tape's gradients, all of them kept.
  void forward_states() {
    states_.resize(static_cast<std::size_t>(steps_) + 1);
    states_[0] = x_;
    for (int s = 0; s < steps_; ++s) {
      tape_.clear();
      autodiff::NoGrad<T> no_grad(tape_);
      net_.bind(tape_);
      states_[s + 1] = method_.step(field_, tape_.constant(states_[s]), h_).value();
    }
  }

  static void copy_grad(const Var<T>& v, Tensor<double>& out) {
    const Tensor<T>& g = v.grad();
    if (out.shape() != g.shape()) out.resize(g.shape());
    std::copy(g.begin(), g.end(), out.begin());
  }

  MlpField net_;
  ode::Method method_;
  int steps_;
  double h_;
  Tensor<T> x_, y_;          ///< the rows in use
  Tensor<T> all_x_, all_y_;  ///< all the data
  ode::Field field_;
  Tape<T> tape_;
  Tape<T> loss_tape_;  ///< loss(): one block of rows at a time
  static constexpr std::size_t kLossRows = 4096;
  Backprop backprop_;
  std::vector<Tensor<T>> states_;  ///< step inputs (Backprop::recompute)
  Tensor<T> seed_;                 ///< the gradient reaching the current step's output
};

}  // namespace

std::unique_ptr<Objective> make_objective(MlpField net, ode::Method method, int steps, double T,
                                          const Tensor<double>& x, const Tensor<double>& y, const std::string& dtype,
                                          Backprop backprop) {
  if (dtype == "f32")
    return std::make_unique<TapedObjective<float>>(std::move(net), std::move(method), steps, T, x, y, backprop);
  if (dtype == "f64")
    return std::make_unique<TapedObjective<double>>(std::move(net), std::move(method), steps, T, x, y, backprop);
  throw std::invalid_argument("dtype '" + dtype + "' (use f32 or f64)");
}

}  // namespace nimde::nn
