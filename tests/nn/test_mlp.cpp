// One forward pass, three kinds of state: a batch, a tape and single points agree.
#include <cmath>
#include <cstring>
#include <random>

#include <catch2/catch.hpp>

#include "nn/mlp.hpp"

using namespace nimde;

TEST_CASE("a network field gives the same values on a batch, a tape and single points", "[mlp]") {
  for (auto act : {autodiff::Activation::tanh, autodiff::Activation::sin, autodiff::Activation::softplus, autodiff::Activation::sigmoid}) {
    auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(3, 20, 2, act, nn::Init::glorot_normal, 2));
    nn::MlpField net(params);
    const ode::Field f = net.field("net", {"a", "b", "c"});
    std::mt19937_64 rng(1);
    autodiff::Tensor<double> x = autodiff::zeros<double>(7, 3);
    for (double& v : x) v = std::uniform_real_distribution<double>(-1, 1)(rng);

    const autodiff::Array<double> batch = f(autodiff::Array<double>(x));
    autodiff::Tape<double> tape;
    const autodiff::Var<double> taped = f(tape.constant(x));
    INFO(autodiff::activation_name(act));
    CHECK(std::memcmp(batch.value().data(), taped.value().data(), batch.value().size() * sizeof(double)) == 0);
    for (std::size_t i = 0; i < 7; ++i) {
      const ode::Point<double> y = f(ode::Point<double>{{x(i, 0), x(i, 1), x(i, 2)}});
      for (std::size_t k = 0; k < 3; ++k) CHECK(y.x[k] == Approx(batch.value()(i, k)).epsilon(1e-12));
    }
  }
}

TEST_CASE("a bound network gets gradients on the tape, an unbound one is constant", "[mlp]") {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 4, 1, autodiff::Activation::tanh, nn::Init::orthogonal, 3));
  nn::MlpField net(params);
  const ode::Field f = net.field("net", {"p", "q"});
  autodiff::Tape<double> tape;
  autodiff::Var<double> unbound = f(tape.constant(autodiff::zeros<double>(2, 2) + 0.5));
  CHECK_FALSE(unbound.requires_grad());
  const nn::TapeParams<double>& p = net.bind(tape);
  autodiff::Var<double> bound = f(tape.constant(autodiff::zeros<double>(2, 2) + 0.5));
  tape.backward(autodiff::sum(bound));
  CHECK(p.biases.back().grad()(0, 0) == Approx(2.0));  // d Σ_rows (W h + b)_0 / d b_0 = rows
}
