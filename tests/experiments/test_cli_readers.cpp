// Files and texts a user hands the command line (tableaus, model files, points files, fields)
// that used to crash it or be misread: each is refused with one line naming the file, the key
// and what is accepted, or read with a warning where the input is legal but suspect.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "nn/model_file.hpp"
#include "tests/support/cli_run.hpp"

namespace {

using nimde::test::check_one_line_error;
using nimde::test::run_cli_line;
using Run = nimde::test::CliRun;

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("a tableau entry beyond the doubles is a one-line error, not SIGFPE", "[cli][readers]") {
  const std::string t = write_temp("nimde_cli_tableau_1e400.json", R"({"A":[["0","0"],["1e400","0"]],"b":["0","1"]})");
  for (const std::string& command : {"imde coefficients --tableau " + t + " --order 1",
                                     "solve --system harmonic --y0 0,1 --tableau " + t + " --h 0.1 --steps 1"}) {
    INFO(command);
    const Run r = run_cli_line(command);
    CHECK(r.code == 1);
    check_one_line_error(r, t + ": tableau: A[1][0] = '1e400' is beyond the range of a double");
  }
}

TEST_CASE("a tableau whose weights do not sum to 1 needs --allow-inconsistent", "[cli][readers]") {
  const std::string t = write_temp("nimde_cli_tableau_inconsistent.json", R"({"A":[["0"]],"b":["2"]})");
  const Run refused = run_cli_line("solve --system harmonic --y0 0,1 --tableau " + t + " --h 0.1 --steps 1");
  CHECK(refused.code == 1);
  check_one_line_error(refused, "the weights b sum to '2', not 1: the method is not consistent");
  // Allowed, Euler with b = 2 is y + 2h f(y): for x' = v, v' = −x from (0, 1), x₁ = 0.2.
  const Run allowed =
      run_cli_line("solve --system harmonic --y0 0,1 --tableau " + t + " --h 0.1 --steps 1 --allow-inconsistent");
  CHECK(allowed.code == 0);
  CHECK_THAT(allowed.out, Catch::Contains("0.2"));
  CHECK(run_cli_line("imde coefficients --tableau " + t + " --order 1").code == 1);
  CHECK(run_cli_line("imde eval --system harmonic --tableau " + t + " --h 0.1 --order 1 --at 0,1").code == 1);
}

TEST_CASE("a tableau whose c is not the row sums of A is used with a warning", "[cli][readers]") {
  const std::string t = write_temp("nimde_cli_tableau_c.json", R"({"A":[["0","0"],["1","0"]],"b":["1/2","1/2"],"c":["0","1/2"]})");
  const Run r = run_cli_line("imde coefficients --tableau " + t + " --order 1");
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Catch::Contains("warning: tableau 'nimde_cli_tableau_c': c differs from the row sums of A at 1 stage(s)"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("a number literal that overflows is refused, not read as 0", "[cli][readers]") {
  // x' = 1e999*x printed x = 1 and exited 0.
  const Run solve = run_cli_line("solve --field \"x' = 1e999*x\" --method euler --h 1 --steps 1 --y0 1");
  CHECK(solve.code == 1);
  check_one_line_error(solve, "number '1e999' is too large for a double at column 6");
  const Run eval = run_cli_line("imde eval --field \"x' = 1e999*x\" --method euler --h 1 --order 1 --at 1");
  CHECK(eval.code == 1);
  check_one_line_error(eval, "number '1e999' is too large for a double");
}

TEST_CASE("model files with values out of range are refused naming the file and the key", "[cli][readers]") {
  nimde::nn::Model m;
  m.net = nimde::nn::make_mlp(2, 4, 1, nimde::autodiff::Activation::tanh, nimde::nn::Init::orthogonal, 1);
  m.system = "pendulum";
  m.method = "euler";
  m.T = 0.1;
  m.names = {"p", "q"};
  const nlohmann::json good = nimde::nn::to_json(m);
  const auto refused = [&](const std::string& pointer, const nlohmann::json& value, const std::string& message) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(pointer)] = value;
    const std::string path = write_temp("nimde_cli_bad_model.json", bad.dump());
    const Run r = run_cli_line("imde eval --model " + path + " --order 1 --at 0,1");
    INFO(pointer);
    CHECK(r.code == 1);
    check_one_line_error(r, path + ": " + message);
  };
  refused("/steps", 4294967297ull, "steps 4294967297: must be an integer from 1 to 100000");
  refused("/steps", 10000000000ull, "steps 10000000000: must be an integer from 1 to 100000");
  refused("/training/points", 2e8, "training.points 200000000.0: must be an integer from 1 to 10000000");
  refused("/dtype", 32, "dtype 32: must be a string");
  refused("/layers/0/activation", 1, "layers[0].activation 1: must be a string");
}

TEST_CASE("a points file is read whole and checked: finite values, its columns, its header", "[cli][readers]") {
  const std::string base = "imde eval --system pendulum --method euler --h 0.1 --order 1 --points ";
  const auto refused = [&](const std::string& text, const std::string& message) {
    const std::string path = write_temp("nimde_cli_points.csv", text);
    const Run r = run_cli_line(base + path);
    INFO(text);
    CHECK(r.code == 1);
    check_one_line_error(r, path + ": " + message);
  };
  refused("p,q\n1,nan\n", "line 2 'nan': is not a finite number");
  refused("1,2\n3,1e999\n", "line 2 '1e999': is not a finite number");
  refused("1,2\n3\n", "line 2 '3': has 1 values, expected 2");
  refused("q,p\n1,2\n", "line 1 'q,p': does not name the variables p,q");
  refused("# only a comment\n", "no points in the file");
  const std::string path = write_temp("nimde_cli_points.csv", "p,q\r\n# from a spreadsheet\r\n0.5,0.3\r\n\r\n");
  const Run ok = run_cli_line(base + path);
  CHECK(ok.code == 0);
  CHECK(std::count(ok.out.begin(), ok.out.end(), '\n') == 2);  // header and one row
}
