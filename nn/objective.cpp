#include "nn/objective.hpp"

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
                 const Tensor<double>& y)
      : net_(std::move(net)), method_(std::move(method)), steps_(steps), h_(t_data / steps), x_(convert<T>(x)),
        y_(convert<T>(y)), all_x_(x_), all_y_(y_) {
    if (steps < 1) throw std::invalid_argument("steps must be at least 1, got " + std::to_string(steps));
    if (x.shape() != y.shape()) throw std::invalid_argument("objective: inputs and targets differ in shape");
    field_ = net_.field("network", std::vector<std::string>(x.shape()[1], "y"));
  }

  double loss_and_grad(std::vector<Tensor<double>>& grad) override {
    tape_.clear();
    const TapeParams<T>& p = net_.bind(tape_);
    Var<T> loss = record();
    tape_.backward(loss);
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

  double loss() override {
    tape_.clear();
    autodiff::NoGrad<T> no_grad(tape_);
    net_.bind(tape_);
    return record().value()(0, 0);
  }

 private:
  Var<T> record() {
    Var<T> state = tape_.constant(x_);
    state = ode::integrate(method_, field_, state, h_, steps_);
    return autodiff::mse_loss(state, tape_.constant(y_));
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
};

}  // namespace

std::unique_ptr<Objective> make_objective(MlpField net, ode::Method method, int steps, double T,
                                          const Tensor<double>& x, const Tensor<double>& y, const std::string& dtype) {
  if (dtype == "f32") return std::make_unique<TapedObjective<float>>(std::move(net), std::move(method), steps, T, x, y);
  if (dtype == "f64") return std::make_unique<TapedObjective<double>>(std::move(net), std::move(method), steps, T, x, y);
  throw std::invalid_argument("dtype '" + dtype + "' (use f32 or f64)");
}

}  // namespace nimde::nn
