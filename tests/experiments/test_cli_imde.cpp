#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"

namespace {

using Run = nimde::test::CliRun;
using nimde::test::run_cli_line;

}  // namespace

TEST_CASE("nimde imde coefficients prints Euler's IMDE as JSON", "[cli]") {
  const Run run = run_cli_line("imde coefficients --method euler --order 3 --format json");
  REQUIRE(run.code == 0);
  const auto j = nlohmann::json::parse(run.out);
  CHECK(j["method"] == "euler");
  CHECK(j["kind"] == "inverse");
  CHECK(j["order"] == 3);
  CHECK(j["method_order"] == 1);
  const auto& terms = j["terms"];
  REQUIRE(terms.size() == 8);
  const char* differential[] = {"f", "f'f", "f''(f,f)", "f'f'f", "f'''(f,f,f)", "f''(f'f,f)", "f'f''(f,f)", "f'f'f'f"};
  const char* coefficient[] = {"1", "1/2", "1/6", "1/6", "1/24", "1/8", "1/24", "1/24"};  // Zhu et al. 2022
  for (int k = 0; k < 8; ++k) {
    CHECK(terms[k]["differential"] == differential[k]);
    CHECK(terms[k]["coefficient"] == coefficient[k]);
  }
}

TEST_CASE("nimde imde coefficients prints the modified equation as text", "[cli]") {
  const Run run = run_cli_line("imde coefficients --method euler --order 2 --kind modified");
  REQUIRE(run.code == 0);
  CHECK(run.out == "# method euler, order 1\nf\n- h/2 f'f\n+ h^2 (1/12 f''(f,f) + 1/3 f'f'f)\n+ O(h^3)\n");
}

TEST_CASE("nimde imde coefficients reads a tableau file and reports its order", "[cli]") {
  const std::string path = (std::filesystem::temp_directory_path() / "nimde_cli_ralston.json").string();
  std::ofstream(path) << R"({"name": "my-ralston", "A": [[0, 0], ["2/3", 0]], "b": [0.25, 0.75]})";
  const Run text = run_cli_line("imde coefficients --tableau " + path + " --order 2");
  REQUIRE(text.code == 0);
  // Ralston's b·c² = 1/3 meets the f''(f,f) condition, so only f'f'f is left at h².
  CHECK(text.out == "# method my-ralston, order 2\nf\n+ h^2/6 f'f'f\n+ O(h^3)\n");
  const Run json = run_cli_line("imde coefficients --tableau " + path + " --order 2 --format json");
  REQUIRE(json.code == 0);
  CHECK(nlohmann::json::parse(json.out)["method_order"] == 2);
  std::filesystem::remove(path);
}

TEST_CASE("nimde imde coefficients names a bad method, kind or tableau and fails", "[cli]") {
  const Run method = run_cli_line("imde coefficients --method rk99 --order 3 --format json");
  CHECK(method.code == 1);
  CHECK(method.err.rfind("nimde: error: unknown Runge-Kutta method 'rk99'", 0) == 0);
  CHECK(std::count(method.err.begin(), method.err.end(), '\n') == 1);

  const Run kind = run_cli_line("imde coefficients --method rk4 --order 3 --kind forward");
  CHECK(kind.code == 1);
  CHECK(kind.err.find("'forward'") != std::string::npos);

  const Run file = run_cli_line("imde coefficients --tableau /nonexistent/t.json --order 3");
  CHECK(file.code == 1);
  CHECK(file.err.find("/nonexistent/t.json") != std::string::npos);

  const Run neither = run_cli_line("imde coefficients --order 3");
  CHECK(neither.code != 0);
}
