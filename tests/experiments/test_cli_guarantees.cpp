// What the command line promises beyond correct numbers: no run is overwritten or interleaved,
// an interrupted command says so in its exit code, output that cannot be written is an error,
// long output is streamed, and every option is honoured or refused in one line.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "nn/directory_lock.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using nimde::test::check_one_line_error;
using nimde::test::run_cli;
using nimde::test::run_cli_line;
using nimde::test::shell_quote;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("nimde_guarantees_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  return d;
}

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> small_training(const fs::path& dir, const std::string& iterations = "60") {
  return {"train", "--system", "pendulum", "--points", "200", "--test-points", "50", "--width", "16", "--iters",
          iterations, "--checkpoint-every", "20", "--dtype", "f64", "--threads", "1", "--out", dir.string()};
}

/// The exit status of `nimde ARGS` sent `signal` after `seconds`.
int run_signalled(const std::string& signal, double seconds, const std::string& args) {
  const std::string command = "timeout --preserve-status -s " + signal + " " + std::to_string(seconds) + " " +
                              shell_quote(NIMDE_CLI) + " " + args + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("train refuses to overwrite a run unless --force, and --resume takes no other setting", "[cli][guarantees]") {
  const fs::path dir = fresh_dir("force");
  REQUIRE(run_cli(small_training(dir)).code == 0);
  const std::string model = contents(dir / "model.json");
  check_one_line_error(run_cli(small_training(dir)), "--force");
  CHECK(contents(dir / "model.json") == model);

  auto forced = small_training(dir, "40");
  forced.push_back("--force");
  const auto r = run_cli(forced);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(nlohmann::json::parse(contents(dir / "model.json"))["training"]["iterations_run"] == 40);

  check_one_line_error(run_cli({"train", "--resume", dir.string(), "--steps", "2"}), "--steps cannot be given with --resume");
  fs::remove_all(dir);
}

TEST_CASE("a second writer into a run directory is refused, naming the holder", "[cli][guarantees]") {
  const fs::path dir = fresh_dir("lock");
  const nimde::nn::DirectoryLock held(dir.string());
  const auto r = run_cli(small_training(dir));
  check_one_line_error(r, "in use by pid " + std::to_string(getpid()));
  CHECK_FALSE(fs::exists(dir / "run.json"));
  fs::remove_all(dir);
}

TEST_CASE("an interrupted training exits 130 or 143 after its checkpoint and resumes", "[cli][guarantees]") {
  const fs::path dir = fresh_dir("signals");
  std::string args;
  for (const std::string& a : small_training(dir, "200000")) args += " " + shell_quote(a);
  CHECK(run_signalled("INT", 1.5, args) == 130);
  REQUIRE(fs::exists(dir / "checkpoint.json"));
  const long first = nlohmann::json::parse(contents(dir / "checkpoint.json"))["iteration"];
  CHECK(first > 0);
  CHECK(run_signalled("TERM", 1.5, "train --resume " + shell_quote(dir.string())) == 143);
  CHECK(nlohmann::json::parse(contents(dir / "checkpoint.json"))["iteration"].get<long>() > first);
  fs::remove_all(dir);
}

TEST_CASE("model.json describes the weights it holds: eval reproduces its losses", "[cli][guarantees]") {
  const fs::path dir = fresh_dir("metadata");
  // A learning rate so large that the loss ends above its best: the kept weights are earlier ones.
  auto args = small_training(dir, "200");
  for (const char* a : {"--lr", "0.2", "--schedule", "constant"}) args.push_back(a);
  const auto r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto training = nlohmann::json::parse(contents(dir / "model.json"))["training"];
  CHECK(training["iterations_run"] == 200);
  // The iteration named is a checkpoint whose loss in loss.csv is the least.
  std::ifstream csv(dir / "loss.csv");
  std::string line;
  std::getline(csv, line);
  double least = INFINITY;
  long least_at = -1;
  while (std::getline(csv, line)) {
    long it;
    double loss;
    std::sscanf(line.c_str(), "%ld,%lf", &it, &loss);
    if (it % 20 == 0 && loss < least) least = loss, least_at = it;
  }
  CHECK(training["iterations"] == least_at);
  const auto eval = run_cli({"eval", "--model", (dir / "model.json").string(), "--format", "json"});
  REQUIRE(eval.code == 0);
  const auto e = nlohmann::json::parse(eval.out);
  CHECK(e["train_loss"].get<double>() == training["train_loss"].get<double>());
  CHECK(e["test_loss"].get<double>() == training["test_loss"].get<double>());
  fs::remove_all(dir);
}

TEST_CASE("output that cannot be written is an error, not a success", "[cli][guarantees]") {
  for (const std::string args : {"solve --system pendulum --method rk4 --h 0.1 --steps 3 --y0 0,1",
                                 "imde coefficients --method rk4 --order 3",
                                 "solve --system pendulum --method rk4 --h 0.1 --steps 3 --y0 0,1 --format json"}) {
    const auto r = run_cli_line(args + " >/dev/full");
    INFO(args << ": " << r.err);
    CHECK(r.code == 1);
    CHECK(r.err == "nimde: error: cannot write the output: No space left on device\n");
  }
}

TEST_CASE("solve streams rows instead of gathering them", "[cli][guarantees]") {
  // 10^14 rows: only a stream can deliver the first thousand.
  const std::string command = "timeout 60 sh -c " +
                              shell_quote(shell_quote(NIMDE_CLI) +
                                          " solve --system harmonic --method euler --h 0.001 --steps 99999999999999 "
                                          "--y0 0,1 | head -n 1001 | tail -n 1") +
                              " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[256] = {};
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, pipe);
  const int status = pclose(pipe);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(std::string(buffer, n).rfind("0.999,", 0) == 0);  // t of row 999
  check_one_line_error(run_cli({"solve", "--system", "harmonic", "--method", "euler", "--h", "0.001", "--steps",
                                "99999999999999", "--y0", "0,1", "--format", "json"}),
                       "--steps 99999999999999: at most 1000000 rows");
}

TEST_CASE("every option is honoured or refused in one line naming it", "[cli][guarantees]") {
  const std::string dir = fresh_dir("options").string();
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const Case cases[] = {
      {{"train", "--system", "pendulum", "--T", "0", "--out", dir}, "--T 0: must be positive"},
      {{"train", "--system", "pendulum", "--points", "0", "--out", dir}, "--points 0: must be at least 1"},
      {{"train", "--system", "pendulum", "--test-points", "0", "--out", dir}, "--test-points 0"},
      {{"train", "--system", "pendulum", "--points", "-1", "--out", dir}, "--points -1"},
      {{"train", "--system", "pendulum", "--width", "-1", "--out", dir}, "--width -1"},
      {{"train", "--system", "pendulum", "--width", "100000", "--out", dir}, "--width 100000: must be from 1 to 8192"},
      {{"train", "--system", "pendulum", "--steps", "4294967297", "--out", dir}, "--steps 4294967297: must be from 1 to 100000"},
      {{"train", "--system", "pendulum", "--points", "200000000", "--out", dir}, "--points 200000000"},
      {{"train", "--system", "pendulum", "--optimizer", "sgd", "--momentum", "5", "--out", dir}, "--momentum 5"},
      {{"train", "--system", "pendulum", "--threads", "100000", "--out", dir}, "--threads 100000"},
      {{"train", "--system", "", "--out", dir}, "--system '' is empty"},
      {{"train", "--system", "pendulum", "--field", "x' = x", "--out", dir}, "--system/--field: give one of them, not both"},
      {{"train", "--system", "pendulum", "--domain", "0:1", "--out", dir}, "--domain"},
      {{"train", "--system", "pendulum", "--param", "a=1", "--out", dir}, "--param"},
      {{"gradients", "--system", "pendulum", "--points", "0"}, "--points 0"},
      {{"gradients", "--system", "pendulum", "--width", "-3"}, "--width -3"},
      {{"eval", "--model", dir + "/model.json", "--test-points", "-1"}, "--test-points -1"},
      {{"compare", "--model", dir + "/model.json", "--test-points", "0"}, "--test-points 0"},
  };
  for (const Case& c : cases) check_one_line_error(run_cli(c.args), c.named);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("data and values that are not finite are reported, not passed on", "[cli][guarantees]") {
  const std::string dir = fresh_dir("blowup").string();
  // x' = x² leaves every bound before t = 1/x₀ < T.
  check_one_line_error(run_cli({"train", "--field", "x' = x^2", "--domain", "1:2", "--T", "2", "--points", "10",
                                "--test-points", "5", "--iters", "5", "--out", dir}),
                       "the training data are not finite");
  const auto r = run_cli({"imde", "eval", "--field", "x' = exp(x)", "--method", "euler", "--h", "1", "--order", "3",
                          "--at", "1000"});
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Catch::Contains("warning: the field is not finite at point 0"));
  fs::remove_all(dir);
}
