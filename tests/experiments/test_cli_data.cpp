// `nimde data`: the files hold, to the bit, the pairs `nimde train` and `nimde eval` build from
// the same seed, and those pairs are the pendulum's flow (its energy is kept).
#include <cmath>
#include <filesystem>

#include <catch2/catch.hpp>

#include "nn/dataset.hpp"
#include "ode/systems.hpp"
#include "tests/support/cli_run.hpp"

using nimde::test::run_cli;
namespace fs = std::filesystem;

namespace {
bool same_bits(const nimde::autodiff::Tensor<double>& a, const nimde::autodiff::Tensor<double>& b) {
  return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}
}  // namespace

TEST_CASE("data writes the pairs a run with the same seed trains on, in either format", "[cli][data]") {
  const fs::path dir = fs::temp_directory_path() / "nimde_cli_data";
  fs::remove_all(dir);
  for (const char* format : {"csv", "binary"}) {
    const auto r = run_cli({"data", "--system", "pendulum", "--points", "50", "--test-points", "20", "--seed", "7",
                            "--format", format, "--out", dir.string()});
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  const nimde::ode::System& pendulum = nimde::ode::system("pendulum");
  const nimde::nn::DataSplit split = nimde::nn::make_split(pendulum, 50, 20, 0.04, 7);
  for (const char* ext : {".csv", ".bin"}) {
    const nimde::nn::Dataset train = nimde::nn::load_dataset((dir / ("train" + std::string(ext))).string()),
                             test = nimde::nn::load_dataset((dir / ("test" + std::string(ext))).string());
    CHECK(same_bits(train.x, split.train.x));
    CHECK(same_bits(train.y, split.train.y));
    CHECK(same_bits(test.x, split.test.x));
    CHECK(same_bits(test.y, split.test.y));
    CHECK(train.T == 0.04);
    CHECK(train.names == std::vector<std::string>{"p", "q"});
    // H = p²/2 − 10 cos q is conserved by the flow over T.
    for (std::size_t i = 0; i < train.size(); ++i) {
      const auto H = [](double p, double q) { return p * p / 2 - 10 * std::cos(q); };
      CHECK(std::abs(H(train.y(i, 0), train.y(i, 1)) - H(train.x(i, 0), train.x(i, 1))) < 1e-12);
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("data refuses bad options in one line naming the value", "[cli][data]") {
  const std::string out = (fs::temp_directory_path() / "nimde_cli_data_bad").string();
  nimde::test::check_one_line_error(run_cli({"data", "--system", "pendulum", "--points", "0", "--out", out}), "--points 0");
  nimde::test::check_one_line_error(run_cli({"data", "--system", "pendulum", "--test-points", "-4", "--out", out}),
                                    "--test-points -4");
  nimde::test::check_one_line_error(run_cli({"data", "--system", "pendulum", "--T", "-1", "--out", out}), "'-1'");
  nimde::test::check_one_line_error(run_cli({"data", "--system", "pendulum", "--noise", "-0.5", "--out", out}),
                                    "--noise -0.5");
  nimde::test::check_one_line_error(run_cli({"data", "--system", "swing", "--out", out}), "'swing'");
  nimde::test::check_one_line_error(run_cli({"data", "--system", "pendulum", "--format", "xml", "--out", out}), "'xml'");
  CHECK_FALSE(fs::exists(out));
}
