// Elementary differentials of network fields: the imde machinery applied to nn's MLPs, checked
// against central differences, and batches against single points.
#include <memory>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

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
}

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
  for (std::size_t i = 0; i < 37; ++i) {
    const auto one = ed.at(f, std::vector<double>{points(i, 0), points(i, 1)});
    for (std::size_t k = 0; k < 2; ++k) {
      double s = 0;
      for (std::size_t t = 0; t < w.size(); ++t) {
        CHECK(batch[t](i, k) == one[t][k]);
        s += w[t] * one[t][k];
      }
      CHECK(sum(i, k) == Approx(s).epsilon(1e-13));
    }
  }
  CHECK_THROWS_WITH(ed.at(f, std::vector<double>{1.0, 2.0, 3.0}),
                    Catch::Contains("points of dimension 3, expected 2"));
}
