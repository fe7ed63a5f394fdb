// The two gradients of the paper's loss for a small tanh network: backpropagation through
// the unrolled steps is exact, the backsolve adjoint differs from it at the method's order.
#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "nn/mlp.hpp"
#include "ode/systems.hpp"

using namespace nimde;

namespace {

struct Study {
  nn::MlpField net;
  nn::ParametricField field;
  autodiff::Array<double> x, y;
};

Study make_study(const std::string& system_name, std::size_t points, double T) {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 12, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 3));
  nn::MlpField net(params);
  const ode::System& sys = ode::system(system_name);
  std::mt19937_64 rng(7);
  autodiff::Tensor<double> x = autodiff::zeros<double>(points, 2);
  for (std::size_t i = 0; i < points; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      x(i, k) = std::uniform_real_distribution<double>(sys.domain[k].first, sys.domain[k].second)(rng);
  autodiff::Array<double> xa(x);
  autodiff::Array<double> y = ode::integrate(ode::method("rk4"), sys.field, xa, T / 100, 100);
  return {net, nn::parametric_field(net, "net", {"p", "q"}), xa, y};
}

}  // namespace

TEST_CASE("discretize-then-optimize gradients match central differences for every kind of method", "[gradients]") {
  Study s = make_study("pendulum", 16, 0.1);
  for (const char* name : {"euler", "rk4", "implicit-midpoint", "stormer-verlet", "symplectic-euler-b"}) {
    ode::Method m = ode::method(name);
    m.iteration.taped_iterations = 60;  // converged stages, as the plain evaluation the differences use
    for (int steps : {1, 3}) {
      const nn::Gradient dto = nn::dto_gradient(m, s.field, s.x, s.y, 0.1, steps);
      const nn::Gradient fd = nn::finite_difference_gradient(m, s.field, s.x, s.y, 0.1, steps);
      INFO(name << " with " << steps << " steps");
      CHECK(dto.loss == Approx(fd.loss).epsilon(1e-12));
      CHECK(nn::relative_difference(dto, fd) < 1e-6);
    }
  }
}

TEST_CASE("the backsolve adjoint approaches discretize-then-optimize at the method's order", "[gradients]") {
  Study s = make_study("pendulum", 32, 0.5);
  for (const auto& [name, order] : {std::pair<const char*, int>{"euler", 1}, {"midpoint", 2}, {"rk4", 4}}) {
    const ode::Method m = ode::method(name);
    std::vector<double> log_h, log_diff;
    for (int steps : {4, 8, 16, 32}) {
      const nn::Gradient dto = nn::dto_gradient(m, s.field, s.x, s.y, 0.5, steps);
      const nn::Gradient adj = nn::adjoint_gradient(m, s.field, s.x, s.y, 0.5, steps);
      CHECK(adj.loss == Approx(dto.loss).epsilon(1e-12));
      log_h.push_back(std::log(0.5 / steps));
      log_diff.push_back(std::log(nn::relative_difference(adj, dto)));
    }
    double mh = 0, md = 0;
    for (std::size_t i = 0; i < log_h.size(); ++i) mh += log_h[i] / log_h.size(), md += log_diff[i] / log_h.size();
    double num = 0, den = 0;
    for (std::size_t i = 0; i < log_h.size(); ++i) num += (log_h[i] - mh) * (log_diff[i] - md), den += (log_h[i] - mh) * (log_h[i] - mh);
    INFO(name << ": fitted slope " << num / den);
    CHECK(std::abs(num / den - order) < 0.3);
  }
}

TEST_CASE("the backsolve adjoint refuses partitioned methods by name", "[gradients]") {
  Study s = make_study("pendulum", 4, 0.1);
  CHECK_THROWS_WITH(nn::adjoint_gradient(ode::method("stormer-verlet"), s.field, s.x, s.y, 0.1, 1),
                    Catch::Contains("stormer-verlet"));
}
