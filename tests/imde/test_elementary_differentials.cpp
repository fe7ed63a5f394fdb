// Elementary differentials by jets against hand derivations (pendulum) and central differences
// of the field (systems and expressions; networks in tests/experiments/test_network_differentials.cpp).
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "imde/elementary_differentials.hpp"
#include "tests/support/field_differences.hpp"
#include "ode/systems.hpp"

using namespace nimde;
using nimde::test::check_against_differences;

namespace {

int id_of(const imde::RootedTrees& trees, const std::string& differential) {
  for (int t = 0; t < trees.size(); ++t)
    if (trees.differential(t) == differential) return t;
  FAIL("no tree " << differential);
  return -1;
}

}  // namespace

TEST_CASE("the pendulum's elementary differentials are those derived by hand", "[elementary]") {
  // f = (−10 sin q, p) on y = (p, q); with s = sin q, c = cos q the derivatives act on q only:
  //   f'v = (−10 c v_q, v_p),  f''(u,v) = (10 s u_q v_q, 0),  f'''(u,v,w) = (10 c u_q v_q w_q, 0),
  //   f''''(u,v,w,x) = (−10 s u_q v_q w_q x_q, 0). Hence, with f_q = p and (f'f)_q = −10 s:
  //   f'f             = (−10 p c, −10 s)            f''(f,f)        = (10 p² s, 0)
  //   f'f'f           = (100 s c, −10 p c)          f'''(f,f,f)     = (10 p³ c, 0)
  //   f''(f'f,f)      = (−100 p s², 0)              f'f''(f,f)      = (0, 10 p² s)
  //   f'f'f'f         = (100 p c², 100 s c)         f^(4)(f,f,f,f)  = (−10 p⁴ s, 0)
  //   f'''(f'f,f,f)   = (−100 p² s c, 0)            f''(f'f,f'f)    = (1000 s³, 0)
  //   f''(f''(f,f),f) = (0, 0)                      f''(f'f'f,f)    = (−100 p² s c, 0)
  //   f'f'''(f,f,f)   = (0, 10 p³ c)                f'f''(f'f,f)    = (0, −100 p s²)
  //   f'f'f''(f,f)    = (−100 p² s c, 0)            f'f'f'f'f       = (−1000 s c², 100 p c²)
  const ode::Field& f = ode::system("pendulum").field;
  const imde::ElementaryDifferentials ed(5);
  const imde::RootedTrees& trees = ed.trees();
  REQUIRE(trees.size() == 17);
  for (const auto& [p, q] : {std::pair{0.5, 0.3}, std::pair{-1.7, 1.1}, std::pair{2.9, -0.8}}) {
    const double s = std::sin(q), c = std::cos(q);
    const std::vector<std::pair<std::string, std::vector<double>>> expected{
        {"f", {-10 * s, p}},
        {"f'f", {-10 * p * c, -10 * s}},
        {"f''(f,f)", {10 * p * p * s, 0}},
        {"f'f'f", {100 * s * c, -10 * p * c}},
        {"f'''(f,f,f)", {10 * p * p * p * c, 0}},
        {"f''(f'f,f)", {-100 * p * s * s, 0}},
        {"f'f''(f,f)", {0, 10 * p * p * s}},
        {"f'f'f'f", {100 * p * c * c, 100 * s * c}},
        {"f^(4)(f,f,f,f)", {-10 * p * p * p * p * s, 0}},
        {"f'''(f'f,f,f)", {-100 * p * p * s * c, 0}},
        {"f''(f'f,f'f)", {1000 * s * s * s, 0}},
        {"f''(f''(f,f),f)", {0, 0}},
        {"f''(f'f'f,f)", {-100 * p * p * s * c, 0}},
        {"f'f'''(f,f,f)", {0, 10 * p * p * p * c}},
        {"f'f''(f'f,f)", {0, -100 * p * s * s}},
        {"f'f'f''(f,f)", {-100 * p * p * s * c, 0}},
        {"f'f'f'f'f", {-1000 * s * c * c, 100 * p * c * c}},
    };
    const auto F = ed.at(f, std::vector<double>{p, q});
    for (const auto& [name, value] : expected) {
      const auto& got = F[static_cast<std::size_t>(id_of(trees, name))];
      INFO(name << " at (" << p << ", " << q << ")");
      CHECK(got[0] == Approx(value[0]).epsilon(1e-14).margin(1e-12));
      CHECK(got[1] == Approx(value[1]).epsilon(1e-14).margin(1e-12));
    }
  }
}

TEST_CASE("all trees up to 5 nodes take one plain and five jet evaluations of the field", "[elementary]") {
  CHECK(imde::ElementaryDifferentials(1).jet_evaluations() == 0);
  CHECK(imde::ElementaryDifferentials(2).jet_evaluations() == 1);
  CHECK(imde::ElementaryDifferentials(5).jet_evaluations() == 5);
  // The boxes of the page atop elementary_differentials.hpp: (•⁴), (•², [•], [••]), ([•]², [•••]),
  // (•, [[•]], [[•]•], [[••]]), ([[[•]]]).
  const std::vector<std::vector<int>> boxes{{4}, {2, 1, 1}, {2, 1}, {1, 1, 1, 1}, {1}};
  CHECK(imde::ElementaryDifferentials(5).boxes() == boxes);
  const imde::ElementaryDifferentials up_to_9(9);
  for (int t = 0; t < up_to_9.trees().size(); ++t) CHECK(up_to_9.computes(t));
  CHECK_THROWS_AS(imde::ElementaryDifferentials(10), std::invalid_argument);
}

TEST_CASE("elementary differentials match central differences of the field", "[elementary]") {
  SECTION("built-in systems") {
    check_against_differences(ode::system("pendulum").field, {0.5, 0.3}, 5, 2e-6);
    check_against_differences(ode::system("cubic-oscillator").field, {0.7, -0.4}, 5, 2e-6);
    check_against_differences(ode::system("lorenz").field, {-0.8, 0.7, 2.6}, 5, 2e-6);
    check_against_differences(ode::system("kepler").field, {0.1, 1.1, 0.9, -0.2}, 5, 2e-6);
  }
  SECTION("a user expression with every function of the language") {
    const ode::System sys = ode::expression_system(
        "x' = sin(x)*cos(y) + tan(0.3*x) - exp(-y)/2; y' = log(2 + x^2) * sqrt(1.5 + y) + tanh(x*y) - abs(x - 3)^2 / 7");
    check_against_differences(sys.field, {0.4, 0.6}, 5, 2e-6);
  }
}

TEST_CASE("an expression field and the built-in system it spells have the same differentials", "[elementary]") {
  const ode::System expr = ode::expression_system("p' = -10*sin(q); q' = p");
  const ode::Field& builtin = ode::system("pendulum").field;
  autodiff::Tensor<double> points = autodiff::zeros<double>(5, 2);
  for (std::size_t i = 0; i < 5; ++i) {
    points(i, 0) = -2.0 + i;
    points(i, 1) = 0.3 * i - 0.5;
  }
  const auto a = imde::elementary_differentials(expr.field, 7, points);
  const auto b = imde::elementary_differentials(builtin, 7, points);
  REQUIRE(a.size() == 1 + 1 + 2 + 4 + 9 + 20 + 48);
  for (std::size_t t = 0; t < a.size(); ++t)
    for (std::size_t i = 0; i < 5; ++i)
      for (std::size_t k = 0; k < 2; ++k) CHECK(a[t](i, k) == Approx(b[t](i, k)).epsilon(1e-13).margin(1e-9));
}
