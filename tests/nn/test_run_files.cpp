// run.json and checkpoint.json as a resume reads them: every value within its range and every
// shape that of the run's network, or a one-line error naming the file and the key.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "nn/run_files.hpp"
#include "tests/support/error_of.hpp"

using namespace nimde;
namespace fs = std::filesystem;
using nimde::test::error_of;

namespace {

nn::TrainConfig tiny_run(const std::string& dir, nn::OptimizerKind optimizer = nn::OptimizerKind::adam) {
  nn::TrainConfig c;
  c.system = "pendulum";
  c.points = 20;
  c.test_points = 10;
  c.width = 4;
  c.depth = 1;
  c.iterations = 10;
  c.checkpoint_every = 4;
  c.log_every = 2;
  c.optimizer = optimizer;
  c.dtype = nn::DType::f64;
  c.out = (fs::temp_directory_path() / dir).string();
  fs::remove_all(c.out);
  return c;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

/// The error of reading checkpoint `j` with one value replaced ("" when it reads).
std::string checkpoint_error(const nlohmann::json& j, const std::string& pointer, const nlohmann::json& value,
                             const nn::TrainConfig& c) {
  nlohmann::json bad = j;
  bad[nlohmann::json::json_pointer(pointer)] = value;
  return error_of([&] { nn::checkpoint_from_json(bad, c); });
}

}  // namespace

TEST_CASE("run.json's integers are range-checked before they are converted", "[run_files]") {
  const nlohmann::json good = nn::to_json(tiny_run("nimde_run_files_config"));
  CHECK(nn::config_from_json(good).steps == 1);
  const auto error = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json bad = good;
    bad[key] = value;
    return error_of([&] { nn::config_from_json(bad); });
  };
  // 2^32 + 1 read into an int was 1; 100000 threads crashed; checkpoint_every 0 divided by zero.
  CHECK(error("steps", 4294967297ull) == "steps 4294967297: must be an integer from 1 to 100000");
  CHECK(error("threads", 100000) == "threads 100000: must be an integer from 0 to 256");
  CHECK(error("checkpoint_every", 0) == "checkpoint_every 0: must be an integer from 1 to 1000000000");
  CHECK(error("points", -1) == "points -1: must be an integer from 0 to 10000000");
  CHECK(error("width", 1e9) == "width 1000000000.0: must be an integer from 1 to 8192");
  CHECK(error("seed", "x") == "seed \"x\": must be an integer from 0 to 18446744073709551615");
  CHECK(error("optimizer", "adagrad") == "optimizer adagrad: use one of adam, lbfgs, sgd");
  CHECK(error("domain", "0:1,x") == "domain 'x': is not of the form lo:hi");
  CHECK(error("domain", nlohmann::json::array({nlohmann::json::array({0, "1"})})) ==
        "domain[0] \"1\": must be a finite number from -1.7976931348623157e+308 to 1.7976931348623157e+308");
  CHECK(error("lr", nullptr).rfind("lr null: must be a finite number", 0) == 0);
  CHECK(error("params", nlohmann::json::array()) == "params []: must be an object of numbers");
  CHECK(error_of([] { nn::run_config_from_text(R"({"version": 3, "config": {}})"); }) ==
        "version 3: this nimde reads run files up to version 2");
  CHECK(error_of([] { nn::run_config_from_text(R"({"version": 1})"); }) == "config: is missing");
}

TEST_CASE("a checkpoint is checked against the run it belongs to", "[run_files][resume]") {
  nn::TrainConfig c = tiny_run("nimde_run_files_checkpoint");
  nn::NullProgress quiet;
  nn::train(c, quiet, nullptr, 6);
  const fs::path file = fs::path(c.out) / "checkpoint.json";
  const nlohmann::json j = read_json(file);
  c = nn::resolve(c);
  const nn::Checkpoint k = nn::checkpoint_from_json(j, c);
  CHECK(k.iteration == 6);
  CHECK(nn::to_json(k) == j);  // what the trainer wrote reads back whole

  // An iteration of −500 or 5000 (of 10) used to be accepted.
  CHECK(checkpoint_error(j, "/iteration", -500, c) == "iteration -500: must be an integer from 0 to 10");
  CHECK(checkpoint_error(j, "/iteration", 5000, c) == "iteration 5000: must be an integer from 0 to 10");
  CHECK(checkpoint_error(j, "/params/0/weight", nlohmann::json::array({1, 2}), c) ==
        "params[0].weight [1,2]: must have 8 entries, as the run's network");
  CHECK(checkpoint_error(j, "/best_params/1/bias/0", "x", c).rfind("best_params[1].bias[0] \"x\": must be a finite", 0) == 0);
  CHECK(checkpoint_error(j, "/params", nlohmann::json::array(), c) == "params []: must hold 2 layers, as the run's network has");
  CHECK(checkpoint_error(j, "/best_loss", -1, c).rfind("best_loss -1: must be a finite number from 0", 0) == 0);
  CHECK(checkpoint_error(j, "/best_loss", nullptr, c).empty());  // no choice made yet
  CHECK(checkpoint_error(j, "/seconds", -1, c).rfind("seconds -1: must be a finite number from 0", 0) == 0);
  CHECK(checkpoint_error(j, "/history/1/0", 1, c) == "history[1][0] 1: must follow iteration 2");
  CHECK(checkpoint_error(j, "/history/0/0", 7, c) == "history[0][0] 7: must be a finite number from 1 to 6");
  CHECK(checkpoint_error(j, "/history/0/0", 1.5, c) == "history[0][0] 1.5: must be a whole number of iterations");
  CHECK(checkpoint_error(j, "/history/0", nlohmann::json::array({2, 0.5}), c) ==
        "history[0] [2,0.5]: must be [iteration, train loss, test loss, lr]");
  CHECK(checkpoint_error(j, "/optimizer/m/0", nlohmann::json::array({0}), c)
            .rfind("optimizer: adam state: key \"m[0]\" has 1 entries, expected 8", 0) == 0);
  CHECK(checkpoint_error(j, "/optimizer/optimizer", "sgd", c).rfind("optimizer: adam state: key \"optimizer\"", 0) == 0);
  nlohmann::json missing = j;
  missing.erase("history");
  CHECK(error_of([&] { nn::checkpoint_from_json(missing, c); }) == "history: is missing");
}

TEST_CASE("resume refuses a damaged checkpoint naming the file and the key", "[run_files][resume]") {
  const nn::TrainConfig c = tiny_run("nimde_run_files_resume");
  nn::NullProgress quiet;
  nn::train(c, quiet, nullptr, 3);
  const fs::path file = fs::path(c.out) / "checkpoint.json";
  const nlohmann::json good = read_json(file);
  nlohmann::json bad = good;
  bad["iteration"] = -500;
  std::ofstream(file) << bad.dump();
  CHECK(error_of([&] { nn::resume_training(c.out, quiet); }) ==
        "cannot resume " + c.out + ": " + file.string() + ": iteration -500: must be an integer from 0 to 10");
  std::ofstream(file) << good.dump().substr(0, 100);  // cut short, as by a full disk
  CHECK_THAT(error_of([&] { nn::resume_training(c.out, quiet); }),
             Catch::StartsWith("cannot resume " + c.out + ": " + file.string() + ": [json.exception.parse_error"));
  std::ofstream(file) << good.dump();
  const fs::path run_file = fs::path(c.out) / "run.json";
  nlohmann::json run = read_json(run_file);
  run["config"]["threads"] = 100000;
  std::ofstream(run_file) << run.dump();
  CHECK(error_of([&] { nn::resume_training(c.out, quiet); }) ==
        "cannot resume " + c.out + ": " + run_file.string() + ": threads 100000: must be an integer from 0 to 256");
  run["config"]["threads"] = 1;
  std::ofstream(run_file) << run.dump();
  CHECK(nn::resume_training(c.out, quiet).iterations == 10);
  fs::remove_all(c.out);
}
