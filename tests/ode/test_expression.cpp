#include "ode/expression.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/array.hpp"
#include "autodiff/functions.hpp"
#include "autodiff/jet.hpp"
#include "autodiff/ops.hpp"
#include "autodiff/tensor.hpp"
#include "tests/support/error_of.hpp"

using nimde::ode::ExpressionField;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using Catch::Matchers::Equals;

namespace {

/// A first-order dual number a + a'ε with ε² = 0, with no constructor from a plain number:
/// if the evaluator ever built a V from a double, this would not compile.
struct Dual {
  Dual(double value, double derivative) : v(value), d(derivative) {}
  double v, d;
};

// (a + a'ε)(b + b'ε) = ab + (a'b + ab')ε, and f(a + a'ε) = f(a) + f'(a)a'ε.
Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
Dual operator-(Dual a, Dual b) { return {a.v - b.v, a.d - b.d}; }
Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
Dual operator/(Dual a, Dual b) { return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)}; }
Dual operator-(Dual a) { return {-a.v, -a.d}; }
Dual operator+(Dual a, double c) { return {a.v + c, a.d}; }
Dual operator+(double c, Dual a) { return {c + a.v, a.d}; }
Dual operator-(Dual a, double c) { return {a.v - c, a.d}; }
Dual operator-(double c, Dual a) { return {c - a.v, -a.d}; }
Dual operator*(Dual a, double c) { return {a.v * c, a.d * c}; }
Dual operator*(double c, Dual a) { return {c * a.v, c * a.d}; }
Dual operator/(Dual a, double c) { return {a.v / c, a.d / c}; }
Dual operator/(double c, Dual a) { return {c / a.v, -c * a.d / (a.v * a.v)}; }
Dual sin(Dual a) { return {std::sin(a.v), std::cos(a.v) * a.d}; }
Dual cos(Dual a) { return {std::cos(a.v), -std::sin(a.v) * a.d}; }
Dual tan(Dual a) { return {std::tan(a.v), a.d / (std::cos(a.v) * std::cos(a.v))}; }
Dual exp(Dual a) { return {std::exp(a.v), std::exp(a.v) * a.d}; }
Dual log(Dual a) { return {std::log(a.v), a.d / a.v}; }
Dual sqrt(Dual a) { return {std::sqrt(a.v), a.d / (2 * std::sqrt(a.v))}; }
Dual tanh(Dual a) { return {std::tanh(a.v), (1 - std::tanh(a.v) * std::tanh(a.v)) * a.d}; }
Dual abs(Dual a) { return {std::abs(a.v), a.v < 0 ? -a.d : a.d}; }

/// The first component of a one-variable field at x.
double eval1(const std::string& text, double x, const std::map<std::string, double>& params = {}) {
  return ExpressionField::parse(text, params)(std::vector<double>{x})[0];
}

std::string error_of(const std::string& text, const std::map<std::string, double>& params = {}) {
  const std::string e = nimde::test::error_of([&] { ExpressionField::parse(text, params); });
  return e.empty() ? "(no error)" : e;
}

}  // namespace

TEST_CASE("the pendulum string equals the hand-written pendulum at random points", "[expression]") {
  const ExpressionField f = ExpressionField::parse("p' = -10*sin(q); q' = p");
  REQUIRE(f.dim() == 2);
  REQUIRE(f.names() == std::vector<std::string>{"p", "q"});
  REQUIRE(f.source() == "p' = -10*sin(q); q' = p");
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-5.0, 5.0);
  for (int k = 0; k < 100; ++k) {
    const double p = u(rng), q = u(rng);
    const std::vector<double> out = f(std::vector<double>{p, q});
    REQUIRE(out.size() == 2);
    CHECK(out[0] == -10 * std::sin(q));
    CHECK(out[1] == p);
  }
}

TEST_CASE("precedence and associativity follow the usual conventions", "[expression]") {
  const std::vector<std::pair<std::string, double>> cases = {
      {"2^3^2", 512},    {"-2^2", -4},     {"1-2-3", -4},   {"8/4/2", 1},   {"2+3*4", 14},
      {"(2+3)*4", 20},   {"2*3^2", 18},    {"-3^2+1", -8},  {"2^-1", 0.5},  {"--2", 2},
      {"(-2)^2", 4},     {"6/2*3", 9},     {"+2-+2", 0},    {"2^2^-1", std::sqrt(2.0)},
      {"1 - -1", 2},     {"2*-3", -6},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(eval1("x' = " + text, 0.25) == Approx(expected).epsilon(1e-15));
  }
}

TEST_CASE("precedence and associativity hold with variables as well as with folded constants", "[expression]") {
  // x = 2, y = 3, z = 2, w = 8: the same shapes as above with nothing to fold.
  const ExpressionField f = ExpressionField::parse(
      "x' = x^y^z; y' = -x^z; z' = w-y-z; w' = w/x/z\n"
      "a' = -x^2; b' = x+y*z; c' = (x+y)*z; d' = w/x*z");
  const std::vector<double> out = f(std::vector<double>{2, 3, 2, 8, 0, 0, 0, 0});
  CHECK(out[0] == Approx(512).epsilon(1e-13));
  CHECK(out[1] == Approx(-4).epsilon(1e-14));
  CHECK(out[2] == 3);
  CHECK(out[3] == 2);
  CHECK(out[4] == -4);
  CHECK(out[5] == 8);
  CHECK(out[6] == 10);
  CHECK(out[7] == 8);
}

TEST_CASE("every function agrees with its std:: counterpart", "[expression]") {
  const std::vector<std::pair<std::string, std::function<double(double)>>> functions = {
      {"sin", [](double x) { return std::sin(x); }},   {"cos", [](double x) { return std::cos(x); }},
      {"tan", [](double x) { return std::tan(x); }},   {"exp", [](double x) { return std::exp(x); }},
      {"log", [](double x) { return std::log(x); }},   {"sqrt", [](double x) { return std::sqrt(x); }},
      {"tanh", [](double x) { return std::tanh(x); }}, {"abs", [](double x) { return std::abs(x); }},
  };
  for (const auto& [name, fn] : functions) {
    const bool positive_only = name == "log" || name == "sqrt";
    for (double x : {-2.5, -0.3, 0.7, 1.0, 3.25}) {
      if (positive_only && x <= 0) continue;
      INFO(name << "(" << x << ")");
      CHECK(eval1("x' = " + name + "(x)", x) == fn(x));
      // And folded at parse time when the argument is constant.
      CHECK(eval1("x' = " + name + "(" + std::to_string(x) + ")", 0.0) == fn(std::stod(std::to_string(x))));
    }
  }
}

TEST_CASE("every function of autodiff's list is in the language, on every number type", "[expression]") {
  namespace ad = nimde::autodiff;
  struct Function {
    const char* name;
    std::vector<double> points;  // inside the function's domain
    double (*number)(double);
    ad::Jet (*jet)(const ad::Jet&);
    ad::Array<double> (*array)(const ad::Array<double>&);
    ad::Var<double> (*var)(const ad::Var<double>&);
  };
  const std::map<std::string, std::vector<double>> domains = {
      {"real", {-2.1, -0.4, 0.3, 1.7}}, {"positive", {0.3, 1.7}}, {"nonzero", {-0.8, 0.6}}, {"half_pi", {-0.9, 0.4}}};
#define NIMDE_FUNCTION_ROW(name, Rule, domain)                                                   \
  Function{#name, domains.at(#domain), [](double x) { return ad::name(x); },                    \
           [](const ad::Jet& a) { return ad::name(a); }, [](const ad::Array<double>& x) { return ad::name(x); }, \
           [](const ad::Var<double>& x) { return ad::name(x); }},
  const std::vector<Function> functions = {NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_ROW)};
#undef NIMDE_FUNCTION_ROW
  for (const Function& fn : functions) {
    const ExpressionField f = ExpressionField::parse(std::string("x' = ") + fn.name + "(x)");
    ad::Tensor<double> column = ad::zeros<double>(fn.points.size(), 1);
    for (std::size_t i = 0; i < fn.points.size(); ++i) {
      const double x = fn.points[i];
      column(i, 0) = x;
      INFO(fn.name << "(" << x << ")");
      CHECK(f(std::vector<double>{x})[0] == fn.number(x));
      const std::string constant = std::to_string(x);  // folded at parse time
      CHECK(eval1(std::string("x' = ") + fn.name + "(" + constant + ")", 0.0) == fn.number(std::stod(constant)));
      const ad::JetShape box({3});
      const ad::Jet a = ad::Jet::variable(box, x, 0), expected = fn.jet(a);
      const ad::Jet got = f(std::vector<ad::Jet>{a})[0];
      for (int k = 0; k < ad::Jet::kCapacity; ++k) CHECK(got[k] == expected[k]);
    }
    INFO(fn.name << " on a batch and on a tape");
    const ad::Array<double> batch = f(std::vector<ad::Array<double>>{ad::Array<double>(column)})[0];
    const ad::Array<double> direct = fn.array(ad::Array<double>(column));
    CHECK(ad::max_abs_diff(batch, direct) == 0);
    ad::Tape<double> tape;
    const ad::Var<double> taped = f(std::vector<ad::Var<double>>{tape.leaf(column)})[0];
    CHECK(ad::max_abs_diff(ad::Array<double>(taped.value()), direct) == 0);
  }
  // relu(-0.5) = 0 and elu(0.5) = 0.5.
  CHECK(eval1("x' = sigmoid(x) + softplus(-x) - relu(x - 1) + elu(x) * square(x)", 0.5) ==
        Approx(1 / (1 + std::exp(-0.5)) + std::log(1 + std::exp(-0.5)) + 0.5 * 0.25).epsilon(1e-14));
}

TEST_CASE("parameters are substituted by value and pi is the double nearest pi", "[expression]") {
  const std::map<std::string, double> params = {{"a", 0.5}, {"b", 2.0}};
  const ExpressionField f = ExpressionField::parse("x' = a*x - b; y' = sin(pi*y) + pi", params);
  const std::vector<double> out = f(std::vector<double>{3.0, 0.25});
  CHECK(out[0] == 0.5 * 3.0 - 2.0);
  CHECK(out[1] == std::sin(std::numbers::pi * 0.25) + std::numbers::pi);
  CHECK(eval1("x' = pi", 1.0) == std::numbers::pi);
  CHECK(eval1("x' = a^2", 1.0, {{"a", 3.0}}) == 9.0);
}

TEST_CASE("a constant component is y[0]*0 + c, shaped like the state", "[expression]") {
  const ExpressionField f = ExpressionField::parse("x' = 2; y' = 3*4 - 1; z' = y^0");
  const std::vector<double> out = f(std::vector<double>{5, 6, 7});
  CHECK(out == std::vector<double>{2, 11, 1});

  const std::vector<Dual> dual = f(std::vector<Dual>{{5, 1}, {6, 0}, {7, 0}});
  CHECK(dual[0].v == 2);
  CHECK(dual[0].d == 0);
  CHECK(dual[2].v == 1);

  // A batch of three states: the constant comes back as a 3 × 1 column.
  using Column = nimde::autodiff::Tensor<double>;
  Column x = nimde::autodiff::zeros<double>(3, 1);
  x(0, 0) = 1;
  x(1, 0) = 2;
  x(2, 0) = 3;
  const ExpressionField g = ExpressionField::parse("x' = 4; y' = x^2 - sin(y) + 2^x");
  const std::vector<Column> batch = g(std::vector<Column>{x, x});
  REQUIRE(batch[0].shape()[0] == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(batch[0](i, 0) == 4);
    CHECK(batch[1](i, 0) == Approx(x(i, 0) * x(i, 0) - std::sin(x(i, 0)) + std::pow(2.0, x(i, 0))));
  }
}

TEST_CASE("integer powers are products and other powers are exp(b log a)", "[expression]") {
  for (double x : {-2.0, -0.5, 0.0, 0.75, 1.5, 3.0}) {
    INFO("x = " << x);
    CHECK(eval1("x' = x^2", x) == x * x);
    CHECK(eval1("x' = x^3", x) == x * x * x);
    CHECK(eval1("x' = x^2.0", x) == x * x);
    CHECK(eval1("x' = x^1", x) == x);
    CHECK(eval1("x' = x^0", x) == 1);
    CHECK(eval1("x' = (x+1)^0", x) == 1);
    CHECK(eval1("x' = x^10", x) == Approx(std::pow(x, 10)).epsilon(1e-14));
    if (x != 0) {
      CHECK(eval1("x' = x^-2", x) == 1 / (x * x));
      CHECK(eval1("x' = x^(-3)", x) == Approx(std::pow(x, -3)).epsilon(1e-15));
    }
    if (x > 0) {
      CHECK(eval1("x' = x^0.5", x) == std::exp(0.5 * std::log(x)));
      CHECK(eval1("x' = x^1.5", x) == Approx(std::pow(x, 1.5)).epsilon(1e-14));
    }
    CHECK(eval1("x' = 2^x", x) == std::exp(x * std::log(2.0)));
  }
  // A variable exponent is never an integer to the parser, whatever its value.
  const ExpressionField f = ExpressionField::parse("x' = x^y; y' = 0");
  CHECK(f(std::vector<double>{2.0, 3.0})[0] == std::exp(3.0 * std::log(2.0)));
}

TEST_CASE("evaluation is generic: float and a user-defined dual number", "[expression]") {
  const ExpressionField pendulum = ExpressionField::parse("p' = -10*sin(q); q' = p");
  const std::vector<float> out = pendulum(std::vector<float>{0.5f, 1.25f});
  CHECK(out[0] == Approx(-10 * std::sin(1.25)).epsilon(1e-6));
  CHECK(out[1] == 0.5f);

  // Every operation and function appears, with constants on both sides.
  const ExpressionField f = ExpressionField::parse(
      "x' = x^3 - 2*sin(x)*exp(y)/(1 + y^2) + tanh(x*y) - sqrt(abs(x)) + log(y) / 3 + tan(x)^-2"
      "     + x^y + 2^x + x^0.5 - cos(x)/x - (1 - x); y' = -x");
  const double x = 0.7, y = 1.3, h = 1e-6;
  const auto at = [&](double xx) { return f(std::vector<double>{xx, y})[0]; };
  const std::vector<Dual> d = f(std::vector<Dual>{{x, 1.0}, {y, 0.0}});
  CHECK(d[0].v == Approx(at(x)).epsilon(1e-14));
  CHECK(d[0].d == Approx((at(x + h) - at(x - h)) / (2 * h)).epsilon(1e-7));
  CHECK(d[1].v == -x);
  CHECK(d[1].d == -1);
}

TEST_CASE("deeply nested expressions evaluate beyond the inline stack", "[expression]") {
  std::string text = "x";
  for (int k = 0; k < 30; ++k) text = "x*(" + text + ")";
  const ExpressionField f = ExpressionField::parse("x' = " + text + "; y' = 1 + (x - (y - (x - (y - x))))");
  const std::vector<double> out = f(std::vector<double>{1.01, 0.5});
  CHECK(out[0] == Approx(std::pow(1.01, 31)).epsilon(1e-13));
  CHECK(out[1] == Approx(1 + 3 * 1.01 - 2 * 0.5));
}

TEST_CASE("equations may be separated by newlines, with blank lines and trailing separators", "[expression]") {
  const ExpressionField f = ExpressionField::parse("\n  p' = -q;\n\n  q' = p ;\n");
  REQUIRE(f.names() == std::vector<std::string>{"p", "q"});
  CHECK(f(std::vector<double>{1, 2}) == std::vector<double>{-2, 1});
}

TEST_CASE("parse errors quote the text, name the culprit and give its column", "[expression]") {
  CHECK_THAT(error_of("p' = -10*sin(q; q' = p"),
             Equals("field \"p' = -10*sin(q; q' = p\": expected ')' at column 15"));
  CHECK_THAT(error_of("p' = -10*foo(q); q' = p"),
             Equals("field \"p' = -10*foo(q); q' = p\": unknown function 'foo' at column 10"));
  CHECK_THAT(error_of("p' = r; q' = p"),
             Equals("field \"p' = r; q' = p\": unknown variable 'r' at column 6 "
                    "(state variables: p, q; parameters: none)"));
  CHECK_THAT(error_of("p' = r", {{"a", 1}, {"b", 2}}), Contains("(state variables: p; parameters: a, b)"));

  const auto check = [](const std::string& text, const std::string& what, int column) {
    INFO(text);
    const std::string e = error_of(text);
    CHECK_THAT(e, Contains("field \"" + text + "\""));
    CHECK_THAT(e, Contains(what));
    CHECK_THAT(e, Contains("at column " + std::to_string(column)));
  };
  check("p' = q; p' = 1", "duplicate state variable 'p'", 9);
  check("p' q", "expected '='", 4);
  check("p = q", "expected ' after 'p'", 3);
  check("p' = p p", "unexpected 'p'", 8);
  check("p' = p)", "unmatched ')'", 7);
  check("p' = ; q' = p", "empty expression for p'", 6);
  check("p' = ", "empty expression for p'", 6);
  check("p' = q $ 2", "unknown character '$'", 8);
  check("p' = 2 *", "expected a number, a name or '('", 9);
  check("p' = sin q", "expected '(' after 'sin'", 10);
  check("p' = sin(p, p)", "expected ')' at column 11 (sin takes one argument)", 11);
  check("p' = 1e+", "malformed number '1e+'", 6);
  check("3' = 1", "expected a state variable name", 1);
  check("pi' = 1", "'pi' is reserved", 1);
  check("exp' = 1", "'exp' is reserved", 1);

  CHECK_THAT(error_of("a' = 1", {{"a", 1}}), Contains("'a' is both a state variable and a parameter"));
  CHECK_THAT(error_of(""), Contains("field \"\": no equations"));
  CHECK_THAT(error_of(" ;\n "), Contains("no equations"));
  CHECK_THAT(error_of("p' = q\nq' = r"), Equals("field \"p' = q\\nq' = r\": unknown variable 'r' at line 2, "
                                                "column 6 (state variables: p, q; parameters: none)"));
  CHECK_THAT(error_of("p' = " + std::string(1000, '(') + "p" + std::string(1000, ')')),
             Contains("nested too deeply"));
}

TEST_CASE("a number literal beyond the doubles is refused naming it, one below is the 0 it rounds to", "[expression]") {
  // It used to be read as 0 (from_chars' result was not looked at): x' = 1e999*x solved to x = 1.
  CHECK_THAT(error_of("x' = 1e999*x"), Equals("field \"x' = 1e999*x\": number '1e999' is too large for a double at column 6"));
  CHECK_THAT(error_of("x' = x + 2" + std::string(400, '0')), Contains("is too large for a double"));
  CHECK(eval1("x' = 1e-999 + x", 2.0) == 2.0);
  CHECK(eval1("x' = 1.7976931348623157e308 + 0*x", 1.0) == 1.7976931348623157e308);
}

TEST_CASE("a long field is quoted in errors as a window around the fault", "[expression]") {
  std::string text = "x' = ";
  for (int k = 0; k < 60000; ++k) text += "x+";
  text += "$";
  const std::string e = error_of(text);
  CHECK(e.size() < 300);
  CHECK_THAT(e, EndsWith("x+x+x+$\" (120006 characters): unknown character '$' at column 120006"));
  CHECK_THAT(e, StartsWith("field \"…x+x+"));
  // a name as long is cut as well, in the quote and in the complaint
  const std::string name(5000, 'v');
  CHECK(error_of("x' = " + name).size() < 400);
  CHECK(error_of("x' = " + std::string(70000, '(')).find("nested too deeply") != std::string::npos);
}

TEST_CASE("a state of the wrong size is rejected", "[expression]") {
  const ExpressionField f = ExpressionField::parse("p' = -q; q' = p");
  CHECK_THROWS_AS(f(std::vector<double>{1.0}), std::invalid_argument);
}
