// Data sets: targets are the exact flow, a seed fixes the data, files round-trip exactly and
// bad files are refused with a message that says where.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "nn/dataset.hpp"
#include "ode/method.hpp"

using namespace nimde;
using autodiff::Tensor;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nimde_dataset_" + name)).string();
}

bool same_bits(const Tensor<double>& a, const Tensor<double>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// A small data set with values that are hard to write: 1/3, −0, subnormals, huge and tiny numbers.
nn::Dataset awkward_dataset() {
  nn::Dataset d;
  d.T = 0.1 / 3;
  d.names = {"p", "q"};
  d.x = autodiff::zeros<double>(4, 2);
  d.y = autodiff::zeros<double>(4, 2);
  const double values[] = {1.0 / 3, -0.0, 4.9e-324, 1e300, -2.2250738585072014e-308, 0.1, -7.0 / 9, 123456789.123456789,
                           std::nextafter(1.0, 2.0), -1e-300, 2.0 / 3, 5e-324, -0.04, 3.141592653589793, 1e-17, -1.5};
  for (std::size_t i = 0; i < 8; ++i) {
    d.x.data()[i] = values[i];
    d.y.data()[i] = values[8 + i];
  }
  return d;
}

}  // namespace

TEST_CASE("targets are the harmonic oscillator's exact rotation, to the reference method's accuracy", "[dataset]") {
  // p' = −q, q' = p:  φ_T(p, q) = (p cos T − q sin T, q cos T + p sin T).
  const ode::System& harmonic = ode::system("harmonic");
  const double T = 0.3;
  const nn::Dataset d = nn::make_dataset(harmonic, 500, T, 11);
  REQUIRE(d.size() == 500);
  REQUIRE(d.dim() == 2);
  CHECK(d.T == T);
  CHECK(d.names == std::vector<std::string>{"p", "q"});
  double worst = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const double p = d.x(i, 0), q = d.x(i, 1);
    CHECK((p >= -2 && p < 2 && q >= -2 && q < 2));
    worst = std::max({worst, std::abs(d.y(i, 0) - (p * std::cos(T) - q * std::sin(T))),
                      std::abs(d.y(i, 1) - (q * std::cos(T) + p * std::sin(T)))});
  }
  // RK4 with 10 substeps of 0.03: global error about T·h⁴/120·|y| ≈ 2·10⁻⁹.
  CHECK(worst < 1e-8);
  CHECK(worst > 0);
}

TEST_CASE("pendulum targets by sv6 agree with a much finer rk4 integration", "[dataset]") {
  const ode::System& pendulum = ode::system("pendulum");
  REQUIRE(nn::data_setup(pendulum).reference == "sv6");
  REQUIRE(nn::data_setup(pendulum).substeps == 10);
  const nn::Dataset d = nn::make_dataset(pendulum, 200, 0.04, 3);
  const ode::Method rk4 = ode::method("rk4");
  const Tensor<double> fine = ode::integrate(rk4, pendulum.field, autodiff::Array<double>(d.x), 0.04 / 400, 400).value();
  double worst = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i) worst = std::max(worst, std::abs(d.y.data()[i] - fine.data()[i]));
  CHECK(worst < 1e-12);
  for (std::size_t i = 0; i < d.size(); ++i) {
    CHECK((d.x(i, 0) >= -3.8 && d.x(i, 0) < 3.8 && d.x(i, 1) >= -1.2 && d.x(i, 1) < 1.2));
    const double e0 = pendulum.invariants[0].value({d.x(i, 0), d.x(i, 1)});
    const double e1 = pendulum.invariants[0].value({d.y(i, 0), d.y(i, 1)});
    CHECK(std::abs(e1 - e0) < 1e-11);
  }
}

TEST_CASE("a seed determines the points, drawn from the generator's raw bits", "[dataset]") {
  const ode::System& pendulum = ode::system("pendulum");
  const nn::Dataset a = nn::make_dataset(pendulum, 300, 0.04, 42), b = nn::make_dataset(pendulum, 300, 0.04, 42);
  CHECK(same_bits(a.x, b.x));
  CHECK(same_bits(a.y, b.y));
  CHECK_FALSE(same_bits(a.x, nn::make_dataset(pendulum, 300, 0.04, 43).x));
  // Row by row, component by component: lo + (hi − lo)·(top 53 bits)·2⁻⁵³.
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < 2; ++k) {
      const auto [lo, hi] = pendulum.domain[k];
      CHECK(a.x(i, k) == lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53));
    }
  // Uniform: each coordinate's mean is near the middle of its range.
  const nn::Dataset big = nn::make_dataset(pendulum, 20000, 0.04, 5);
  for (std::size_t k = 0; k < 2; ++k) {
    double mean = 0;
    for (std::size_t i = 0; i < big.size(); ++i) mean += big.x(i, k);
    mean /= static_cast<double>(big.size());
    const double half = pendulum.domain[k].second;
    CHECK(std::abs(mean) < 4 * half / std::sqrt(3.0 * 20000));  // four standard errors
  }
}

TEST_CASE("train and test sets are independent draws, with noise on the train targets only", "[dataset]") {
  const ode::System& pendulum = ode::system("pendulum");
  const nn::DataSplit clean = nn::make_split(pendulum, 4000, 500, 0.04, 9);
  CHECK(clean.train.size() == 4000);
  CHECK(clean.test.size() == 500);
  CHECK(clean.train.x(0, 0) != clean.test.x(0, 0));
  const nn::DataSplit noisy = nn::make_split(pendulum, 4000, 500, 0.04, 9, 1e-3);
  CHECK(same_bits(noisy.train.x, clean.train.x));
  CHECK(same_bits(noisy.test.y, clean.test.y));
  double mean = 0, square = 0;
  const std::size_t n = noisy.train.y.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double e = noisy.train.y.data()[i] - clean.train.y.data()[i];
    mean += e;
    square += e * e;
  }
  mean /= static_cast<double>(n);
  const double std_dev = std::sqrt(square / static_cast<double>(n) - mean * mean);
  CHECK(std::abs(mean) < 4e-3 / std::sqrt(static_cast<double>(n)));
  CHECK(std_dev == Approx(1e-3).epsilon(0.05));
  CHECK(same_bits(nn::make_split(pendulum, 4000, 500, 0.04, 9, 1e-3).train.y, noisy.train.y));
}

TEST_CASE("lorenz data are consecutive states of one trajectory, and train = test", "[dataset]") {
  const ode::System& lorenz = ode::system("lorenz");
  const nn::DataSplit split = nn::make_split(lorenz, nn::data_setup(lorenz).train_points, nn::data_setup(lorenz).test_points,
                                               nn::data_setup(lorenz).T, 1);
  const nn::Dataset& d = split.train;
  REQUIRE(d.size() == 250);
  REQUIRE(d.dim() == 3);
  for (std::size_t k = 0; k < 3; ++k) CHECK(d.x(0, k) == lorenz.y0[k]);
  for (std::size_t i = 0; i + 1 < d.size(); ++i)
    for (std::size_t k = 0; k < 3; ++k) CHECK(d.y(i, k) == d.x(i + 1, k));
  CHECK(same_bits(split.test.x, d.x));
  CHECK(same_bits(split.test.y, d.y));
  // One step of the trajectory is the reference flow of its start.
  Tensor<double> first = autodiff::zeros<double>(1, 3);
  for (std::size_t k = 0; k < 3; ++k) first(0, k) = d.x(7, k);
  const Tensor<double> next = nn::reference_flow(lorenz, first, nn::data_setup(lorenz).T);
  for (std::size_t k = 0; k < 3; ++k) CHECK(next(0, k) == d.y(7, k));
}

TEST_CASE("data sets round-trip bit for bit through CSV and binary files", "[dataset][files]") {
  const std::vector<nn::Dataset> sets{awkward_dataset(), nn::make_dataset(ode::system("lorenz"), 40, 0.04, 0)};
  for (const nn::Dataset& d : sets) {
    for (const std::string ext : {".csv", ".bin"}) {
      const std::string path = temp_path("roundtrip" + ext);
      nn::save_dataset(d, path);
      const nn::Dataset r = nn::load_dataset(path);
      INFO(ext);
      CHECK(same_bits(r.x, d.x));
      CHECK(same_bits(r.y, d.y));
      CHECK(std::memcmp(&r.T, &d.T, sizeof(double)) == 0);
      CHECK(r.names == d.names);
      std::filesystem::remove(path);
    }
  }
  const std::string csv = temp_path("format.csv");
  nn::save_dataset(awkward_dataset(), csv);
  const std::string text = read_text(csv);
  CHECK(text.rfind("# T=0.033333333333333333\nx_p,x_q,y_p,y_q\n", 0) == 0);
  std::filesystem::remove(csv);
}

TEST_CASE("a corrupted or truncated binary file is refused, naming the file", "[dataset][files]") {
  const std::string path = temp_path("corrupt.bin");
  nn::save_dataset(nn::make_dataset(ode::system("pendulum"), 50, 0.04, 2), path);
  const std::string good = read_text(path);
  for (std::size_t at : {good.size() / 2, std::size_t{9}, std::size_t{30}, good.size() - 1}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    write_text(path, bad);
    INFO("byte " << at);
    CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains(path));
  }
  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x01);
  write_text(path, flipped);
  CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains("checksum"));
  write_text(path, good.substr(0, good.size() - 20));
  CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains(path));
  write_text(path, good.substr(0, 12));
  CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains("truncated"));
  // A header claiming more than the limits is refused before anything is allocated for it.
  std::string wide = good;
  wide[16] = 0x01, wide[17] = 0x08;  // dimension 2049 (little-endian u64 after magic and rows)
  write_text(path, wide);
  CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains("dimension 2049 is out of range 1..1024"));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains(path));
}

TEST_CASE("NaN and infinity are refused with their row and column named", "[dataset][files]") {
  nn::Dataset d = nn::make_dataset(ode::system("pendulum"), 5, 0.04, 4);
  d.y(2, 1) = std::numeric_limits<double>::quiet_NaN();
  for (const std::string ext : {".csv", ".bin"}) {
    const std::string path = temp_path("nan" + ext);
    nn::save_dataset(d, path);
    INFO(ext);
    CHECK_THROWS_WITH(nn::load_dataset(path),
                      Catch::Contains(path) && Catch::Contains("row 3") && Catch::Contains("y_q") && Catch::Contains("NaN"));
    std::filesystem::remove(path);
  }
  const std::string path = temp_path("inf.csv");
  write_text(path, "# T=0.04\nx_p,x_q,y_p,y_q\n1,2,3,4\n1,-inf,3,4\n");
  CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains("row 2") && Catch::Contains("x_q") && Catch::Contains("inf"));
  std::filesystem::remove(path);
}

TEST_CASE("malformed CSV files are refused with the line named", "[dataset][files]") {
  const std::string path = temp_path("bad.csv");
  auto fails = [&](const std::string& text, const std::string& what) {
    write_text(path, text);
    INFO(text);
    CHECK_THROWS_WITH(nn::load_dataset(path), Catch::Contains(path) && Catch::Contains(what));
  };
  fails("x_p,x_q,y_p,y_q\n1,2,3,4\n", "line 1");
  fails("# T=-1\nx_p,x_q,y_p,y_q\n1,2,3,4\n", "data step");
  fails("# T=0.1\nx_p,x_q,y_p\n1,2,3\n", "header");
  fails("# T=0.1\nx_p,x_q,y_q,y_p\n1,2,3,4\n", "'y_q' is not y_p");
  fails("# T=0.1\nx_p,x_q,y_p,y_q\n1,2,3,4\n1,2,3\n", "line 4: row 2 has 3 columns, expected 4");
  fails("# T=0.1\nx_p,x_q,y_p,y_q\n1,2,3,4x\n", "column y_q: '4x' is not a number");
  fails("# T=0.1\nx_p,x_q,y_p,y_q\n", "no rows");
  std::filesystem::remove(path);
}
