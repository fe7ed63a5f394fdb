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
    CHECK_THROWS_WITH(nn::model_from_json(bad), Catch::StartsWith(key));
  };
  nlohmann::json a = j;
  a["format"] = "other";
  fails_with(a, "format 'other': must be \"nimde-model\"");
  a = j;
  a["version"] = 2;
  fails_with(a, "version 2: must be an integer from 1 to 1");
  a = j;
  a["layers"][1]["weight"][3].erase(0);
  fails_with(a, "layers[1].weight[3]");
  a = j;
  a["layers"][0]["bias"][2] = "x";
  fails_with(a, "layers[0].bias[2]");
  a = j;
  a["layers"][2]["activation"] = "swish";
  fails_with(a, "layers[2].activation 'swish'");
  a = j;
  a.erase("T");
  fails_with(a, "T: is missing");
  a = j;
  a["dtype"] = "f16";
  fails_with(a, "dtype f16: use one of f32, f64");
}

TEST_CASE("every key of a model file is range-checked, naming the key and the range", "[model]") {
  const nlohmann::json j = nn::to_json(sample_model());
  const auto error = [&](const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json bad = j;
    bad[nlohmann::json::json_pointer(pointer)] = value;
    try {
      nn::model_from_json(bad);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  // 4294967297 = 2^32 + 1 used to be read as S = 1, and 10^10 made eval loop for hours.
  CHECK(error("/steps", 4294967297ull) == "steps 4294967297: must be an integer from 1 to 100000");
  CHECK(error("/steps", 10000000000ull) == "steps 10000000000: must be an integer from 1 to 100000");
  CHECK(error("/steps", 2.5) == "steps 2.5: must be an integer from 1 to 100000");
  // training.points sizes the test set eval draws: 2e8 was 2.5 GB, 1e12 std::bad_alloc.
  CHECK(error("/training/points", 200000000) == "training.points 200000000: must be an integer from 1 to 10000000");
  CHECK(error("/training/points", 1e12) == "training.points 1000000000000.0: must be an integer from 1 to 10000000");
  CHECK(error("/training/test_points", -1) == "training.test_points -1: must be an integer from 1 to 10000000");
  // Wrong types name the key (they were nlohmann's type_error, naming nothing).
  CHECK(error("/dtype", 32) == "dtype 32: must be a string");
  CHECK(error("/layers/0/activation", 1) == "layers[0].activation 1: must be a string");
  CHECK(error("/names", nlohmann::json::array({"p"})) == "names [\"p\"]: must be an array of 2 names (one per dimension)");
  CHECK(error("/names", nlohmann::json::array({"a", "b"})) == "names [\"a\",\"b\"]: are not the system's variables");
  CHECK(error("/dim", 3) == "names [\"p\",\"q\"]: must be an array of 3 names (one per dimension)");
  CHECK(error("/dim", 0) == "dim 0: must be an integer from 1 to 1024");
  CHECK(error("/T", -1) == "T -1: must be a finite number from 0 to 1.7976931348623157e+308");
  CHECK(error("/T", 0) == "T 0: must be positive");
  CHECK(error("/seed", -3) == "seed -3: must be an integer from 0 to 18446744073709551615");
  CHECK(error("/method", "rk5").rfind("method 'rk5': unknown method 'rk5'", 0) == 0);
  CHECK(error("/system", "pendulim").rfind("system 'pendulim': ", 0) == 0);
  CHECK(error("/training/optimizer", "adagrad") == "training.optimizer adagrad: use one of adam, lbfgs, sgd");
  CHECK(error("/training/train_loss", "low") == "training.train_loss \"low\": must be a finite number from 0 to 1.7976931348623157e+308");
  CHECK(error("/layers/1/weight", nlohmann::json::array()).rfind("layers[1].weight []: must be an array of 1 to 8192 rows", 0) == 0);
  CHECK(error("/training/iterations", 50) == "(no error)");
}

TEST_CASE("a user field's model file checks its field, parameters and domain", "[model]") {
  nn::Model m = sample_model();
  m.system = "expression";
  m.field = "p' = -a*sin(q); q' = p";
  m.field_params = {{"a", 10}};
  m.domain = {{-1, 1}, {-2, 2}};
  const nlohmann::json j = nn::to_json(m);
  CHECK(nn::model_from_json(j).field_params.at("a") == 10);
  nlohmann::json bad = j;
  bad["domain"] = nlohmann::json::array({nlohmann::json::array({1, 0}), nlohmann::json::array({0, 1})});
  CHECK_THROWS_WITH(nn::model_from_json(bad), "domain[0] [1,0]: lo must be below hi");
  bad = j;
  bad["field"] = "p' = 1e999; q' = p";
  CHECK_THROWS_WITH(nn::model_from_json(bad), Catch::StartsWith("field \"p' = 1e999; q' = p\": number '1e999'") &&
                                                  Catch::Contains("too large for a double"));
  bad = j;
  bad["params"]["a"] = "ten";
  CHECK_THROWS_WITH(nn::model_from_json(bad), Catch::StartsWith("params.a \"ten\": must be a finite number"));
}

TEST_CASE("a model file's errors name the file", "[model]") {
  const std::string path = (std::filesystem::temp_directory_path() / "nimde_model_bad_steps.json").string();
  nlohmann::json j = nn::to_json(sample_model());
  j["steps"] = 4294967297ull;
  std::ofstream(path) << j.dump();
  CHECK_THROWS_WITH(nn::load_model(path), path + ": steps 4294967297: must be an integer from 1 to 100000");
  std::ofstream(path) << "{\"training\": " + std::string(1 << 20, '[');
  CHECK_THROWS_WITH(nn::load_model(path), path + ": JSON: nested deeper than 32 levels");
  std::ofstream(path) << "{\"format\": ";
  CHECK_THROWS_WITH(nn::load_model(path), Catch::StartsWith(path + ": [json.exception.parse_error"));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(nn::load_model(path), "cannot read " + path + ": No such file or directory");
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
