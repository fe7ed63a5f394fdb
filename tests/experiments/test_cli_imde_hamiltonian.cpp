// `nimde imde hamiltonian` end to end: its columns and values against the library, the
// reference point, JSON keys, the statement for a method that is not symplectic, and the
// one-line refusals of fields that are not in canonical coordinates.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"
#include "tests/support/linear_model.hpp"

#include "imde/hamiltonian.hpp"
#include "nn/model_file.hpp"
#include "ode/systems.hpp"
#include "ode/tableau.hpp"

namespace {

using Run = nimde::test::CliRun;
using nimde::test::check_one_line_error;
using nimde::test::csv_rows;
using nimde::test::run_cli_line;

}  // namespace

TEST_CASE("nimde imde hamiltonian prints p, q, H_h and H as the library computes them", "[cli]") {
  const Run run = run_cli_line(
      "imde hamiltonian --system pendulum --method implicit-midpoint --h 0.1 --order 3 --at 0.5,0.3 --at -1,2");
  REQUIRE(run.code == 0);
  std::string header;
  const auto rows = csv_rows(run.out, header);
  CHECK(header == "p,q,H_h,H");
  REQUIRE(rows.size() == 2);
  const nimde::ode::System& pendulum = nimde::ode::system("pendulum");
  // The default reference point is the centre of the domain, (0, 0), where H = −10.
  const nimde::imde::InverseModifiedHamiltonian H(nimde::ode::rk_tableau("implicit-midpoint"), pendulum.field, 0.1, 3,
                                                  {0, 0}, -10);
  for (const auto& row : rows) {
    CHECK(row[2] == Approx(H(std::vector<double>{row[0], row[1]})).epsilon(1e-15));
    CHECK(row[3] == Approx(pendulum.hamiltonian({row[0], row[1]})).epsilon(1e-15));
    // H_h = H + O(h²) for implicit midpoint.
    CHECK(std::abs(row[2] - row[3]) < 0.1 * 0.1 * 20);
    CHECK(std::abs(row[2] - row[3]) > 1e-4);
  }
  CHECK_THAT(run.err, Catch::Contains("# y_ref = (0, 0), the centre of the domain of pendulum"));
  CHECK_THAT(run.err, Catch::Contains("implicit-midpoint is symplectic"));

  // --ref moves the constant: H_h(y_ref) = H(y_ref) at the new point.
  const Run moved = run_cli_line(
      "imde hamiltonian --system pendulum --method implicit-midpoint --h 0.1 --order 3 --at 0.5,0.3 --ref 0.5,0.3");
  REQUIRE(moved.code == 0);
  const auto moved_rows = csv_rows(moved.out, header);
  CHECK(moved_rows[0][2] == pendulum.hamiltonian({0.5, 0.3}));
}

TEST_CASE("nimde imde hamiltonian of a --canonical expression has no H column and a constant 0", "[cli]") {
  const Run run = run_cli_line("imde hamiltonian --field \"p' = -a*q; q' = p\" --param a=4 --canonical "
                               "--method gauss4 --h 0.2 --order 2 --at 1,1");
  REQUIRE(run.code == 0);
  std::string header;
  const auto rows = csv_rows(run.out, header);
  CHECK(header == "p,q,H_h");
  // H = p²/2 + 2q² from the origin, up to O(h⁴) (gauss4 has order 4).
  CHECK(rows[0][2] == Approx(0.5 + 2).margin(0.01));
  CHECK_THAT(run.err, Catch::Contains("the origin"));
}

TEST_CASE("nimde imde hamiltonian of a model uses its true system's domain and H", "[cli]") {
  // f(y) = W y with W = [[0, −1], [1, 0]]: exactly the harmonic oscillator, H = (p² + q²)/2.
  const std::string path = (std::filesystem::temp_directory_path() / "nimde_cli_hamiltonian_model.json").string();
  nlohmann::json model = nimde::test::rotation_model("implicit-midpoint");
  std::ofstream(path) << model.dump();
  const Run run = run_cli_line("imde hamiltonian --model " + path + " --order 2 --at 0.5,0.3 --format json");
  REQUIRE(run.code == 0);
  const nlohmann::json j = nlohmann::json::parse(run.out);
  CHECK(j["method"] == "implicit-midpoint");
  CHECK(j["h"] == 0.1);
  CHECK(j["y_ref"] == std::vector<double>{0, 0});
  // Implicit midpoint's step for f = W y is the Cayley map C(hW) = (I − hW/2)⁻¹(I + hW/2); its IMDE f_h = W_h y
  // has C(hW_h) = exp(hW), so hW_h/2 = tanh(hW/2): W_h = (2/h) tanh(hW/2) = W − h²/12 W³ + O(h⁴). W³ = −W:
  // f_h^[2] = (1 + h²/12) W y, and H_h^[2] = (1 + h²/12) H, equal at y_ref = 0 where both vanish.
  const double H = (0.25 + 0.09) / 2;
  CHECK(j["rows"][0][2].get<double>() == Approx((1 + 0.01 / 12) * H).epsilon(1e-14));
  CHECK(j["rows"][0][3].get<double>() == Approx(H).epsilon(1e-15));

  // A model trained on an expression needs --canonical, as the expression itself does.
  model["system"] = "expression";
  model["field"] = "p' = -q; q' = p";
  model["params"] = nlohmann::json::object();
  model["domain"] = {{-1.0, 1.0}, {0.0, 2.0}};
  std::ofstream(path) << model.dump();
  check_one_line_error(run_cli_line("imde hamiltonian --model " + path + " --order 2 --at 0.5,0.3"), "add --canonical");
  const Run canonical = run_cli_line("imde hamiltonian --model " + path + " --canonical --order 2 --at 0.5,0.3");
  REQUIRE(canonical.code == 0);
  std::string header;
  const auto rows = csv_rows(canonical.out, header);
  CHECK(header == "p,q,H_h");  // an expression's H is not known
  // y_ref = (0, 1), the domain's centre, with constant 0: H_h = (1 + h²/12)((p² + q²)/2 − 1/2).
  CHECK(rows[0][2] == Approx((1 + 0.01 / 12) * (H - 0.5)).epsilon(1e-14));
  CHECK_THAT(canonical.err, Catch::Contains("the centre of the domain of expression"));
  // A model trained with --canonical says so in its file, and needs no flag.
  model["canonical"] = true;
  std::ofstream(path) << model.dump();
  const Run recorded = run_cli_line("imde hamiltonian --model " + path + " --order 2 --at 0.5,0.3");
  REQUIRE(recorded.code == 0);
  CHECK(recorded.out == canonical.out);
  std::filesystem::remove(path);
}

TEST_CASE("nimde imde hamiltonian states, and measures, that euler's IMDE is not Hamiltonian", "[cli]") {
  const Run run = run_cli_line("imde hamiltonian --system pendulum --method euler --h 0.1 --order 2 --at 0.5,0.3 "
                               "--at -1,0.7 --format json");
  REQUIRE(run.code == 0);
  CHECK_THAT(run.err, Catch::Contains("euler is not symplectic"));
  CHECK_THAT(run.err, Catch::Contains("not Hamiltonian"));
  const nlohmann::json j = nlohmann::json::parse(run.out);
  for (const char* key : {"columns", "rows", "field", "method", "h", "order", "y_ref", "y_ref_source", "H_ref",
                          "symplectic", "hamiltonian_check", "statement"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["symplectic"] == false);
  const nlohmann::json& c = j["hamiltonian_check"];
  // div f_h^[1] = −10 h cos q (the h² term adds a little): about 1 · 0.5 · (cos 0.3 + cos 0.7) on average.
  CHECK(c["mean_abs_divergence"].get<double>() == Approx(0.5 * (std::cos(0.3) + std::cos(0.7))).epsilon(0.1));
  CHECK(c["mean_abs_divergence_order_0"].get<double>() < 1e-11);
  CHECK(c["mean_two_path_difference"].get<double>() > 1e-2);
  CHECK(c["mean_two_path_difference_order_0"].get<double>() < 1e-12);

  const Run csv = run_cli_line("imde hamiltonian --system pendulum --method euler --h 0.1 --order 2 --at 0.5,0.3");
  REQUIRE(csv.code == 0);
  CHECK_THAT(csv.err, Catch::Contains("mean |div f_h^[2]|"));
  CHECK_THAT(csv.err, Catch::Contains("(order 0, the field itself:"));
}

TEST_CASE("nimde imde hamiltonian refuses fields that are not canonical in one line naming them", "[cli]") {
  const std::string method = " --method implicit-midpoint --h 0.1 --order 2";
  check_one_line_error(run_cli_line("imde hamiltonian --system lorenz" + method + " --at 1,2,3"), "--system lorenz");
  check_one_line_error(run_cli_line("imde hamiltonian --field \"x' = y; y' = -x; z' = 1\" --canonical" + method +
                                    " --at 1,2,3"),
                       "the field has 3 variables");
  check_one_line_error(run_cli_line("imde hamiltonian --field \"p' = -q; q' = p\"" + method + " --at 1,2"),
                       "add --canonical");
  check_one_line_error(run_cli_line("imde hamiltonian --system pendulum --canonical" + method + " --at 1,2"),
                       "--canonical applies only to --field; --system pendulum");
  check_one_line_error(run_cli_line("imde hamiltonian --system pendulum" + method + " --at 1,2 --ref 1,2,3"),
                       "--ref '1,2,3'");
  check_one_line_error(run_cli_line("imde hamiltonian --system pendulum" + method + " --at 1,2 --ref 1,nan"), "nan");
}
