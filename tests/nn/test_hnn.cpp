// Hamiltonian networks: the field J⁻¹∇H_θ on every kind of state against central differences
// of H_θ, the training objective's gradient (a gradient of a gradient) against differences of
// the loss, the bitwise guarantees of the first-order path (threads, recomputed steps), and the
// model file's kind.
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/parallel.hpp"
#include "nn/dataset.hpp"
#include "nn/model_file.hpp"
#include "nn/objective.hpp"
#include "ode/systems.hpp"

using namespace nimde;
using autodiff::Tensor;

namespace {

std::shared_ptr<nn::MlpParams> hnn(std::size_t dim, std::size_t width, autodiff::Activation act, std::uint64_t seed) {
  return std::make_shared<nn::MlpParams>(
      nn::make_mlp(dim, width, 2, act, nn::Init::glorot_normal, seed, nn::ModelKind::hnn));
}

double h_at(const nn::MlpParams& p, std::vector<double> y) {
  Tensor<double> t = autodiff::zeros<double>(1, y.size());
  std::copy(y.begin(), y.end(), t.begin());
  return nn::hamiltonian(p, t)(0, 0);
}

/// J⁻¹∇H at y by fourth-order central differences of H: (−∂H/∂q, ∂H/∂p).
std::vector<double> field_by_differences(const nn::MlpParams& p, const std::vector<double>& y) {
  const std::size_t d = y.size(), m = d / 2;
  const double e = 1e-3;
  std::vector<double> grad(d);
  for (std::size_t k = 0; k < d; ++k) {
    auto at = [&](double s) {
      std::vector<double> z = y;
      z[k] += s * e;
      return h_at(p, z);
    };
    grad[k] = (8 * (at(1) - at(-1)) - (at(2) - at(-2))) / (12 * e);
  }
  std::vector<double> f(d);
  for (std::size_t k = 0; k < m; ++k) {
    f[k] = -grad[m + k];
    f[m + k] = grad[k];
  }
  return f;
}

bool same_bits(const Tensor<double>& a, const Tensor<double>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("a Hamiltonian network's field is J^-1 grad H on every kind of state", "[hnn]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  for (const auto act : {autodiff::Activation::tanh, autodiff::Activation::sigmoid, autodiff::Activation::softplus,
                         autodiff::Activation::sin}) {
    for (const std::size_t dim : {2, 4}) {
      INFO(autodiff::activation_name(act) << ", dimension " << dim);
      const auto params = hnn(dim, 19, act, 3 + dim);
      std::vector<std::string> names;
      for (std::size_t k = 0; k < dim; ++k) names.push_back("y" + std::to_string(k));
      const ode::Field f = nn::MlpField(params).field("hnn", names);
      // 13 rows: not a multiple of a SIMD register.
      Tensor<double> y = autodiff::zeros<double>(13, dim);
      for (double& v : y) v = u(rng);
      const Tensor<double> batch = f(autodiff::Array<double>(y)).value();
      Tensor<float> yf(y.shape());
      std::copy(y.begin(), y.end(), yf.begin());
      const Tensor<float> batch_f = f(autodiff::Array<float>(yf)).value();
      autodiff::Tape<double> tape;
      const Tensor<double> taped = f(tape.constant(y)).value();
      for (std::size_t i = 0; i < 13; ++i) {
        std::vector<double> yi(y.begin() + long(i * dim), y.begin() + long((i + 1) * dim));
        const std::vector<double> point = f(ode::Point<double>{yi}).x, expected = field_by_differences(*params, yi);
        for (std::size_t k = 0; k < dim; ++k) {
          CHECK(point[k] == Approx(expected[k]).margin(1e-9));
          CHECK(batch(i, k) == Approx(point[k]).margin(1e-13));
          CHECK(taped(i, k) == batch(i, k));  // the same operations, recorded or not
          CHECK(batch_f(i, k) == Approx(point[k]).margin(1e-5));
        }
      }
    }
  }
}

TEST_CASE("the jets of a Hamiltonian network's field are its derivatives", "[hnn][elementary]") {
  // One direction, degree 3: f(y + εv) = f + ε f'v + ε² f''(v,v)/2 + ε³ f'''(v,v,v)/6; the
  // coefficients against central differences of f along v.
  const auto params = hnn(2, 16, autodiff::Activation::tanh, 5);
  const ode::Field f = nn::MlpField(params).field("hnn", {"p", "q"});
  const autodiff::JetShape shape({3});
  const std::vector<double> y{0.4, -0.7}, v{0.6, 0.8};
  ode::Point<autodiff::Jet> yj;
  for (std::size_t k = 0; k < 2; ++k) yj.x.push_back(autodiff::Jet::variable(shape, 0.0, 0) * v[k] + y[k]);
  const std::vector<autodiff::Jet> fj = f(yj).x;
  auto along = [&](double s) {
    return f(ode::Point<double>{{y[0] + s * v[0], y[1] + s * v[1]}}).x;
  };
  const double e = 1e-2;
  for (std::size_t k = 0; k < 2; ++k) {
    const double f0 = along(0)[k], fp = along(e)[k], fm = along(-e)[k], fpp = along(2 * e)[k], fmm = along(-2 * e)[k];
    CHECK(fj[k][0] == Approx(f0).epsilon(1e-14));
    CHECK(fj[k][1] == Approx((8 * (fp - fm) - (fpp - fmm)) / (12 * e)).margin(1e-6));
    CHECK(fj[k][2] * 2 == Approx((fp - 2 * f0 + fm) / (e * e)).margin(1e-3));
    CHECK(fj[k][3] * 6 == Approx((fpp - 2 * fp + 2 * fm - fmm) / (2 * e * e * e)).margin(1e-2));
  }
}

TEST_CASE("the training loss of a Hamiltonian network has the gradient of its differences", "[hnn][objective]") {
  // The loss differentiates J⁻¹∇H_θ in θ: second derivatives of the network, through explicit
  // and implicit (stages iterated on the tape) methods and two unrolled steps.
  const nn::Dataset data = nn::make_dataset(ode::system("pendulum"), 23, 0.1, 4);
  const auto params = hnn(2, 12, autodiff::Activation::tanh, 8);
  for (const std::string method : {"euler", "rk4", "implicit-midpoint", "gauss4"}) {
    INFO(method);
    auto objective = nn::make_objective(nn::MlpField(params), ode::method(method), 2, 0.1, data.x, data.y, "f64");
    std::vector<Tensor<double>> grad;
    objective->loss_and_grad(grad);
    REQUIRE(grad.size() == 6);
    // A few entries of every tensor: W₀, b₀, W₁, b₁, W₂ (1 × 12), b₂ (H's constant: no gradient).
    for (std::size_t t = 0; t < grad.size(); ++t) {
      Tensor<double>& theta = t % 2 ? params->biases[t / 2] : params->weights[t / 2];
      for (std::size_t i = 0; i < theta.size(); i += 5) {
        const double keep = theta.data()[i], e = 1e-5;
        theta.data()[i] = keep + e;
        const double up = objective->loss();
        theta.data()[i] = keep - e;
        const double down = objective->loss();
        theta.data()[i] = keep;
        INFO("tensor " << t << ", entry " << i);
        CHECK(grad[t].data()[i] == Approx((up - down) / (2 * e)).margin(1e-9).epsilon(1e-5));
      }
    }
    CHECK(grad[5](0, 0) == 0);
  }
}

TEST_CASE("a Hamiltonian network's gradients do not depend on threads or on recomputing the steps", "[hnn][objective]") {
  const nn::Dataset data = nn::make_dataset(ode::system("pendulum"), 301, 0.04, 2);
  const auto params = hnn(2, 40, autodiff::Activation::tanh, 1);
  for (const std::string dtype : {"f32", "f64"}) {
    INFO(dtype);
    std::vector<Tensor<double>> one, two, recomputed;
    {
      autodiff::ThreadScope threads(1);
      nn::make_objective(nn::MlpField(params), ode::method("implicit-midpoint"), 3, 0.04, data.x, data.y, dtype)
          ->loss_and_grad(one);
    }
    {
      autodiff::ThreadScope threads(2);
      nn::make_objective(nn::MlpField(params), ode::method("implicit-midpoint"), 3, 0.04, data.x, data.y, dtype)
          ->loss_and_grad(two);
      nn::make_objective(nn::MlpField(params), ode::method("implicit-midpoint"), 3, 0.04, data.x, data.y, dtype,
                         nn::Backprop::recompute)
          ->loss_and_grad(recomputed);
    }
    for (std::size_t i = 0; i < one.size(); ++i) {
      CHECK(same_bits(one[i], two[i]));
      CHECK(same_bits(two[i], recomputed[i]));
    }
  }
}

TEST_CASE("a Hamiltonian network's flow through a symplectic method keeps H_theta", "[hnn]") {
  // Implicit midpoint conserves quadratic invariants exactly and every H up to O(h^2) without
  // drift; with the iteration converged, H_θ along 2000 steps stays within a small band.
  const auto params = hnn(2, 16, autodiff::Activation::tanh, 2);
  const ode::Field f = nn::MlpField(params).field("hnn", {"p", "q"});
  const ode::Method midpoint = ode::method("implicit-midpoint");
  autodiff::Array<double> y(autodiff::zeros<double>(1, 2));
  y.value()(0, 0) = 0.3;
  y.value()(0, 1) = 0.9;
  const double h0 = nn::hamiltonian(*params, y.value())(0, 0);
  double drift = 0;
  for (int s = 0; s < 2000; ++s) {
    y = midpoint.step(f, y, 0.05);
    drift = std::max(drift, std::abs(nn::hamiltonian(*params, y.value())(0, 0) - h0));
  }
  const double moved = std::abs(y.value()(0, 0) - 0.3) + std::abs(y.value()(0, 1) - 0.9);
  CHECK(moved > 1e-3);  // the flow did move
  CHECK(drift < 1e-4);
  // Explicit Euler on the same field does drift.
  autodiff::Array<double> z(autodiff::zeros<double>(1, 2));
  z.value()(0, 0) = 0.3;
  z.value()(0, 1) = 0.9;
  for (int s = 0; s < 2000; ++s) z = ode::method("euler").step(f, z, 0.05);
  CHECK(std::abs(nn::hamiltonian(*params, z.value())(0, 0) - h0) > 100 * drift);
}

TEST_CASE("model files record a Hamiltonian network and refuse one that cannot be", "[hnn][model]") {
  nn::Model m;
  m.net = *hnn(2, 8, autodiff::Activation::tanh, 4);
  m.system = "pendulum";
  m.method = "implicit-midpoint";
  m.T = 0.1;
  m.names = {"p", "q"};
  const nn::Model back = nn::model_from_json(nn::to_json(m));
  CHECK(back.net.kind == nn::ModelKind::hnn);
  CHECK(nn::to_json(back) == nn::to_json(m));
  auto refused = [](nlohmann::json j) {
    try {
      nn::model_from_json(j);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  nlohmann::json j = nn::to_json(m);
  j["kind"] = "node";  // a scalar network is not a field of dimension 2
  CHECK_THAT(refused(j), Catch::Contains("expected dim 2"));
  j["kind"] = "hamiltonian";
  CHECK_THAT(refused(j), Catch::Contains("kind hamiltonian: use one of node, hnn"));
  j = nn::to_json(m);
  j["system"] = "lotka-volterra";
  j["names"] = {"u", "v"};
  CHECK_THAT(refused(j), Catch::Contains("canonical"));
  j = nn::to_json(m);
  j["layers"][0]["activation"] = "relu";
  CHECK_THAT(refused(j), Catch::Contains("twice differentiable"));
  // A file without "kind" is a Neural ODE, as files were before Hamiltonian networks.
  nn::Model node = m;
  node.net = nn::make_mlp(2, 8, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 4);
  nlohmann::json old = nn::to_json(node);
  old.erase("kind");
  CHECK(nn::model_from_json(old).net.kind == nn::ModelKind::node);
}
