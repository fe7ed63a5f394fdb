// `nimde compare` end to end on a pendulum model trained with Euler. Every number it prints is
// recomputed here independently: the network from the model file's layers by hand, the IMDE
// and the modified equation of Euler from hand-derived pendulum formulas (paper-setup.md), the
// network's f'f by central differences.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "nn/dataset.hpp"
#include "nn/model_file.hpp"
#include "ode/systems.hpp"
#include "tests/support/cli_run.hpp"

using nimde::test::run_cli;
namespace fs = std::filesystem;

namespace {

using Vec = std::vector<double>;
using Fn = std::function<Vec(const Vec&)>;

/// The network of a model file, layer by layer from its JSON (tanh hidden layers).
Fn network_of(const nlohmann::json& model) {
  return [layers = model["layers"]](const Vec& x) {
    Vec a = x;
    for (const auto& layer : layers) {
      Vec z;
      for (std::size_t i = 0; i < layer["weight"].size(); ++i) {
        double s = layer["bias"][i].get<double>();
        for (std::size_t j = 0; j < a.size(); ++j) s += layer["weight"][i][j].get<double>() * a[j];
        z.push_back(layer["activation"] == "tanh" ? std::tanh(s) : s);
      }
      a = z;
    }
    return a;
  };
}

/// g'(x) v by central differences.
Vec directional(const Fn& g, const Vec& x, const Vec& v) {
  const double eps = 1e-5;
  Vec xp = x, xm = x;
  for (std::size_t k = 0; k < x.size(); ++k) xp[k] += eps * v[k], xm[k] -= eps * v[k];
  const Vec gp = g(xp), gm = g(xm);
  Vec r(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) r[k] = (gp[k] - gm[k]) / (2 * eps);
  return r;
}

/// The paper's metric: mean over points of the max-norm of a − b.
double error(const Fn& a, const Fn& b, const nimde::autodiff::Tensor<double>& x) {
  double sum = 0;
  for (std::size_t i = 0; i < x.shape(0); ++i) {
    const Vec y{x(i, 0), x(i, 1)}, fa = a(y), fb = b(y);
    sum += std::max(std::abs(fa[0] - fb[0]), std::abs(fa[1] - fb[1]));
  }
  return sum / static_cast<double>(x.shape(0));
}

}  // namespace

TEST_CASE("compare reports what an Euler-trained network learned, and corrects it", "[cli][compare]") {
  const std::string dir = (fs::temp_directory_path() / "nimde_cli_compare").string();
  fs::remove_all(dir);
  const auto train = run_cli({"train", "--system", "pendulum", "--method", "euler", "--steps", "1", "--T", "0.1",
                              "--points", "400", "--test-points", "100", "--width", "32", "--optimizer", "lbfgs",
                              "--iters", "300", "--dtype", "f64", "--seed", "5", "--out", dir});
  INFO(train.err);
  REQUIRE(train.code == 0);
  const std::string model_path = dir + "/model.json";
  const auto run = run_cli({"compare", "--model", model_path, "--order", "2", "--correct", "1", "--test-points", "300",
                            "--format", "json"});
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto j = nlohmann::json::parse(run.out);
  REQUIRE(j["error_imde"].size() == 3);
  const double h = j["h"].get<double>();
  CHECK(h == Approx(0.1).epsilon(1e-15));
  CHECK(j["points"] == 300);

  // The same test set as the command: the model's system, seed and training size.
  const nimde::nn::Model model = nimde::nn::load_model(model_path);
  const auto x = nimde::nn::make_split(model.true_system(), model.training.value("points", std::size_t{0}), 300,
                                       model.T, model.seed)
                     .test.x;
  std::ifstream in(model_path);
  const Fn net = network_of(nlohmann::json::parse(in));

  // Pendulum f = (−10 sin q, p); f'f = (−10 p cos q, −10 sin q); f''(f,f) = (10 p² sin q, 0);
  // f'f'f = (100 sin q cos q, −10 p cos q). Euler's IMDE: f + h/2 f'f + h²(1/6 f''(f,f) + 1/6 f'f'f).
  const auto imde = [h](int order) -> Fn {
    return [h, order](const Vec& y) {
      const double p = y[0], s = std::sin(y[1]), c = std::cos(y[1]);
      Vec r{-10 * s, p};
      if (order >= 1) r[0] += h / 2 * (-10 * p * c), r[1] += h / 2 * (-10 * s);
      if (order >= 2) r[0] += h * h / 6 * (10 * p * p * s + 100 * s * c), r[1] += h * h / 6 * (-10 * p * c);
      return r;
    };
  };
  const double e0 = error(net, imde(0), x), e1 = error(net, imde(1), x), e2 = error(net, imde(2), x);
  CHECK(j["error_true"].get<double>() == Approx(e0).epsilon(1e-12));
  CHECK(j["error_imde"][0]["error"].get<double>() == Approx(e0).epsilon(1e-12));
  CHECK(j["error_imde"][1]["error"].get<double>() == Approx(e1).epsilon(1e-12));
  CHECK(j["error_imde"][2]["error"].get<double>() == Approx(e2).epsilon(1e-12));

  // Euler's modified equation to h: f̃ = f_θ − h/2 f_θ' f_θ, applied to the network.
  const Fn corrected = [&](const Vec& y) {
    const Vec f = net(y), ff = directional(net, y, f);
    return Vec{f[0] - h / 2 * ff[0], f[1] - h / 2 * ff[1]};
  };
  CHECK(j["corrected"]["order"] == 1);
  CHECK(j["corrected"]["error"].get<double>() == Approx(error(corrected, imde(0), x)).epsilon(1e-6));

  // The paper's claim, and ours: the network is much nearer the IMDE than the true field, and
  // correcting it recovers the true field to about the same accuracy.
  CHECK(e1 < e0 / 3);
  CHECK(j["corrected"]["error"].get<double>() < e0 / 3);

  // Text and CSV carry the same numbers.
  const auto csv = run_cli({"compare", "--model", model_path, "--order", "1", "--test-points", "300", "--format", "csv"});
  REQUIRE(csv.code == 0);
  CHECK_THAT(csv.out, Catch::StartsWith("against,order,error\nf,,"));
  const auto text = run_cli({"compare", "--model", model_path, "--test-points", "300"});
  REQUIRE(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("Error(f_theta, f_h^[3])"));
}

TEST_CASE("compare refuses bad options in one line naming the value", "[cli][compare]") {
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const Case cases[] = {
      {{"compare", "--model", "/nonexistent/model.json"}, "/nonexistent/model.json"},
      {{"compare", "--model", "m.json", "--order", "9"}, "--order 9"},
      {{"compare", "--model", "m.json", "--format", "xml"}, "xml"},
      {{"compare", "--model", "m.json", "--test-points", "0"}, "--test-points"},
  };
  for (const Case& c : cases) nimde::test::check_one_line_error(run_cli(c.args), c.named);
}
