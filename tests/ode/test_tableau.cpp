#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>

#include <catch2/catch.hpp>

#include "ode/quadratic_rational.hpp"
#include "ode/tableau.hpp"
#include "tests/support/error_of.hpp"

using nimde::ode::parse_rational;
using nimde::ode::QuadraticRational;
using nimde::ode::Rational;
using nimde::ode::Tableau;

using nimde::test::error_of;

namespace {

QuadraticRational sqrt3(const Rational& a, const Rational& b) { return QuadraticRational(a, b, 3); }

}  // namespace

TEST_CASE("rational strings and decimals are read exactly", "[tableau]") {
  CHECK(parse_rational("1/2") == Rational(1, 2));
  CHECK(parse_rational("-3") == Rational(-3));
  CHECK(parse_rational("+14/4") == Rational(7, 2));
  CHECK(parse_rational(" 0.1 ") == Rational(1, 10));
  CHECK(parse_rational(".25") == Rational(1, 4));
  CHECK(parse_rational("2.") == Rational(2));
  CHECK(parse_rational("1e-3") == Rational(1, 1000));
  CHECK(parse_rational("-1.5E2") == Rational(-150));
  CHECK(parse_rational("0.333333333333333314829616256247") ==
        Rational(mpz_class("333333333333333314829616256247"), mpz_class("1000000000000000000000000000000")));
  for (const char* bad : {"x/0", "1/0", "", "1.2.3", "abc", "1/", "/2", "1/2/3", "1e", "--1", "1 /2", "0x10"}) {
    INFO(bad);
    CHECK(error_of([&] { parse_rational(bad); }) == "'" + std::string(bad) + "' is not a rational number");
  }
}

TEST_CASE("Q(sqrt 3) arithmetic is exact and stays in the field", "[tableau]") {
  const QuadraticRational x = sqrt3(1, 1), y = sqrt3(1, -1);
  CHECK(x * y == QuadraticRational(Rational(-2)));  // (1+√3)(1−√3) = −2
  CHECK((x * y).is_rational());
  CHECK((x * y).radicand() == 0);
  CHECK(x * x == sqrt3(4, 2));                        // 1 + 2√3 + 3
  CHECK(Rational(1) / x * x == QuadraticRational(1));
  CHECK(x / y == sqrt3(-2, -1));                      // (1+√3)²/(1−3)
  CHECK(x - x == QuadraticRational());
  CHECK(-x + x == QuadraticRational());
  CHECK_THROWS_AS(x * QuadraticRational(0, 1, 15), std::domain_error);
  CHECK_THROWS_AS(x / QuadraticRational(), std::domain_error);
  CHECK_THROWS_AS(QuadraticRational(0, 1, 12), std::invalid_argument);  // 12 = 4·3 is not square-free
  CHECK(to_string(sqrt3(Rational(1, 4), Rational(-1, 6))) == "1/4-√3/6");
  CHECK(to_string(sqrt3(0, Rational(2, 3))) == "2√3/3");
  CHECK(to_string(QuadraticRational(Rational(-1, 12))) == "-1/12");
  CHECK(QuadraticRational(Rational(2, 4)) == QuadraticRational(Rational(1, 2)));  // kept in lowest terms
  CHECK(QuadraticRational(Rational(2, 4), Rational(3, -6), 3) == sqrt3(Rational(1, 2), Rational(-1, 2)));
}

TEST_CASE("exact numbers convert to the nearest double, ties to even", "[tableau]") {
  CHECK(to_double(QuadraticRational(Rational(1, 3))) == 1.0 / 3.0);
  CHECK(to_double(QuadraticRational(Rational(1, 10))) == 0.1);
  CHECK(to_double(QuadraticRational(Rational(-2, 3))) == -2.0 / 3.0);
  const double u = std::ldexp(1.0, -52);
  const Rational half_ulp(mpz_class(1), mpz_class(1) << 53);
  CHECK(to_double(QuadraticRational(Rational(1) + half_ulp)) == 1.0);                   // tie: 1 is even
  CHECK(to_double(QuadraticRational(Rational(1) + 3 * half_ulp)) == 1.0 + 2 * u);       // tie: 1 + 2u is even
  CHECK(to_double(QuadraticRational(Rational(1) + half_ulp + half_ulp / 1024)) == 1.0 + u);
  // 1/4 − √3/6 = −0.038675134594812882254574390250978727823800875635063438009301163241988836…
  const double g = to_double(sqrt3(Rational(1, 4), Rational(-1, 6)));
  CHECK(g == -0.038675134594812882);
  CHECK(std::abs(g - (0.25 - std::sqrt(3.0) / 6.0)) <= 2 * std::numeric_limits<double>::epsilon() * 0.04);
}

TEST_CASE("every catalogue method stores the nearest doubles of its exact tableau", "[tableau]") {
  for (const std::string& name : nimde::ode::rk_method_names()) {
    INFO(name);
    const Tableau& t = nimde::ode::rk_tableau(name);
    const int s = t.stages();
    REQUIRE(static_cast<int>(t.A_exact.size()) == s);
    REQUIRE(static_cast<int>(t.A.size()) == s * s);
    CHECK(t.name == name);
    CHECK(t.order > 0);
    QuadraticRational weight_sum;
    for (int i = 0; i < s; ++i) {
      QuadraticRational row;
      for (int j = 0; j < s; ++j) {
        CHECK(t.A[i * s + j] == to_double(t.A_exact[i][j]));
        row += t.A_exact[i][j];
      }
      CHECK(row == t.c_exact[i]);  // every catalogue method has c_i = Σ_j a_ij
      CHECK(t.b[i] == to_double(t.b_exact[i]));
      CHECK(t.c[i] == to_double(t.c_exact[i]));
      weight_sum += t.b_exact[i];
    }
    CHECK(weight_sum == QuadraticRational(1));  // consistency
  }
}

TEST_CASE("explicit methods have strictly lower triangular A", "[tableau]") {
  for (const char* name : {"euler", "midpoint", "heun", "ralston", "kutta3", "ssprk3", "rk4", "rk38"}) {
    CHECK(nimde::ode::rk_tableau(name).is_explicit());
  }
  for (const char* name : {"implicit-euler", "implicit-midpoint", "gauss4", "gauss6"}) {
    CHECK_FALSE(nimde::ode::rk_tableau(name).is_explicit());
  }
}

TEST_CASE("an unknown method name is reported with the known ones", "[tableau]") {
  const std::string message = error_of([] { nimde::ode::rk_tableau("rk5"); });
  CHECK(message.rfind("unknown Runge-Kutta method 'rk5' (known: euler, midpoint, heun, ralston,", 0) == 0);
  CHECK_THROWS_AS(nimde::ode::rk_tableau("rk5"), std::invalid_argument);
}

TEST_CASE("a JSON tableau takes rational strings, exact decimals and numbers", "[tableau]") {
  const Tableau t = nimde::ode::tableau_from_json(
      R"({"name": "mine", "A": [["0", 0], ["0.1", "0"]], "b": [0.5, "1/2"], "c": ["0", 0.1]})");
  CHECK(t.name == "mine");
  CHECK(t.stages() == 2);
  CHECK(t.A_exact[1][0] == QuadraticRational(Rational(1, 10)));
  CHECK(t.b_exact[0] == QuadraticRational(Rational(1, 2)));
  CHECK(t.c_exact[1] == QuadraticRational(Rational(1, 10)));
  CHECK(t.A[2] == 0.1);
  CHECK(t.order == 0);
  CHECK(t.is_explicit());

  // c omitted: the row sums; a JSON number is read at its shortest decimal form (0.1 is 1/10).
  const Tableau u = nimde::ode::tableau_from_json(R"({"A": [[0.25, 0.1], [-3, "2/3"]], "b": [1, 0]})");
  CHECK(u.name == "custom");
  CHECK(u.c_exact[0] == QuadraticRational(Rational(7, 20)));
  CHECK(u.c_exact[1] == QuadraticRational(Rational(-7, 3)));
  CHECK_FALSE(u.is_explicit());
}

TEST_CASE("JSON tableau errors name the key and the value", "[tableau]") {
  using nimde::ode::tableau_from_json;
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0","0"],["1","0","0"]], "b": ["0","1"]})"); }) ==
        "tableau: A row 2 has 3 entries, expected 2");
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0","0"],["1","0"]], "b": ["0","x/0"]})"); }) ==
        "tableau: b[1] = 'x/0' is not a rational number");
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0","0"],["1",true]], "b": ["0","1"]})"); }) ==
        "tableau: A[1][1] = true is not a number or a rational string");
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0"]], "b": ["1", "0"]})"); }) ==
        "tableau: b has 2 entries, expected 1");
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0"]], "b": ["1"], "c": ["0", "1"]})"); }) ==
        "tableau: c has 2 entries, expected 1");
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0"]]})"); }) == "tableau: missing key 'b'");
  CHECK(error_of([] { tableau_from_json(R"({"A": [["0"]], "b": ["1"], "bb": 1})"); }) ==
        "tableau: unknown key 'bb' (known: name, description, A, b, c)");
  CHECK(error_of([] { tableau_from_json(R"({"A": [], "b": []})"); }) ==
        "tableau: A must be a non-empty array of rows, got []");
  CHECK(error_of([] { tableau_from_json("{\"A\": [[0]"); }).rfind("tableau: invalid JSON: ", 0) == 0);
}

TEST_CASE("a tableau file is read with its stem as default name, and errors name the file", "[tableau]") {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string good = (dir / "nimde_test_my_heun.json").string();
  const std::string bad = (dir / "nimde_test_bad_tableau.json").string();
  std::ofstream(good) << R"({"A": [["0","0"],["1","0"]], "b": ["1/2","1/2"]})";
  std::ofstream(bad) << R"({"A": [["0","0"],["1","0"]], "b": ["1/2","x"]})";
  const Tableau t = nimde::ode::load_tableau(good);
  CHECK(t.name == "nimde_test_my_heun");
  CHECK(t.c_exact[1] == QuadraticRational(1));
  CHECK(error_of([&] { nimde::ode::load_tableau(bad); }) == bad + ": tableau: b[1] = 'x' is not a rational number");
  CHECK(error_of([&] { nimde::ode::load_tableau(good + ".missing"); }) ==
        "cannot read " + good + ".missing: No such file or directory");
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}

TEST_CASE("an exact number is rounded to the nearest double, beyond the largest to infinity", "[tableau]") {
  using nimde::ode::to_double;
  constexpr double kMax = std::numeric_limits<double>::max();
  const Rational max(kMax);
  Rational half_ulp;  // the spacing of the doubles at the top is 2^971
  mpz_ui_pow_ui(half_ulp.get_num_mpz_t(), 2, 970);
  CHECK(to_double(QuadraticRational(max)) == kMax);
  CHECK(to_double(QuadraticRational(max + half_ulp - 1)) == kMax);        // below the midpoint
  CHECK(std::isinf(to_double(QuadraticRational(max + half_ulp))));         // the tie goes to even: ∞
  CHECK(to_double(QuadraticRational(-(max + half_ulp))) == -INFINITY);
  CHECK(std::isinf(to_double(QuadraticRational(nimde::ode::parse_rational("1e400")))));
  CHECK(to_double(QuadraticRational(nimde::ode::parse_rational("1e-400"))) == 0.0);
}

TEST_CASE("a tableau entry beyond the doubles is refused naming it, not a crash", "[tableau]") {
  // 1e400 used to reach GMP as ∞ and stop the program with SIGFPE.
  using nimde::ode::tableau_from_json;
  for (const std::string entry : {std::string("\"1e400\""), std::string("\"2e308\""), std::string("\"-1e309\""), "\"" + std::string(400, '9') + "\"",
                                  std::string(400, '9'), std::string("1e400")}) {
    INFO(entry);
    const std::string e = error_of([&] { tableau_from_json(R"({"A": [["0","0"],[)" + entry + R"(,"0"]], "b": ["0","1"]})"); });
    CHECK_THAT(e, Catch::StartsWith("tableau: "));
    CHECK(e.size() < 300);
  }
  CHECK_THAT(error_of([] { tableau_from_json(R"({"A": [["0","0"],["1e400","0"]], "b": ["0","1"]})"); }),
             Catch::Equals("tableau: A[1][0] = '1e400' is beyond the range of a double (magnitude at most 1.8e308)"));
}

TEST_CASE("weights that do not sum to 1 are refused unless allowed", "[tableau]") {
  using nimde::ode::tableau_from_json;
  const std::string text = R"({"A": [["0","0"],["1","0"]], "b": ["1/2","1"]})";
  CHECK_THAT(error_of([&] { tableau_from_json(text); }),
             Catch::Contains("tableau: the weights b sum to '3/2', not 1: the method is not consistent") &&
                 Catch::Contains("--allow-inconsistent"));
  const Tableau t = tableau_from_json(text, {.allow_inconsistent = true});
  CHECK(t.b[1] == 1.0);
}

TEST_CASE("c that differs from the row sums of A is read with a warning", "[tableau]") {
  const Tableau t = nimde::ode::tableau_from_json(R"({"A": [["0","0","0"],["1/2","0","0"],["0","1","0"]],
                                                     "b": ["1/6","2/3","1/6"], "c": ["0","1/3","1/4"]})");
  CHECK(t.c_exact[1] == QuadraticRational(Rational(1, 3)));
  CHECK(nimde::ode::tableau_warning(t) ==
        "tableau 'custom': c differs from the row sums of A at 2 stage(s), first c[1] = 1/3 where row 2 of A sums to "
        "1/2 (the order conditions assume c = A·1)");
  for (const std::string& name : nimde::ode::rk_method_names()) {
    INFO(name);
    CHECK(nimde::ode::tableau_warning(nimde::ode::rk_tableau(name)).empty());
  }
}

TEST_CASE("a tableau file nested deeply is refused while parsing", "[tableau]") {
  // Printing or copying such a value recursed once per level: a stack overflow for a long file.
  CHECK_THAT(error_of([] { nimde::ode::tableau_from_json(R"({"A": )" + std::string(1 << 20, '[')); }),
             Catch::Equals("tableau: invalid JSON: JSON: nested deeper than 32 levels"));
  CHECK_THAT(error_of([] { nimde::ode::tableau_from_json(R"({"A": [[)" + std::string(20, '[') + std::string(20, ']') + R"(]], "b": [1]})"); }),
             Catch::StartsWith("tableau: A[0][0] = [[[[…]]]] is not a number"));
}

TEST_CASE("a tableau file is bounded in stages and in the length of an entry", "[tableau]") {
  using nimde::ode::tableau_from_json;
  const auto square = [](std::size_t s) {
    std::string row = "[" + std::string(2 * s - 1, '0') + "]";
    for (std::size_t k = 2; k < 2 * s; k += 2) row[k] = ',';
    std::string a = "[";
    for (std::size_t i = 0; i < s; ++i) a += (i ? "," : "") + row;
    std::string b = "[\"1\"";
    for (std::size_t i = 1; i < s; ++i) b += ",0";
    return R"({"A": )" + a + R"(], "b": )" + b + "]}";
  };
  CHECK(tableau_from_json(square(64)).stages() == 64);
  CHECK_THAT(error_of([&] { tableau_from_json(square(65)); }), Catch::Equals("tableau: A has 65 rows, at most 64 stages are read"));
  CHECK_THAT(error_of([] { tableau_from_json(R"({"A": [["0"]], "b": [")" + std::string(1001, '1') + R"("]})"); }),
             Catch::Contains("tableau: b[0] = '111") && Catch::Contains("is longer than 1000 characters"));
}
