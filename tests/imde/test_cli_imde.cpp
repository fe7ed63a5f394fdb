#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace {

struct Run {
  int status;
  std::string output;  // stdout and stderr
};

Run run_cli(const std::string& args) {
  const std::string command = std::string(NIMDE_CLI) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace

TEST_CASE("nimde imde coefficients prints Euler's IMDE as JSON", "[cli]") {
  const Run run = run_cli("imde coefficients --method euler --order 3 --format json");
  REQUIRE(run.status == 0);
  const auto j = nlohmann::json::parse(run.output);
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
  const Run run = run_cli("imde coefficients --method euler --order 2 --kind modified");
  REQUIRE(run.status == 0);
  CHECK(run.output == "# method euler, order 1\nf\n- h/2 f'f\n+ h^2 (1/12 f''(f,f) + 1/3 f'f'f)\n+ O(h^3)\n");
}

TEST_CASE("nimde imde coefficients reads a tableau file and reports its order", "[cli]") {
  const std::string path = (std::filesystem::temp_directory_path() / "nimde_cli_ralston.json").string();
  std::ofstream(path) << R"({"name": "my-ralston", "A": [[0, 0], ["2/3", 0]], "b": [0.25, 0.75]})";
  const Run text = run_cli("imde coefficients --tableau " + path + " --order 2");
  REQUIRE(text.status == 0);
  // Ralston's b·c² = 1/3 meets the f''(f,f) condition, so only f'f'f is left at h².
  CHECK(text.output == "# method my-ralston, order 2\nf\n+ h^2/6 f'f'f\n+ O(h^3)\n");
  const Run json = run_cli("imde coefficients --tableau " + path + " --order 2 --format json");
  REQUIRE(json.status == 0);
  CHECK(nlohmann::json::parse(json.output)["method_order"] == 2);
  std::filesystem::remove(path);
}

TEST_CASE("nimde imde coefficients names a bad method, kind or tableau and fails", "[cli]") {
  const Run method = run_cli("imde coefficients --method rk99 --order 3 --format json");
  CHECK(method.status == 1);
  CHECK(method.output.rfind("nimde: error: unknown Runge-Kutta method 'rk99'", 0) == 0);
  CHECK(std::count(method.output.begin(), method.output.end(), '\n') == 1);

  const Run kind = run_cli("imde coefficients --method rk4 --order 3 --kind forward");
  CHECK(kind.status == 1);
  CHECK(kind.output.find("'forward'") != std::string::npos);

  const Run file = run_cli("imde coefficients --tableau /nonexistent/t.json --order 3");
  CHECK(file.status == 1);
  CHECK(file.output.find("/nonexistent/t.json") != std::string::npos);

  const Run neither = run_cli("imde coefficients --order 3");
  CHECK(neither.status != 0);
}
