// Training runs: a stopped and resumed run ends bitwise where an uninterrupted one does,
// results do not depend on the thread count, and a diverging run stops with a message.
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "autodiff/parallel.hpp"
#include "nn/model_file.hpp"
#include "nn/run_files.hpp"
#include "nn/trainer.hpp"

using namespace nimde;
namespace fs = std::filesystem;

namespace {

nn::TrainConfig small_config(const std::string& dir) {
  nn::TrainConfig c;
  c.system = "pendulum";
  c.method = "midpoint";
  c.steps = 2;
  c.points = 200;
  c.test_points = 50;
  c.width = 16;
  c.iterations = 60;
  c.checkpoint_every = 20;
  c.log_every = 10;
  c.dtype = nn::DType::f64;
  c.seed = 4;
  c.out = (fs::temp_directory_path() / dir).string();
  fs::remove_all(c.out);
  return c;
}

nlohmann::json layers(const nn::TrainConfig& c) { return nn::to_json(nn::load_model(c.out + "/model.json"))["layers"]; }

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

void write_json(const fs::path& p, const nlohmann::json& j) { std::ofstream(p) << j.dump(1) << "\n"; }

/// Keeps every status and message, to check what a training reports.
struct RecordingProgress : nn::TrainProgress {
  std::vector<nn::TrainStatus> statuses;
  std::vector<std::string> messages;
  int finished = 0;
  void report(const nn::TrainStatus& s) override { statuses.push_back(s); }
  void message(std::string_view text) override { messages.emplace_back(text); }
  void finish() override { ++finished; }
};

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a stopped and resumed run ends bitwise identical to an uninterrupted one", "[trainer]") {
  for (const char* optimizer : {"adam", "lbfgs"}) {
    INFO(optimizer);
    nn::TrainConfig a = small_config(std::string("nimde_train_a_") + optimizer);
    a.optimizer = nn::parse_optimizer(optimizer);
    std::ostringstream text;
    nn::LineProgress log(text, false);
    const nn::TrainResult ra = nn::train(a, log);
    CHECK_FALSE(ra.interrupted);

    nn::TrainConfig b = small_config(std::string("nimde_train_b_") + optimizer);
    b.optimizer = nn::parse_optimizer(optimizer);
    const nn::TrainResult first = nn::train(b, log, nullptr, 27);
    CHECK(first.interrupted);
    CHECK(first.iterations == 27);
    const nn::TrainResult rb = nn::resume_training(b.out, log);
    CHECK(rb.iterations == ra.iterations);
    CHECK(rb.train_loss == ra.train_loss);
    const nlohmann::json ma = nn::to_json(nn::load_model(a.out + "/model.json"));
    const nlohmann::json mb = nn::to_json(nn::load_model(b.out + "/model.json"));
    CHECK(ma["layers"] == mb["layers"]);
    CHECK(read(fs::path(a.out) / "loss.csv") == read(fs::path(b.out) / "loss.csv"));
  }
}

TEST_CASE("a stopped and resumed minibatch run draws the same batches", "[trainer]") {
  nn::TrainConfig a = small_config("nimde_train_mb_a"), b = small_config("nimde_train_mb_b");
  a.batch = b.batch = 64;
  nn::NullProgress log;
  nn::train(a, log);
  nn::train(b, log, nullptr, 33);
  nn::resume_training(b.out, log);
  CHECK(nn::to_json(nn::load_model(a.out + "/model.json"))["layers"] ==
        nn::to_json(nn::load_model(b.out + "/model.json"))["layers"]);
  nn::TrainConfig full = small_config("nimde_train_mb_full");
  nn::train(full, log);
  CHECK(nn::to_json(nn::load_model(a.out + "/model.json"))["layers"] !=
        nn::to_json(nn::load_model(full.out + "/model.json"))["layers"]);
}

TEST_CASE("training gives the same model for 1 and 2 threads", "[trainer][threads]") {
  nn::TrainConfig one = small_config("nimde_train_t1"), two = small_config("nimde_train_t2");
  one.threads = 1;
  two.threads = 2;
  one.dtype = two.dtype = nn::DType::f32;
  one.points = two.points = 3000;  // large enough for the parallel kernels
  one.iterations = two.iterations = 10;
  nn::NullProgress log;
  const int saved = autodiff::num_threads();
  nn::train(one, log);
  nn::train(two, log);
  CHECK(autodiff::num_threads() == saved);
  CHECK(nn::to_json(nn::load_model(one.out + "/model.json"))["layers"] ==
        nn::to_json(nn::load_model(two.out + "/model.json"))["layers"]);
}

TEST_CASE("a diverging run stops naming the iteration and keeps its last checkpoint", "[trainer]") {
  nn::TrainConfig c = small_config("nimde_train_nan");
  c.optimizer = nn::OptimizerKind::sgd;
  c.schedule = nn::Schedule::Kind::constant;
  c.lr = 1e8;
  nn::NullProgress log;
  CHECK_THROWS_WITH(nn::train(c, log), Catch::Contains("iteration") && Catch::Contains("checkpoint"));
  CHECK_NOTHROW(nn::load_model(c.out + "/model.json"));
  CHECK(fs::exists(fs::path(c.out) / "checkpoint.json"));
}

TEST_CASE("bad settings are refused naming the field and value, never a flag", "[trainer]") {
  nn::TrainConfig c = small_config("nimde_train_bad");
  c.steps = 0;
  CHECK_THROWS_WITH(nn::resolve(c), Catch::StartsWith("steps 0:") && !Catch::Contains("--"));
  c = small_config("nimde_train_bad");
  CHECK_THROWS_WITH(nn::parse_dtype("f16"), Catch::Contains("dtype") && Catch::Contains("f16"));
  c.dtype = static_cast<nn::DType>(16);  // an enum set from a number
  CHECK_THROWS_WITH(nn::resolve(c), Catch::Contains("dtype") && Catch::Contains("16") && Catch::Contains("f32, f64"));
  c = small_config("nimde_train_bad");
  c.method = "rk5";
  CHECK_THROWS_WITH(nn::resolve(c), Catch::Contains("rk5"));
  for (int threads : {-1, 257, 100000}) {
    c = small_config("nimde_train_bad");
    c.threads = threads;
    CHECK_THROWS_WITH(nn::resolve(c), Catch::StartsWith("threads " + std::to_string(threads) + ":") &&
                                          Catch::Contains("1 to 256") && Catch::Contains("0"));
  }
  c = small_config("nimde_train_bad");
  c.threads = 256;
  CHECK_NOTHROW(nn::resolve(c));
  c = small_config("nimde_train_bad");
  c.lr_decay = 0;
  try {
    nn::resolve(c);
    FAIL("lr_decay 0 was accepted");
  } catch (const nn::SettingError& e) {
    CHECK(e.key == "lr_decay");
    CHECK(e.value == "0");
  }
}

TEST_CASE("two trainings at once on two threads, with 1 and 2 threads each, give the models they give one after the other",
          "[trainer][threads]") {
  auto config = [](const std::string& dir, int threads) {
    nn::TrainConfig c = small_config(dir);
    c.threads = threads;
    c.dtype = nn::DType::f32;
    c.points = 3000;  // large enough for the parallel kernels
    c.iterations = 10;
    c.checkpoint_every = 5;
    return c;
  };
  const nn::TrainConfig one = config("nimde_train_seq1", 1), two = config("nimde_train_seq2", 2);
  const nn::TrainConfig one_at_once = config("nimde_train_par1", 1), two_at_once = config("nimde_train_par2", 2);
  nn::NullProgress quiet;
  {
    const autodiff::ThreadScope caller(3);  // a setting of this thread's own, which train must leave alone
    nn::train(one, quiet);
    CHECK(autodiff::num_threads() == 3);
    nn::train(two, quiet);
    CHECK(autodiff::num_threads() == 3);
  }

  std::exception_ptr errors[2];
  int before[2] = {0, 0}, after[2] = {0, 0};
  auto run = [&](const nn::TrainConfig& c, int k) {
    try {
      nn::NullProgress none;
      before[k] = autodiff::num_threads();
      nn::train(c, none);
      after[k] = autodiff::num_threads();
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  std::thread a(run, std::cref(one_at_once), 0), b(run, std::cref(two_at_once), 1);
  a.join();
  b.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  CHECK(after[0] == before[0]);
  CHECK(after[1] == before[1]);
  CHECK(read_json(fs::path(one_at_once.out) / "run.json")["threads"] == 1);
  CHECK(read_json(fs::path(two_at_once.out) / "run.json")["threads"] == 2);

  CHECK(layers(one) == layers(two));
  CHECK(layers(one_at_once) == layers(one));
  CHECK(layers(two_at_once) == layers(one));
  CHECK(read(fs::path(one_at_once.out) / "loss.csv") == read(fs::path(one.out) / "loss.csv"));
  CHECK(read(fs::path(two_at_once.out) / "loss.csv") == read(fs::path(one.out) / "loss.csv"));
}

TEST_CASE("run.json carries its schema version; one of a newer schema is refused", "[trainer][resume]") {
  nn::TrainConfig c = small_config("nimde_train_version");
  nn::NullProgress quiet;
  nn::train(c, quiet, nullptr, 10);
  const fs::path run_file = fs::path(c.out) / "run.json";
  nlohmann::json run = read_json(run_file);
  CHECK(run["version"] == nn::kRunFileVersion);
  CHECK(nn::kRunFileVersion == 2);
  CHECK(run["config"]["optimizer"] == "adam");  // enums are written by name
  CHECK(run["config"]["dtype"] == "f64");
  CHECK(run["config"]["init"] == "orthogonal");
  CHECK(run["config"]["schedule"] == "geometric");
  run["version"] = nn::kRunFileVersion + 1;
  write_json(run_file, run);
  CHECK_THROWS_WITH(nn::resume_training(c.out, quiet), Catch::Contains("version 3") && Catch::Contains(c.out));
}

TEST_CASE("a run written before run.json had a version and newer settings still resumes bitwise", "[trainer][resume]") {
  nn::TrainConfig whole = small_config("nimde_train_v1_whole"), old = small_config("nimde_train_v1_old");
  nn::NullProgress quiet;
  nn::train(whole, quiet);
  nn::train(old, quiet, nullptr, 25);
  // What the previous version wrote: no "version", no "batch" or "noise" among the settings,
  // and the domain in its legacy text form.
  const fs::path run_file = fs::path(old.out) / "run.json";
  nlohmann::json run = read_json(run_file);
  run.erase("version");
  run["config"].erase("batch");
  run["config"].erase("noise");
  run["config"]["domain"] = "";
  write_json(run_file, run);
  const nn::TrainResult r = nn::resume_training(old.out, quiet);
  CHECK(r.iterations == whole.iterations);
  CHECK(layers(old) == layers(whole));
  CHECK(read(fs::path(old.out) / "loss.csv") == read(fs::path(whole.out) / "loss.csv"));
  CHECK(read_json(run_file)["version"] == nn::kRunFileVersion);  // rewritten in the current schema
}

TEST_CASE("a run.json missing settings resumes with their defaults", "[trainer][resume]") {
  // Settings left at their defaults (T, points and test_points at 0: the system's) are the
  // ones removed, so the resumed run must end where the whole one does.
  nn::TrainConfig whole = small_config("nimde_train_sparse_whole"), sparse = small_config("nimde_train_sparse");
  whole.points = sparse.points = whole.test_points = sparse.test_points = 0;
  whole.iterations = sparse.iterations = 12;
  whole.checkpoint_every = sparse.checkpoint_every = 6;
  nn::NullProgress quiet;
  nn::train(whole, quiet);
  nn::train(sparse, quiet, nullptr, 5);
  const fs::path run_file = fs::path(sparse.out) / "run.json";
  nlohmann::json run = read_json(run_file);
  for (const char* key : {"field", "params", "domain", "T", "points", "test_points", "depth", "activation", "init",
                          "optimizer", "schedule", "lr", "lr_decay", "momentum", "threads", "noise", "batch", "backprop", "out"})
    run["config"].erase(key);
  run.erase("version");
  write_json(run_file, run);
  CHECK(nn::config_from_json(run["config"]).points == 0);  // a missing key keeps its default
  const nn::TrainResult r = nn::resume_training(sparse.out, quiet);
  CHECK(r.iterations == 12);
  CHECK(layers(sparse) == layers(whole));
  const nlohmann::json config = read_json(run_file)["config"];
  CHECK(config["points"] == 10000);  // filled from the system, as for the whole run
  CHECK(config["optimizer"] == "adam");
  CHECK(config["out"] == sparse.out);
}

TEST_CASE("a run.json with a setting that does not fit is refused naming the key", "[trainer][resume]") {
  nn::TrainConfig c = small_config("nimde_train_badkey");
  nn::NullProgress quiet;
  nn::train(c, quiet, nullptr, 3);
  const fs::path run_file = fs::path(c.out) / "run.json";
  const nlohmann::json good = read_json(run_file);
  nlohmann::json run = good;
  run["config"]["optimizer"] = "adagrad";
  write_json(run_file, run);
  CHECK_THROWS_WITH(nn::resume_training(c.out, quiet), Catch::Contains(run_file.string() + ": optimizer adagrad: use one of"));
  run = good;
  run["config"]["steps"] = "two";
  write_json(run_file, run);
  CHECK_THROWS_WITH(nn::resume_training(c.out, quiet), Catch::Contains("steps \"two\": must be an integer from 1 to 100000"));
  run = good;
  run["config"]["steps"] = 0;
  write_json(run_file, run);
  CHECK_THROWS_WITH(nn::resume_training(c.out, quiet), Catch::Contains("steps 0") && !Catch::Contains("--"));
  CHECK_THROWS_WITH(nn::resume_training(c.out + "/missing", quiet), Catch::Contains("missing"));
}

TEST_CASE("a training reports each log interval to the sink it is given", "[trainer][progress]") {
  nn::TrainConfig c = small_config("nimde_train_progress");
  RecordingProgress sink;
  nn::train(c, sink);
  REQUIRE(sink.statuses.size() == 6);  // 60 iterations, a report every 10
  for (std::size_t k = 0; k < sink.statuses.size(); ++k) {
    const nn::TrainStatus& s = sink.statuses[k];
    CHECK(s.iteration == 10 * long(k + 1));
    CHECK(s.total == 60);
    CHECK(s.loss > 0);
    CHECK(s.test_loss > 0);
    CHECK(s.lr > 0);
    CHECK(s.rate > 0);
    CHECK(s.eta == Approx(double(60 - s.iteration) / s.rate));
  }
  CHECK(sink.statuses[0].lr == Approx(0.01 * std::pow(1000.0, -9.0 / 60)));  // that of iteration 10 (k = 9)
  CHECK(sink.messages.empty());
  CHECK(sink.finished == 1);
}

TEST_CASE("line progress rewrites one line on a terminal and writes plain lines elsewhere", "[progress]") {
  const nn::TrainStatus s{10, 60, 1.5e-3, 2.5e-3, 0.01, 100, 0.5};
  CHECK(nn::format_status(s) == "iter 10/60  loss 1.5000e-03  test 2.5000e-03  lr 1.000e-02  100.0 it/s  ETA 1s");
  std::ostringstream plain, live;
  nn::LineProgress to_file(plain, false), to_terminal(live, true);
  for (nn::LineProgress* p : {&to_file, &to_terminal}) {
    p->report(s);
    p->report(s);
    p->message("lbfgs stopped");
    p->report(s);
    p->finish();
  }
  const std::string line = nn::format_status(s);
  CHECK(plain.str() == line + "\n" + line + "\n" + "lbfgs stopped\n" + line + "\n");
  CHECK(live.str() == "\r" + line + "\033[K\r" + line + "\033[K\nlbfgs stopped\n\r" + line + "\033[K\n");
  CHECK(nn::format_duration(3725) == "1h2m5s");
}

TEST_CASE("the initialiser names of run files are the ones networks are built from", "[trainer][names]") {
  for (const auto& n : nn::kInitNames) CHECK(nn::parse_init(n.name) == n.value);
}
