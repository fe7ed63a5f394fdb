// Model files round-trip exactly and reject bad input naming the offending key.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "nn/model_file.hpp"

using namespace nimde;

namespace {

nn::Model sample_model() {
  nn::Model m;
  m.net = nn::make_mlp(2, 8, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 5);
  m.net.biases[0](0, 3) = 1.0 / 3.0;  // a value with a long expansion
  m.system = "pendulum";
  m.method = "euler";
  m.steps = 2;
  m.T = 0.04;
  m.seed = 5;
  m.names = {"p", "q"};
  m.training = {{"iterations", 10}, {"optimizer", "adam"}, {"train_loss", 1e-7}, {"test_loss", 2e-7}};
  return m;
}

}  // namespace

TEST_CASE("model files round-trip every weight bit for bit", "[model]") {
  const nn::Model m = sample_model();
  const std::string path = (std::filesystem::temp_directory_path() / "nimde_model_roundtrip.json").string();
  nn::save_model(m, path);
  const nn::Model r = nn::load_model(path);
  REQUIRE(r.net.layers() == m.net.layers());
  for (std::size_t l = 0; l < m.net.layers(); ++l) {
    REQUIRE(r.net.weights[l].shape() == m.net.weights[l].shape());
    CHECK(std::memcmp(r.net.weights[l].data(), m.net.weights[l].data(), m.net.weights[l].size() * sizeof(double)) == 0);
    CHECK(std::memcmp(r.net.biases[l].data(), m.net.biases[l].data(), m.net.biases[l].size() * sizeof(double)) == 0);
    CHECK(r.net.activations[l] == m.net.activations[l]);
  }
  CHECK(r.system == "pendulum");
  CHECK(r.steps == 2);
  CHECK(r.T == 0.04);
  CHECK(r.training["optimizer"] == "adam");
  std::filesystem::remove(path);
}

TEST_CASE("loading names the offending key", "[model]") {
  nlohmann::json j = nn::to_json(sample_model());
  auto fails_with = [](nlohmann::json bad, const std::string& key) {
    INFO(key);
    CHECK_THROWS_WITH(nn::model_from_json(bad), Catch::Contains(key));
  };
  nlohmann::json a = j;
  a["format"] = "other";
  fails_with(a, "\"format\"");
  a = j;
  a["version"] = 2;
  fails_with(a, "\"version\"");
  a = j;
  a["layers"][1]["weight"][3].erase(0);
  fails_with(a, "layers[1].weight[3]");
  a = j;
  a["layers"][0]["bias"][2] = "x";
  fails_with(a, "layers[0].bias[2]");
  a = j;
  a["layers"][2]["activation"] = "swish";
  fails_with(a, "layers[2].activation");
  a = j;
  a.erase("T");
  fails_with(a, "\"T\"");
  a = j;
  a["dtype"] = "f16";
  fails_with(a, "\"dtype\"");
}

TEST_CASE("orthogonal initialisation gives orthonormal rows or columns", "[model]") {
  const nn::MlpParams p = nn::make_mlp(3, 16, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 1);
  for (const auto& W : p.weights) {
    const std::size_t rows = W.shape()[0], cols = W.shape()[1];
    const bool tall = rows >= cols;
    const std::size_t n = tall ? cols : rows, m = tall ? rows : cols;
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; b < n; ++b) {
        double dot = 0;
        for (std::size_t k = 0; k < m; ++k) dot += tall ? W(k, a) * W(k, b) : W(a, k) * W(b, k);
        CHECK(dot == Approx(a == b ? 1.0 : 0.0).margin(1e-12));
      }
  }
}
