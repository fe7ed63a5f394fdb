// Elementary differentials of network fields: the imde machinery applied to nn's MLPs, checked
// against central differences, batches against single points, the network's batched jets
// against its jets point by point, and one thread against two.
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/parallel.hpp"
#include "imde/elementary_differentials.hpp"
#include "nn/mlp.hpp"
#include "tests/support/field_differences.hpp"

using namespace nimde;
using nimde::test::check_against_differences;

TEST_CASE("elementary differentials of networks match central differences of the network", "[elementary]") {
  SECTION("a tanh network") {
    auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 16, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 7));
    const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
    check_against_differences(f, {0.3, -0.5}, 5, 2e-6);
  }
  SECTION("networks with the other smooth activations") {
    for (auto act : {autodiff::Activation::sigmoid, autodiff::Activation::softplus, autodiff::Activation::sin}) {
      auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 8, 2, act, nn::Init::glorot_normal, 3));
      const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
      INFO(autodiff::activation_name(act));
      check_against_differences(f, {0.3, -0.5}, 4, 2e-6);
    }
  }
  SECTION("a Hamiltonian network") {
    auto params = std::make_shared<nn::MlpParams>(
        nn::make_mlp(2, 16, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 2, nn::ModelKind::hnn));
    const ode::Field f = nn::MlpField(params).field("hnn", {"p", "q"});
    check_against_differences(f, {0.3, -0.5}, 4, 2e-6);
  }
}

namespace {

/// The same network as a field that has no batched jets: the generic wrapper hides the
/// network's own `jets`, so batches of jets go point by point through Point<Jet>.
ode::Field point_by_point(const ode::Field& f) {
  return ode::Field(f.name(), f.names(), [f](const auto& y) { return f(y); });
}

autodiff::Tensor<double> random_points(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  autodiff::Tensor<double> points = autodiff::zeros<double>(n, 2);
  for (double& x : points) x = std::uniform_real_distribution<double>(-2, 2)(rng);
  return points;
}

}  // namespace

TEST_CASE("elementary differentials of networks from batched jets equal those from each point's jets",
          "[elementary]") {
  const autodiff::Tensor<double> points = random_points(150, 3);  // two full chunks of 64 and a tail
  const imde::ElementaryDifferentials ed(6);
  for (auto kind : {nn::ModelKind::node, nn::ModelKind::hnn}) {
    auto params = std::make_shared<nn::MlpParams>(
        nn::make_mlp(2, 32, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 8, kind));
    const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
    const auto batched = ed(f, points), pointwise = ed(point_by_point(f), points);
    for (std::size_t t = 0; t < batched.size(); ++t) {
      double scale = 1e-3;
      for (double v : pointwise[t]) scale = std::max(scale, std::abs(v));
      double worst = 0;
      for (std::size_t i = 0; i < points.size(); ++i)
        worst = std::max(worst, std::abs(batched[t].data()[i] - pointwise[t].data()[i]));
      INFO((kind == nn::ModelKind::hnn ? "hnn " : "node ") << ed.trees().differential(static_cast<int>(t)));
      CHECK(worst <= 1e-13 * scale);
    }
  }
}

TEST_CASE("elementary differentials of a network are the same bits on one thread and on two", "[elementary][parallel]") {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 32, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 9));
  const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
  const autodiff::Tensor<double> points = random_points(300, 4);
  const imde::ElementaryDifferentials ed(5);
  std::vector<double> w(static_cast<std::size_t>(ed.trees().size()));
  for (std::size_t t = 0; t < w.size(); ++t) w[t] = 1.0 / double(t + 1);
  auto run = [&](int threads) {
    const autodiff::ThreadScope scope(threads);
    auto all = ed(f, points);
    all.push_back(ed.combine(f, w, points));
    return all;
  };
  const auto one = run(1), two = run(2);
  std::size_t differ = 0;
  for (std::size_t t = 0; t < one.size(); ++t)
    for (std::size_t i = 0; i < points.size(); ++i) differ += one[t].data()[i] != two[t].data()[i];
  CHECK(differ == 0);
}

// A point alone is a batch of one: its few coefficient rows take the GEMM's dot-product path
// (gemm_small_m), a chunk of points the blocked one, so the two agree to rounding, not to the bit.
TEST_CASE("a batch of points gives the values of each point alone", "[elementary]") {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 32, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 1));
  const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
  std::mt19937_64 rng(5);
  autodiff::Tensor<double> points = autodiff::zeros<double>(37, 2);
  for (double& x : points) x = std::uniform_real_distribution<double>(-2, 2)(rng);
  const imde::ElementaryDifferentials ed(6);
  const auto batch = ed(f, points);
  std::vector<double> w(static_cast<std::size_t>(ed.trees().size()));
  for (std::size_t t = 0; t < w.size(); ++t) w[t] = 1.0 / double(t + 1);
  const autodiff::Tensor<double> sum = ed.combine(f, w, points);
  std::vector<double> scale(w.size(), 1e-3);  // max |F(τ)| over the points
  for (std::size_t t = 0; t < w.size(); ++t)
    for (double v : batch[t]) scale[t] = std::max(scale[t], std::abs(v));
  for (std::size_t i = 0; i < 37; ++i) {
    const auto one = ed.at(f, std::vector<double>{points(i, 0), points(i, 1)});
    for (std::size_t k = 0; k < 2; ++k) {
      double s = 0;
      for (std::size_t t = 0; t < w.size(); ++t) {
        INFO(ed.trees().differential(static_cast<int>(t)) << " at point " << i);
        CHECK(std::abs(batch[t](i, k) - one[t][k]) <= 1e-13 * scale[t]);
        s += w[t] * one[t][k];
      }
      CHECK(sum(i, k) == Approx(s).epsilon(1e-13));
    }
  }
  CHECK_THROWS_WITH(ed.at(f, std::vector<double>{1.0, 2.0, 3.0}),
                    Catch::Contains("points of dimension 3, expected 2"));
}
