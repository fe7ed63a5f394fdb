// `nimde imde eval` end to end: values against hand derivations, the sources of a field (system,
// expression, model file) and of points (--at, --points), and one-line errors.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"
#include "tests/support/linear_model.hpp"

#include "imde/field_series.hpp"
#include "imde/series_field.hpp"
#include "nn/model_file.hpp"

namespace {

using Run = nimde::test::CliRun;
using nimde::test::csv_rows;
using nimde::test::run_cli_line;

std::string temp_path(const std::string& name) { return (std::filesystem::temp_directory_path() / name).string(); }

}  // namespace

TEST_CASE("nimde imde eval gives Euler's f + h/2 f'f on the pendulum", "[cli]") {
  // f = (−10 sin q, p), f'f = (−10 p cos q, −10 sin q).
  const Run run = run_cli_line("imde eval --system pendulum --method euler --h 0.1 --order 1 --at 0.5,0.3");
  REQUIRE(run.code == 0);
  std::string header;
  const auto rows = csv_rows(run.out, header);
  CHECK(header == "p,q");
  REQUIRE(rows.size() == 1);
  const double p = 0.5, q = 0.3, h = 0.1;
  CHECK(rows[0][0] == Approx(-10 * std::sin(q) + h / 2 * (-10 * p * std::cos(q))).epsilon(1e-15));
  CHECK(rows[0][1] == Approx(p + h / 2 * (-10 * std::sin(q))).epsilon(1e-15));
}

TEST_CASE("nimde imde eval reads points from --at and from a CSV file, for systems and expressions alike", "[cli]") {
  const std::string path = temp_path("nimde_cli_imde_points.csv");
  std::ofstream(path) << "p,q\n0,1\n# a comment\n\n0.5,0.3\n";
  const std::string tableau = temp_path("nimde_cli_imde_my_rk4.json");
  std::ofstream(tableau) << R"({"name": "my-rk4", "A": [[0, 0, 0, 0], ["1/2", 0, 0, 0], [0, "1/2", 0, 0], [0, 0, 1, 0]],
                                "b": ["1/6", "1/3", "1/3", "1/6"]})";
  const Run from_file = run_cli_line("imde eval --system pendulum --method rk4 --h 0.2 --order 4 --points " + path);
  const Run from_at = run_cli_line("imde eval --field \"p' = -a*sin(q); q' = p\" --param a=10 --tableau " + tableau +
                              " --h 0.2 --order 4 --at 0,1 --at 0.5,0.3 --format json");
  REQUIRE(from_file.code == 0);
  std::string header;
  const auto rows = csv_rows(from_file.out, header);
  REQUIRE(rows.size() == 2);
  if (from_at.code == 0) {
    const auto j = nlohmann::json::parse(from_at.out);
    CHECK(j["columns"] == nlohmann::json{"p", "q"});
    CHECK(j["order"] == 4);
    CHECK(j["kind"] == "inverse");
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t k = 0; k < 2; ++k) CHECK(j["rows"][i][k].get<double>() == Approx(rows[i][k]).epsilon(1e-14));
  } else {
    FAIL(from_at.err);
  }
}

TEST_CASE("nimde imde eval of a model file uses the model's method and step by default", "[cli]") {
  // A linear "network" f(y) = W y with W the rotation [[0, −1], [1, 0]]: F of the tall tree with k
  // nodes is W^(k−1) f and Euler's IMDE keeps only those, (e^(hW) − I)/(hW) f, whose terms to h²
  // are f + h/2 W f + h²/6 W² f. With f = (−q, p): W f = (−p, −q), W² f = (q, −p).
  const std::string path = temp_path("nimde_cli_imde_linear_model.json");
  nlohmann::json model = nimde::test::rotation_model("euler");
  std::ofstream(path) << model.dump();
  const Run run = run_cli_line("imde eval --model " + path + " --order 2 --at 0.5,0.3");
  REQUIRE(run.code == 0);
  std::string header;
  const auto rows = csv_rows(run.out, header);
  const double p = 0.5, q = 0.3, h = 0.1;
  CHECK(rows[0][0] == Approx(-q + h / 2 * -p + h * h / 6 * q).epsilon(1e-15));
  CHECK(rows[0][1] == Approx(p + h / 2 * -q + h * h / 6 * -p).epsilon(1e-15));

  // A tanh network: the command line prints what the library computes.
  model["layers"] = {{{"weight", {{0.3, -1.1}, {0.8, 0.4}, {-0.5, 0.9}}}, {"bias", {0.1, -0.2, 0.05}}, {"activation", "tanh"}},
                     {{"weight", {{1.2, -0.7, 0.4}, {0.6, 0.9, -1.3}}}, {"bias", {0.0, 0.3}}, {"activation", "identity"}}};
  model["method"] = "midpoint";
  std::ofstream(path) << model.dump();
  const Run net = run_cli_line("imde eval --model " + path + " --order 3 --at 0.5,0.3 --kind modified");
  REQUIRE(net.code == 0);
  const nimde::nn::Model m = nimde::nn::load_model(path);
  const nimde::ode::Field f = nimde::nn::MlpField(std::make_shared<nimde::nn::MlpParams>(m.net)).field("net", m.names);
  const nimde::imde::SeriesField fh(nimde::imde::modified_equation(nimde::ode::rk_tableau("midpoint"), 3), f, 0.1);
  const std::vector<double> expected = fh(std::vector<double>{0.5, 0.3});
  const auto net_rows = csv_rows(net.out, header);
  CHECK(net_rows[0][0] == Approx(expected[0]).epsilon(1e-15));
  CHECK(net_rows[0][1] == Approx(expected[1]).epsilon(1e-15));

  // A model trained with a partitioned method has no B-series IMDE; --method overrides it.
  model["method"] = "stormer-verlet";
  std::ofstream(path) << model.dump();
  const Run partitioned = run_cli_line("imde eval --model " + path + " --order 1 --at 0.5,0.3");
  CHECK(partitioned.code == 1);
  CHECK(partitioned.err.find(": method 'stormer-verlet' is not a Runge-Kutta method") != std::string::npos);
  CHECK(run_cli_line("imde eval --model " + path + " --method midpoint --order 1 --at 0.5,0.3").code == 0);
}

TEST_CASE("nimde imde eval reports bad input in one line naming the value", "[cli]") {
  const std::string base = "imde eval --system pendulum --method euler --h 0.1 --order 2 ";
  const std::string bad_header = temp_path("nimde_cli_imde_bad_header.csv");
  std::ofstream(bad_header) << "a,b\n1,2\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {base + "--at 1,2,3", "--at '1,2,3' has 3 values, expected 2"},
      {base + "--at 1,x", "'x'"},
      {"imde eval --system pendulum --method euler --h -0.1 --order 2 --at 1,2", "--h must be > 0, got '-0.1'"},
      {"imde eval --system pendulum --method euler --h 0.1 --order 9 --at 1,2", "--order 9 is out of range 0..8"},
      {base + "--kind sideways --at 1,2", "--kind 'sideways' is not one of inverse, modified"},
      {"imde eval --system pendulum --method sv6 --h 0.1 --order 2 --at 1,2", "--method 'sv6' is not a Runge-Kutta method"},
      {"imde eval --system pendulum --h 0.1 --order 2 --at 1,2", "give exactly one of --method NAME and --tableau FILE"},
      {"imde eval --method euler --h 0.1 --order 2 --at 1,2", "give exactly one of --system NAME, --field EXPR and --model FILE"},
      {base, "give exactly one of --at"},
      {base + "--points " + bad_header, bad_header + ": line 1 'a,b': does not name the variables p,q"},
      {base + "--points /nonexistent/points.csv", "cannot read /nonexistent/points.csv: No such file or directory"},
  };
  for (const auto& [args, message] : cases) {
    const Run run = run_cli_line(args);
    INFO(args);
    CHECK(run.code == 1);
    nimde::test::check_one_line_error(run, message);
  }
}
