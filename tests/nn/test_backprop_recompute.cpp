// Backprop::recompute keeps only each unrolled step's input and re-records the steps one at a
// time in backward: its loss and every parameter gradient must equal the single tape's to the
// bit, for explicit, implicit and partitioned methods, any S, float and double, minibatches.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "autodiff/parallel.hpp"
#include "nn/dataset.hpp"
#include "nn/objective.hpp"
#include "nn/trainer.hpp"
#include "ode/systems.hpp"

using namespace nimde;

namespace {

bool same_bits(const autodiff::Tensor<double>& a, const autodiff::Tensor<double>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("recomputing the steps in backward gives the single tape's gradient to the bit", "[objective][recompute]") {
  const ode::System pendulum = ode::system("pendulum");
  // 37 points: rows that do not fill a SIMD register or split evenly between threads.
  const nn::Dataset data = nn::make_dataset(pendulum, 37, 0.08, 5);
  const auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 24, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 9));
  for (const std::string method : {"euler", "rk4", "implicit-midpoint", "stormer-verlet"}) {
    for (const int steps : {1, 3}) {
      for (const std::string dtype : {"f32", "f64"}) {
        INFO(method << ", S = " << steps << ", " << dtype);
        const nn::MlpField net(params);
        auto taped = nn::make_objective(net, ode::method(method), steps, 0.08, data.x, data.y, dtype, nn::Backprop::taped);
        auto recomputed =
            nn::make_objective(net, ode::method(method), steps, 0.08, data.x, data.y, dtype, nn::Backprop::recompute);
        std::vector<autodiff::Tensor<double>> g_taped, g_recomputed;
        const double l_taped = taped->loss_and_grad(g_taped), l_recomputed = recomputed->loss_and_grad(g_recomputed);
        CHECK(std::memcmp(&l_taped, &l_recomputed, sizeof(double)) == 0);
        REQUIRE(g_taped.size() == g_recomputed.size());
        for (std::size_t i = 0; i < g_taped.size(); ++i) CHECK(same_bits(g_taped[i], g_recomputed[i]));
        // A second call reuses the buffers and still agrees; so does a minibatch.
        recomputed->loss_and_grad(g_recomputed);
        for (std::size_t i = 0; i < g_taped.size(); ++i) CHECK(same_bits(g_taped[i], g_recomputed[i]));
        taped->select_rows({3, 1, 30, 7});
        recomputed->select_rows({3, 1, 30, 7});
        taped->loss_and_grad(g_taped);
        recomputed->loss_and_grad(g_recomputed);
        for (std::size_t i = 0; i < g_taped.size(); ++i) CHECK(same_bits(g_taped[i], g_recomputed[i]));
      }
    }
  }
}

TEST_CASE("recomputed gradients do not depend on the thread count", "[objective][recompute]") {
  const nn::Dataset data = nn::make_dataset(ode::system("pendulum"), 301, 0.04, 2);
  const auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 64, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 1));
  std::vector<autodiff::Tensor<double>> g1, g2;
  {
    autodiff::ThreadScope one(1);
    nn::make_objective(nn::MlpField(params), ode::method("midpoint"), 4, 0.04, data.x, data.y, "f32",
                       nn::Backprop::recompute)
        ->loss_and_grad(g1);
  }
  {
    autodiff::ThreadScope two(2);
    nn::make_objective(nn::MlpField(params), ode::method("midpoint"), 4, 0.04, data.x, data.y, "f32",
                       nn::Backprop::recompute)
        ->loss_and_grad(g2);
  }
  for (std::size_t i = 0; i < g1.size(); ++i) CHECK(same_bits(g1[i], g2[i]));
}

TEST_CASE("a training through recomputed steps writes the taped training's model", "[objective][recompute][trainer]") {
  namespace fs = std::filesystem;
  auto config = [](const std::string& name, nn::Backprop backprop) {
    nn::TrainConfig c;
    c.system = "pendulum";
    c.method = "rk4";
    c.steps = 3;
    c.points = 120;
    c.test_points = 30;
    c.width = 16;
    c.iterations = 30;
    c.checkpoint_every = 10;
    c.backprop = backprop;
    c.out = (fs::temp_directory_path() / (name + std::to_string(::getpid()))).string();
    fs::remove_all(c.out);
    return c;
  };
  const nn::TrainConfig taped = config("nimde_backprop_taped", nn::Backprop::taped),
                        recomputed = config("nimde_backprop_recomputed", nn::Backprop::recompute);
  nn::NullProgress quiet;
  nn::train(taped, quiet);
  nn::train(recomputed, quiet);
  auto text = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  CHECK(text(taped.out + "/model.json") == text(recomputed.out + "/model.json"));
  CHECK(text(taped.out + "/loss.csv") == text(recomputed.out + "/loss.csv"));
  fs::remove_all(taped.out);
  fs::remove_all(recomputed.out);
}
