#include "nn/gradients.hpp"

#include <random>

#include "nn/mlp.hpp"

#include <cmath>
#include <stdexcept>

namespace nimde::nn {
namespace {

/// θ's sizes, in order.
std::vector<std::size_t> param_sizes(const ParametricField& f) {
  std::vector<std::size_t> sizes;
  for (const Tensor<double>* p : f.params()) sizes.push_back(p->size());
  return sizes;
}

/// The augmented field (y, a, g) ↦ (f(y), −aᵀ∂f/∂y, −aᵀ∂f/∂θ) on a batch of n points with
/// state [y | a | g] of width 2d + P. Only row 0 of g is used: ∂f/∂θ is summed over points
/// by the tape sweep, and Runge–Kutta combinations act on each entry separately.
Field adjoint_field(const ParametricField& f, std::size_t d, std::size_t P) {
  auto tape = std::make_shared<Tape<double>>();
  auto eval = [f, d, P, tape](const auto& z) {
    using State = std::decay_t<decltype(z)>;
    if constexpr (!std::is_same_v<State, Array<double>>) {
      throw std::logic_error("the adjoint field is evaluated on Array<double> states only");
      return z;
    } else {
      const std::size_t n = z.rows();
      tape->clear();
      Var<double> y = tape->leaf(slice_cols(z, 0, d).value());
      const std::vector<Var<double>> theta = f.bind(*tape);
      Var<double> fy = f.field(y);
      tape->backward(fy, slice_cols(z, d, d).value());
      Tensor<double> out = autodiff::zeros<double>(n, 2 * d + P);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k) {
          out(i, k) = fy.value()(i, k);
          out(i, d + k) = -y.grad()(i, k);
        }
      std::size_t offset = 2 * d;
      for (const Var<double>& t : theta) {
        for (std::size_t j = 0; j < t.value().size(); ++j) out(0, offset + j) = -t.grad().data()[j];
        offset += t.value().size();
      }
      return Array<double>(std::move(out));
    }
  };
  std::vector<std::string> names(2 * d + P, "z");
  return Field("adjoint of " + f.field.name(), names, eval);
}

}  // namespace

double trajectory_loss(const Method& m, const ParametricField& f, const Array<double>& x, const Array<double>& y,
                       double T, int steps) {
  const Array<double> end = integrate(m, f.field, x, T / steps, steps);
  const Array<double> diff = end - y;
  double s = 0;
  for (double v : diff.value()) s += v * v;
  return s / double(diff.value().size());
}

Gradient dto_gradient(const Method& m, const ParametricField& f, const Array<double>& x, const Array<double>& y,
                      double T, int steps) {
  Tape<double> tape;
  const std::vector<Var<double>> theta = f.bind(tape);
  Var<double> state = tape.constant(x.value());
  state = integrate(m, f.field, state, T / steps, steps);
  Var<double> loss = autodiff::mse_loss(state, tape.constant(y.value()));
  tape.backward(loss);
  Gradient g{loss.value()(0, 0), {}};
  for (const Var<double>& t : theta) g.grad.push_back(t.grad());
  return g;
}

Gradient adjoint_gradient(const Method& m, const ParametricField& f, const Array<double>& x, const Array<double>& y,
                          double T, int steps) {
  if (m.is_partitioned())
    throw std::invalid_argument("the backsolve adjoint is implemented for Runge-Kutta methods, not " + m.name());
  const double h = T / steps;
  const std::size_t n = x.rows(), d = x.cols();
  const std::vector<std::size_t> sizes = param_sizes(f);
  std::size_t P = 0;
  for (std::size_t s : sizes) P += s;

  const Array<double> end = integrate(m, f.field, x, h, steps);
  Gradient result{0, {}};
  // z(T) = [y_S | ∂L/∂y_S | 0], ∂L/∂y_S = 2 (y_S − target) / (n d).
  Tensor<double> z = autodiff::zeros<double>(n, 2 * d + P);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      const double r = end.value()(i, k) - y.value()(i, k);
      result.loss += r * r;
      z(i, k) = end.value()(i, k);
      z(i, d + k) = 2 * r / double(n * d);
    }
  result.loss /= double(n * d);
  const Array<double> z0 = integrate(m, adjoint_field(f, d, P), Array<double>(std::move(z)), -h, steps);
  std::size_t offset = 2 * d;
  for (const Tensor<double>* p : f.params()) {
    Tensor<double> g(p->shape());
    for (std::size_t j = 0; j < g.size(); ++j) g.data()[j] = z0.value()(0, offset + j);
    offset += g.size();
    result.grad.push_back(std::move(g));
  }
  return result;
}

Gradient finite_difference_gradient(const Method& m, const ParametricField& f, const Array<double>& x,
                                    const Array<double>& y, double T, int steps, double eps) {
  Gradient g{trajectory_loss(m, f, x, y, T, steps), {}};
  for (Tensor<double>* p : f.params()) {
    Tensor<double> grad(p->shape());
    for (std::size_t j = 0; j < p->size(); ++j) {
      double& theta = p->data()[j];
      const double saved = theta, step = eps * std::max(1.0, std::abs(saved));
      theta = saved + step;
      const double up = trajectory_loss(m, f, x, y, T, steps);
      theta = saved - step;
      const double down = trajectory_loss(m, f, x, y, T, steps);
      theta = saved;
      grad.data()[j] = (up - down) / (2 * step);
    }
    g.grad.push_back(std::move(grad));
  }
  return g;
}

namespace {
template <class F>
double sum_over(const Gradient& a, const Gradient& b, F f) {
  if (a.grad.size() != b.grad.size()) throw std::invalid_argument("gradients of different parameter lists");
  double s = 0;
  for (std::size_t t = 0; t < a.grad.size(); ++t)
    for (std::size_t j = 0; j < a.grad[t].size(); ++j) s += f(a.grad[t].data()[j], b.grad[t].data()[j]);
  return s;
}
}  // namespace

double relative_difference(const Gradient& a, const Gradient& b) {
  const double diff = sum_over(a, b, [](double u, double v) { return (u - v) * (u - v); });
  const double norm = sum_over(b, b, [](double u, double) { return u * u; });
  return std::sqrt(diff / norm);
}

double cosine(const Gradient& a, const Gradient& b) {
  const double ab = sum_over(a, b, [](double u, double v) { return u * v; });
  const double aa = sum_over(a, a, [](double u, double) { return u * u; });
  const double bb = sum_over(b, b, [](double u, double) { return u * u; });
  return ab / std::sqrt(aa * bb);
}

std::vector<GradientStudyRow> gradient_study(const ode::System& system, const Method& m, double T,
                                             const std::vector<int>& steps, std::size_t width, std::size_t points,
                                             std::uint64_t seed) {
  const std::size_t d = system.dim();
  if (system.domain.size() != d) throw std::invalid_argument("gradient study: system " + system.name + " has no domain");
  auto net = std::make_shared<MlpParams>(make_mlp(d, width, 2, autodiff::Activation::tanh, Init::orthogonal, seed));
  const ParametricField f = parametric_field(MlpField(net), "mlp", system.field.names());
  std::mt19937_64 rng(seed + 1);
  Tensor<double> x = autodiff::zeros<double>(points, d);
  for (std::size_t i = 0; i < points; ++i)
    for (std::size_t k = 0; k < d; ++k)
      x(i, k) = std::uniform_real_distribution<double>(system.domain[k].first, system.domain[k].second)(rng);
  const Array<double> xa(x);
  const Array<double> target = ode::integrate(ode::method("rk4"), system.field, xa, T / 100, 100);
  std::vector<GradientStudyRow> rows;
  for (int S : steps) {
    const Gradient fd = finite_difference_gradient(m, f, xa, target, T, S);
    const Gradient dto = dto_gradient(m, f, xa, target, T, S);
    GradientStudyRow row;
    row.steps = S;
    row.loss = dto.loss;
    row.dto_vs_fd = relative_difference(dto, fd);
    if (!m.is_partitioned()) {
      const Gradient adj = adjoint_gradient(m, f, xa, target, T, S);
      row.adjoint_vs_fd = relative_difference(adj, fd);
      row.adjoint_vs_dto = relative_difference(adj, dto);
      row.cosine = nn::cosine(adj, dto);
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace nimde::nn
