// Training runs: a stopped and resumed run ends bitwise where an uninterrupted one does,
// results do not depend on the thread count, and a diverging run stops with a message.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "autodiff/parallel.hpp"
#include "nn/model_file.hpp"
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
    std::ostringstream log;
    const nn::TrainResult ra = nn::train(a, false, log);
    CHECK_FALSE(ra.interrupted);

    nn::TrainConfig b = small_config(std::string("nimde_train_b_") + optimizer);
    b.optimizer = nn::parse_optimizer(optimizer);
    const nn::TrainResult first = nn::train(b, false, log, nullptr, 27);
    CHECK(first.interrupted);
    CHECK(first.iterations == 27);
    const nn::TrainResult rb = nn::train(b, true, log);
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
  std::ostringstream log;
  nn::train(a, false, log);
  nn::train(b, false, log, nullptr, 33);
  nn::train(b, true, log);
  CHECK(nn::to_json(nn::load_model(a.out + "/model.json"))["layers"] ==
        nn::to_json(nn::load_model(b.out + "/model.json"))["layers"]);
  nn::TrainConfig full = small_config("nimde_train_mb_full");
  nn::train(full, false, log);
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
  std::ostringstream log;
  const int saved = autodiff::num_threads();
  nn::train(one, false, log);
  nn::train(two, false, log);
  autodiff::set_num_threads(saved);
  CHECK(nn::to_json(nn::load_model(one.out + "/model.json"))["layers"] ==
        nn::to_json(nn::load_model(two.out + "/model.json"))["layers"]);
}

TEST_CASE("a diverging run stops naming the iteration and keeps its last checkpoint", "[trainer]") {
  nn::TrainConfig c = small_config("nimde_train_nan");
  c.optimizer = nn::OptimizerKind::sgd;
  c.schedule = nn::Schedule::Kind::constant;
  c.lr = 1e8;
  std::ostringstream log;
  CHECK_THROWS_WITH(nn::train(c, false, log), Catch::Contains("iteration") && Catch::Contains("checkpoint"));
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
  c = small_config("nimde_train_bad");
  c.lr_decay = 0;
  try {
    nn::resolve(c);
    FAIL("lr_decay 0 was accepted");
  } catch (const nn::SettingError& e) {
    CHECK(e.field == "lr_decay");
    CHECK(e.value == "0");
  }
}

TEST_CASE("the initialiser names of run files are the ones networks are built from", "[trainer][names]") {
  for (const auto& n : nn::kInitNames) CHECK(nn::parse_init(n.name) == n.value);
}
