// `nimde train` and `nimde eval` end to end: the run directory, the report, the errors.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"

using nimde::test::run_cli;
namespace fs = std::filesystem;

TEST_CASE("train writes a run directory that eval reads", "[cli][train]") {
  const std::string dir = (fs::temp_directory_path() / "nimde_cli_train").string();
  fs::remove_all(dir);
  const auto train = run_cli({"train", "--system", "pendulum", "--method", "midpoint", "--steps", "2", "--points", "300",
                              "--test-points", "100", "--width", "16", "--iters", "40", "--checkpoint-every", "20",
                              "--dtype", "f64", "--out", dir});
  INFO(train.err);
  REQUIRE(train.code == 0);
  CHECK_THAT(train.out, Catch::Contains("finished after 40 iterations"));
  for (const char* f : {"model.json", "loss.csv", "checkpoint.json", "run.json"}) CHECK(fs::exists(fs::path(dir) / f));

  const auto eval = run_cli({"eval", "--model", dir + "/model.json", "--test-points", "100", "--format", "json"});
  REQUIRE(eval.code == 0);
  const auto j = nlohmann::json::parse(eval.out);
  CHECK(j["method"] == "midpoint");
  CHECK(j["steps"] == 2);
  CHECK(j["field_error"].get<double>() > 0);
  CHECK(j["test_loss"].get<double>() > 0);
  CHECK(j.contains("fits_solver_not_ode"));

  // Resuming a finished run does nothing more and succeeds.
  const auto resume = run_cli({"train", "--resume", dir});
  CHECK(resume.code == 0);
}

TEST_CASE("train and eval refuse bad options in one line naming the value", "[cli][train]") {
  const std::string dir = (fs::temp_directory_path() / "nimde_cli_train_bad").string();
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const Case cases[] = {
      {{"train", "--system", "nope", "--out", dir}, "nope"},
      {{"train", "--system", "pendulum", "--method", "rk5", "--out", dir}, "rk5"},
      {{"train", "--system", "pendulum", "--steps", "0", "--out", dir}, "--steps"},
      {{"train", "--system", "pendulum", "--dtype", "f16", "--out", dir}, "f16"},
      {{"train", "--system", "pendulum", "--optimizer", "adagrad", "--out", dir}, "adagrad"},
      {{"train", "--field", "p' = q; q' = -p", "--out", dir}, "--domain"},
      {{"train", "--resume", dir + "/missing"}, "missing"},
      {{"eval", "--model", dir + "/missing.json"}, "missing.json"},
  };
  for (const Case& c : cases) nimde::test::check_one_line_error(run_cli(c.args), c.named);
}

TEST_CASE("train names the flag of a bad setting, not the library's field", "[cli][train]") {
  const std::string dir = (fs::temp_directory_path() / "nimde_cli_train_flags").string();
  struct Case {
    std::vector<std::string> args;
    std::string flag, value, field;  // the message names flag and value; never the field's own spelling
  };
  const Case cases[] = {
      {{"--iters", "-1"}, "--iters -1", "-1", "iterations"},
      {{"--lr-decay", "0"}, "--lr-decay 0", "0", "lr_decay"},
      {{"--threads", "300"}, "--threads 300", "256", "threads 300"},
      {{"--checkpoint-every", "0"}, "--checkpoint-every 0", "0", "checkpoint_every"},
      {{"--points", "100", "--batch", "200"}, "--batch 200", "100", "points 100"},
      {{"--init", "zeros"}, "--init zeros", "orthogonal", "init zeros"},
      {{"--schedule", "linear"}, "--schedule linear", "cosine", "schedule linear"},
      {{"--optimizer", "lbfgs", "--batch", "10"}, "--batch 10", "L-BFGS", "batch 10"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"train", "--system", "pendulum", "--out", dir};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = run_cli(args);
    nimde::test::check_one_line_error(r, c.flag);
    CHECK_THAT(r.err, Catch::Contains(c.value));
    CHECK_THAT(r.err, !Catch::Contains(" " + c.field));
  }
  nimde::test::check_one_line_error(run_cli({"train", "--field", "p' = q; q' = -p", "--system", "pendulum", "--out", dir}),
                                    "--system/--field");
}

TEST_CASE("train off a terminal reports in plain lines and writes a versioned run.json", "[cli][train]") {
  const std::string dir = (fs::temp_directory_path() / "nimde_cli_train_log").string();
  fs::remove_all(dir);
  const auto r = run_cli({"train", "--system", "pendulum", "--points", "200", "--test-points", "50", "--width", "8",
                          "--iters", "30", "--log-every", "10", "--checkpoint-every", "10", "--optimizer", "sgd", "--schedule", "cosine",
                          "--dtype", "f64", "--out", dir});
  INFO(r.err);
  REQUIRE(r.code == 0);
  // stderr is a file here: one plain line per report, no carriage returns.
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("iter 10/30") && Catch::Contains("iter 30/30"));
  const auto j = nlohmann::json::parse(std::ifstream(fs::path(dir) / "run.json"));
  CHECK(j["version"] == 2);
  CHECK(j["config"]["optimizer"] == "sgd");
  CHECK(j["config"]["schedule"] == "cosine");
}

TEST_CASE("train --model hnn writes a Hamiltonian network that eval, compare, solve and imde read", "[cli][train][hnn]") {
  using nimde::test::check_one_line_error;
  using nimde::test::csv_rows;
  const std::string dir = (fs::temp_directory_path() / "nimde_cli_train_hnn").string();
  fs::remove_all(dir);
  const auto train = run_cli({"train", "--system", "pendulum", "--model", "hnn", "--method", "implicit-midpoint",
                              "--points", "200", "--test-points", "50", "--width", "16", "--iters", "30",
                              "--optimizer", "lbfgs", "--lr", "1", "--dtype", "f64", "--out", dir});
  INFO(train.err);
  REQUIRE(train.code == 0);
  const std::string model = dir + "/model.json";
  std::ifstream in(model);
  const nlohmann::json m = nlohmann::json::parse(in);
  CHECK(m["kind"] == "hnn");
  CHECK(m["layers"].back()["bias"].size() == 1);  // H_θ: one output

  // eval reproduces the training loss model.json states, through the same field.
  const auto eval = run_cli({"eval", "--model", model, "--format", "json"});
  REQUIRE(eval.code == 0);
  CHECK(nlohmann::json::parse(eval.out)["train_loss"] == m["training"]["train_loss"]);
  CHECK(run_cli({"compare", "--model", model, "--correct", "2"}).code == 0);
  CHECK(run_cli({"imde", "eval", "--model", model, "--order", "2", "--at", "0.5,0.3"}).code == 0);
  CHECK(run_cli({"imde", "hamiltonian", "--model", model, "--order", "2", "--at", "0.5,0.3"}).code == 0);

  // Its flow keeps H_θ: through implicit midpoint within an O(h²) band, through Euler it drifts.
  auto drift = [&](const std::string& method) {
    const auto solve = run_cli({"solve", "--model", model, "--method", method, "--h", "0.01", "--steps", "1000", "--y0",
                                "0.5,0.5", "--invariants"});
    REQUIRE(solve.code == 0);
    std::string header;
    const auto rows = csv_rows(solve.out, header);
    CHECK(header == "t,p,q,H_theta,energy");
    CHECK(std::abs(rows.back()[1] - 0.5) + std::abs(rows.back()[2] - 0.5) > 1e-2);  // it moved
    double worst = 0;
    for (const auto& row : rows) worst = std::max(worst, std::abs(row[3] - rows[0][3]));
    return worst;
  };
  const double midpoint = drift("implicit-midpoint"), euler = drift("euler");
  CHECK(midpoint < 1e-4);
  CHECK(euler > 20 * midpoint);
  fs::remove_all(dir);

  const std::string out = (fs::temp_directory_path() / "nimde_cli_train_hnn_bad").string();
  const std::vector<std::string> base{"train", "--points", "50", "--iters", "1", "--out", out};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  };
  check_one_line_error(with({"--system", "lorenz", "--model", "hnn"}), "--model 'hnn': needs a system in canonical coordinates");
  check_one_line_error(with({"--field", "p' = -q; q' = p", "--domain", "-1:1,-1:1", "--model", "hnn"}),
                       "--model 'hnn': needs a system in canonical coordinates");
  check_one_line_error(with({"--field", "x' = y; y' = z; z' = x", "--domain", "-1:1,-1:1,-1:1", "--canonical"}),
                       "the field has 3 variables");
  check_one_line_error(with({"--system", "pendulum", "--model", "hnn", "--activation", "relu"}),
                       "--activation relu: a Hamiltonian network needs a twice differentiable one");
  check_one_line_error(with({"--system", "pendulum", "--model", "lnn"}), "--model lnn: use one of node, hnn");
  check_one_line_error(with({"--system", "pendulum", "--canonical"}), "--canonical");
  // A user field declared canonical trains.
  const auto user = with({"--field", "p' = -q; q' = p", "--domain", "-1:1,-1:1", "--canonical", "--model", "hnn"});
  INFO(user.err);
  CHECK(user.code == 0);
  fs::remove_all(out);
}
