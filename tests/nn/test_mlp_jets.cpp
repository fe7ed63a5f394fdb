// A network on a batch of jets (one GEMM per layer for every coefficient) against the same
// network on each point's jets (Point<Jet>, the jets' own scalar arithmetic): Neural ODE networks
// with every activation, Hamiltonian networks with every smooth one, on several kinds of box.
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/jet_batch.hpp"
#include "nn/mlp.hpp"

using namespace nimde;
using autodiff::Activation;
using autodiff::Jet;
using autodiff::JetBatch;
using autodiff::JetShape;

namespace {

JetBatch random_points(const JetShape& s, std::size_t n, std::size_t d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  JetBatch y(s, n, d);
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t k = 0; k < d; ++k) {
      y(0, p, k) = u(rng);
      for (int i = 0; i < s.directions(); ++i) y(s.unit(i), p, k) = u(rng);  // the directions ε_i
    }
  return y;
}

/// f on the batch against f at each point's jets, relative to each jet's largest coefficient.
void check_network(const ode::Field& f, const JetShape& s, std::size_t n) {
  const JetBatch y = random_points(s, n, f.dim(), 17);
  const JetBatch batch = f(y);
  REQUIRE(batch.points() == n);
  REQUIRE(batch.cols() == f.dim());
  ode::Point<Jet> z;
  z.x.resize(f.dim());
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t k = 0; k < f.dim(); ++k) z.x[k] = y.jet(p, k);
    const ode::Point<Jet> one = f(z);
    for (std::size_t k = 0; k < f.dim(); ++k) {
      double scale = 1e-3;
      for (int c = 0; c < s.size(); ++c) scale = std::max(scale, std::abs(one.x[k][c]));
      for (int c = 0; c < s.size(); ++c) {
        INFO("point " << p << ", component " << k << ", coefficient " << c);
        CHECK(std::abs(batch(c, p, k) - one.x[k][c]) <= 1e-13 * scale);
      }
    }
  }
}

const std::vector<int> kBoxes[] = {{4}, {1, 1, 1}, {2, 1, 1}};

/// A network with nonzero biases (make_mlp starts them at 0), which enter coefficient 0 alone.
std::shared_ptr<nn::MlpParams> network(std::size_t dim, Activation act, unsigned seed, nn::ModelKind kind) {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(dim, 16, 2, act, nn::Init::glorot_normal, seed, kind));
  std::mt19937_64 rng(seed);
  for (auto& b : params->biases)
    for (double& v : b) v = std::uniform_real_distribution<double>(-0.5, 0.5)(rng);
  return params;
}

}  // namespace

TEST_CASE("a Neural ODE network on a batch of jets equals it on each point's jets", "[mlp][jet]") {
  for (Activation act : {Activation::identity, Activation::tanh, Activation::sigmoid, Activation::relu,
                         Activation::elu, Activation::softplus, Activation::sin}) {
    const ode::Field f = nn::MlpField(network(2, act, 4, nn::ModelKind::node)).field("net", {"p", "q"});
    for (const auto& box : kBoxes) {
      const JetShape s(box);
      for (std::size_t n : {1, 5, 70}) {
        INFO(autodiff::activation_name(act) << ", box of " << s.size() << ", " << n << " points");
        check_network(f, s, n);
      }
    }
  }
}

TEST_CASE("a Hamiltonian network on a batch of jets equals it on each point's jets", "[mlp][hnn][jet]") {
  for (Activation act : {Activation::tanh, Activation::sigmoid, Activation::softplus, Activation::sin}) {
    const ode::Field f = nn::MlpField(network(4, act, 6, nn::ModelKind::hnn)).field("hnn", {"p1", "p2", "q1", "q2"});
    for (const auto& box : kBoxes) {
      const JetShape s(box);
      for (std::size_t n : {1, 70}) {
        INFO(autodiff::activation_name(act) << ", box of " << s.size() << ", " << n << " points");
        check_network(f, s, n);
      }
    }
  }
}
