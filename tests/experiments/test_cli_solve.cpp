// `nimde solve` run as a program: its numbers against hand computation and closed forms,
// its output formats, and a one-line error naming the value for every bad argument.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"

using Catch::Matchers::Contains;

namespace {

using Args = std::vector<std::string>;

using Run = nimde::test::CliRun;

/// Runs `nimde solve ARGS`, stdout and stderr captured apart.
Run solve(const std::vector<std::string>& args) {
  std::vector<std::string> all{"solve"};
  all.insert(all.end(), args.begin(), args.end());
  return nimde::test::run_cli(all);
}

/// A CSV table: the header's names and the rows of numbers.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  std::string cell;
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  return cells;
}

Csv parse_csv(const std::string& text) {
  Csv csv;
  std::stringstream s(text);
  std::string line;
  std::getline(s, line);
  csv.header = split(line);
  while (std::getline(s, line)) {
    std::vector<double> row;
    for (const std::string& cell : split(line)) row.push_back(std::stod(cell));
    REQUIRE(row.size() == csv.header.size());
    csv.rows.push_back(row);
  }
  return csv;
}

Csv solve_csv(const std::vector<std::string>& args) {
  const Run r = solve(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  return parse_csv(r.out);
}

/// The run fails with a one-line message on stderr that contains every one of `needles`.
void expect_error(const std::vector<std::string>& args, const std::vector<std::string>& needles) {
  const Run r = solve(args);
  INFO("args:" << [&] {
    std::string s;
    for (const auto& a : args) s += " " + a;
    return s;
  }());
  for (const std::string& needle : needles) nimde::test::check_one_line_error(r, needle);
}

const Args kHarmonic{"--system", "harmonic", "--y0", "0,1"};

Args operator+(Args a, const Args& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("explicit Euler on the harmonic oscillator is the map (p, q) -> (p - h q, q + h p), to the bit", "[solve]") {
  const double h = 0.1;
  const Csv csv = solve_csv({"--system", "harmonic", "--method", "euler", "--h", "0.1", "--steps", "5", "--y0", "0.3,0.7"});
  REQUIRE(csv.header == Args{"t", "p", "q"});
  REQUIRE(csv.rows.size() == 6);
  double p = 0.3, q = 0.7;
  for (int n = 0; n <= 5; ++n) {
    CHECK(csv.rows[n][0] == n * h);
    CHECK(csv.rows[n][1] == p);
    CHECK(csv.rows[n][2] == q);
    const double p1 = p - h * q, q1 = q + h * p;
    p = p1;
    q = q1;
  }
}

TEST_CASE("rk4 with substeps follows the harmonic oscillator's flow (-sin t, cos t) to 1e-10", "[solve]") {
  const Csv fine = solve_csv(kHarmonic + Args{"--method", "rk4", "--h", "0.5", "--steps", "10", "--substeps", "100"});
  REQUIRE(fine.rows.size() == 11);
  for (const auto& row : fine.rows) {
    CHECK(std::abs(row[1] + std::sin(row[0])) < 1e-10);
    CHECK(std::abs(row[2] - std::cos(row[0])) < 1e-10);
  }
  // Without substeps the step is 0.5 and the error is far larger: the substeps are taken.
  const Csv coarse = solve_csv(kHarmonic + Args{"--method", "rk4", "--h", "0.5", "--steps", "10"});
  CHECK(std::abs(coarse.rows[10][2] - std::cos(5.0)) > 1e-5);
}

TEST_CASE("an expression field with the pendulum's formula gives the built-in pendulum's output bit for bit", "[solve]") {
  const Args common{"--method", "rk4", "--h", "0.05", "--steps", "40", "--substeps", "3", "--y0", "0.2,1.1"};
  const Run builtin = solve(Args{"--system", "pendulum"} + common);
  const Run expression = solve(Args{"--field", "p' = -10*sin(q); q' = p"} + common);
  REQUIRE(builtin.code == 0);
  REQUIRE(expression.code == 0);
  CHECK(parse_csv(builtin.out).rows.size() == 41);
  CHECK(expression.out == builtin.out);
}

TEST_CASE("parameters of an expression field enter as given", "[solve]") {
  const Args common{"--method", "rk4", "--h", "0.05", "--steps", "20", "--y0", "0.2,1.1"};
  const Run builtin = solve(Args{"--system", "pendulum"} + common);
  const Run param = solve(Args{"--field", "p' = -g*sin(q); q' = p", "--param", "g=10"} + common);
  REQUIRE(param.code == 0);
  CHECK(param.out == builtin.out);
}

TEST_CASE("JSON output has one time and one state of the system's dimension per step", "[solve]") {
  const Run r = solve({"--system", "kepler", "--method", "sv4", "--h", "0.01", "--steps", "7", "--substeps", "2", "--y0",
                       "0,1.7320508075688772,0.5,0", "--format", "json", "--invariants"});
  REQUIRE(r.code == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["system"] == "kepler");
  CHECK(j["method"] == "sv4");
  CHECK(j["h"] == 0.01);
  CHECK(j["substeps"] == 2);
  CHECK(j["names"] == nlohmann::json{"p1", "p2", "q1", "q2"});
  REQUIRE(j["t"].size() == 8);
  REQUIRE(j["y"].size() == 8);
  for (std::size_t n = 0; n < 8; ++n) {
    CHECK(j["t"][n].get<double>() == n * 0.01);
    CHECK(j["y"][n].size() == 4);
  }
  CHECK(j["y"][0] == nlohmann::json{0.0, 1.7320508075688772, 0.5, 0.0});
  REQUIRE(j["invariants"].contains("energy"));
  REQUIRE(j["invariants"].contains("angular_momentum"));
  CHECK(j["invariants"]["energy"].size() == 8);
  // sv4 is symplectic and the step small: the energy barely moves.
  CHECK(std::abs(j["invariants"]["energy"][7].get<double>() - j["invariants"]["energy"][0].get<double>()) < 1e-8);

  // The CSV of the same run carries the same numbers.
  const Csv csv = solve_csv({"--system", "kepler", "--method", "sv4", "--h", "0.01", "--steps", "7", "--substeps", "2",
                             "--y0", "0,1.7320508075688772,0.5,0", "--invariants"});
  CHECK(csv.header == Args{"t", "p1", "p2", "q1", "q2", "energy", "angular_momentum"});
  for (std::size_t n = 0; n < 8; ++n) {
    for (std::size_t k = 0; k < 4; ++k) CHECK(csv.rows[n][1 + k] == j["y"][n][k].get<double>());
    CHECK(csv.rows[n][5] == j["invariants"]["energy"][n].get<double>());
  }
}

TEST_CASE("a user tableau reports its computed order and steps like the same catalogue method", "[solve]") {
  const std::filesystem::path file = std::filesystem::temp_directory_path() / ("my_rk4_" + std::to_string(getpid()) + ".json");
  std::ofstream(file) << R"({"A": [["0","0","0","0"],["1/2","0","0","0"],["0","1/2","0","0"],["0","0","1","0"]],
                             "b": ["1/6","1/3","1/3","1/6"]})";
  const Args common{"--h", "0.1", "--steps", "10", "--substeps", "2"};
  const Run user = solve(kHarmonic + Args{"--tableau", file.string()} + common);
  const Run catalogue = solve(kHarmonic + Args{"--method", "rk4"} + common);
  std::filesystem::remove(file);
  REQUIRE(user.code == 0);
  CHECK(user.err == "# method " + file.stem().string() + " has order 4\n");
  CHECK(user.out == catalogue.out);
}

TEST_CASE("dopri5 and dop853 follow the harmonic oscillator's flow to 1e-9 up to t1", "[solve]") {
  for (const char* m : {"dopri5", "dop853"}) {
    INFO(m);
    const Csv csv = solve_csv(kHarmonic + Args{"--method", m, "--h", "0.25", "--t1", "10"});
    REQUIRE(csv.rows.size() == 41);
    CHECK(csv.rows.back()[0] == 10.0);
    for (const auto& row : csv.rows) {
      CHECK(std::abs(row[1] + std::sin(row[0])) < 1e-9);
      CHECK(std::abs(row[2] - std::cos(row[0])) < 1e-9);
    }
  }
  // --t1 and --steps together are accepted when they agree.
  const Csv both = solve_csv(kHarmonic + Args{"--method", "dopri5", "--h", "0.5", "--t1", "2", "--steps", "4"});
  CHECK(both.rows.size() == 5);
  // Looser tolerances give a visibly different (less accurate) answer.
  const Csv loose = solve_csv(kHarmonic + Args{"--method", "dopri5", "--h", "1", "--t1", "10", "--rtol",
                                                                  "1e-4", "--atol", "1e-6"});
  CHECK(std::abs(loose.rows.back()[2] - std::cos(10.0)) > 1e-9);
}

TEST_CASE("steps 0 prints the initial state only", "[solve]") {
  const Csv csv = solve_csv(kHarmonic + Args{"--method", "euler", "--h", "0.1", "--steps", "0"});
  REQUIRE(csv.rows.size() == 1);
  CHECK(csv.rows[0] == std::vector<double>{0.0, 0.0, 1.0});
}

TEST_CASE("every bad argument exits non-zero with one line naming the value", "[solve]") {
  const Args ok_method{"--method", "rk4", "--h", "0.1", "--steps", "3"};
  SECTION("methods and systems") {
    expect_error(kHarmonic + Args{"--method", "rk5", "--h", "0.1", "--steps", "3"},
                 {"'rk5'", "rk4", "sv6", "dopri5", "dop853"});
    expect_error({"--system", "pendulim", "--y0", "0,1", "--method", "rk4", "--h", "0.1", "--steps", "3"},
                 {"'pendulim'", "pendulum", "kepler"});
    expect_error({"--y0", "0,1", "--method", "rk4", "--h", "0.1", "--steps", "3"}, {"--system", "--field"});
    expect_error(kHarmonic + Args{"--field", "x' = x"} + ok_method, {"--system", "--field"});
    expect_error({"--system", "harmonic", "--y0", "0,1", "--h", "0.1", "--steps", "3"}, {"--method", "--tableau"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--tableau", "x.json", "--h", "0.1", "--steps", "3"},
                 {"--method", "--tableau"});
    expect_error(kHarmonic + Args{"--tableau", "/nonexistent/dir/t.json", "--h", "0.1", "--steps", "3"},
                 {"/nonexistent/dir/t.json"});
  }
  SECTION("the initial state") {
    expect_error(Args{"--system", "pendulum", "--y0", "0,1,2"} + ok_method,
                 {"--y0 has 3 values, system pendulum has dimension 2"});
    expect_error(Args{"--field", "x' = -x", "--y0", "1,2"} + ok_method, {"--y0 has 2 values", "dimension 1"});
    expect_error(Args{"--system", "pendulum", "--y0", "0,nan"} + ok_method, {"--y0", "'nan'"});
    expect_error(Args{"--system", "pendulum", "--y0", "0,inf"} + ok_method, {"--y0", "'inf'"});
    expect_error(Args{"--system", "pendulum", "--y0", "0,abc"} + ok_method, {"--y0", "'abc'"});
  }
  SECTION("step sizes and counts") {
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "0", "--steps", "3"}, {"--h", "0"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "-0.5", "--steps", "3"}, {"--h", "-0.5"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "nan", "--steps", "3"}, {"--h", "nan"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "inf", "--steps", "3"}, {"--h", "inf"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "0.1", "--steps", "-1"}, {"--steps", "-1"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "0.1"}, {"--steps", "--t1"});
    expect_error(kHarmonic + ok_method + Args{"--substeps", "0"}, {"--substeps", "0"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "0.1", "--t1", "inf"}, {"--t1", "inf"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "0.1", "--t1", "-1"}, {"--t1", "-1"});
    expect_error(kHarmonic + Args{"--method", "rk4", "--h", "0.3", "--t1", "1"}, {"--t1 1", "--h 0.3"});
    expect_error(kHarmonic + Args{"--method", "dopri5", "--h", "0.5", "--t1", "2", "--steps", "5"},
                 {"--steps 5", "--t1 2", "4"});
  }
  SECTION("tolerances") {
    expect_error(kHarmonic + Args{"--method", "dopri5", "--h", "0.5", "--t1", "2", "--rtol", "nan"},
                 {"--rtol", "nan"});
    expect_error(kHarmonic + Args{"--method", "dopri5", "--h", "0.5", "--t1", "2", "--atol", "0"},
                 {"--atol", "0"});
    expect_error(kHarmonic + ok_method + Args{"--rtol", "1e-6"}, {"--rtol", "rk4"});
    expect_error(kHarmonic + Args{"--method", "dopri5", "--h", "0.5", "--t1", "2", "--substeps", "4"},
                 {"--substeps", "dopri5"});
  }
  SECTION("fields and parameters") {
    expect_error(Args{"--field", "p' = -g*sin(q); q' = p", "--param", "g10", "--y0", "0,1"} + ok_method, {"'g10'"});
    expect_error(Args{"--field", "p' = -g*sin(q); q' = p", "--param", "g=ten", "--y0", "0,1"} + ok_method, {"--param g", "'ten'"});
    expect_error(Args{"--field", "p' = -g*sin(q); q' = p", "--param", "g=nan", "--y0", "0,1"} + ok_method, {"--param g", "'nan'"});
    expect_error(Args{"--field", "p' = -10*sin(q; q' = p", "--y0", "0,1"} + ok_method, {"sin(q"});
    expect_error(kHarmonic + ok_method + Args{"--param", "a=1"}, {"--param", "harmonic"});
  }
  SECTION("output") {
    expect_error(kHarmonic + ok_method + Args{"--format", "xml"}, {"--format", "'xml'"});
    expect_error(Args{"--system", "van-der-pol", "--y0", "2,0", "--invariants"} + ok_method, {"--invariants", "van-der-pol"});
  }
}

TEST_CASE("solve's help documents every option", "[solve]") {
  const Run r = solve({"--help"});
  CHECK(r.code == 0);
  for (const char* option : {"--system", "--field", "--param", "--method", "--tableau", "--h", "--steps", "--t1", "--y0",
                             "--substeps", "--rtol", "--atol", "--invariants", "--format"})
    CHECK_THAT(r.out, Contains(option));
}
