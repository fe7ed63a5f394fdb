// Elementary differentials by jets against hand derivations (pendulum) and central differences
// of the field (any field: a system, an expression, a network).
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "imde/elementary_differentials.hpp"
#include "nn/mlp.hpp"
#include "ode/systems.hpp"

using namespace nimde;

namespace {

int id_of(const imde::RootedTrees& trees, const std::string& differential) {
  for (int t = 0; t < trees.size(); ++t)
    if (trees.differential(t) == differential) return t;
  FAIL("no tree " << differential);
  return -1;
}

std::vector<double> eval(const ode::Field& f, const std::vector<double>& y) { return f(ode::Point<double>{y}).x; }

/// f^(m)(y)(v_1, …, v_m) by the central mixed difference
///   (2ε)^(−m) Σ_{s ∈ {±1}^m} (Π s_i) f(y + ε Σ s_i v_i / |v_i|) · Π |v_i|,      error O(ε²).
std::vector<double> mixed_difference(const ode::Field& f, const std::vector<double>& y,
                                     const std::vector<std::vector<double>>& v, double eps) {
  const std::size_t m = v.size(), d = y.size();
  std::vector<std::vector<double>> unit = v;
  double scale = 1;
  for (auto& u : unit) {
    double norm = 0;
    for (double x : u) norm += x * x;
    norm = std::sqrt(norm);
    if (norm == 0) return std::vector<double>(d, 0.0);
    for (double& x : u) x /= norm;
    scale *= norm;
  }
  std::vector<double> sum(d, 0.0);
  for (unsigned mask = 0; mask < (1u << m); ++mask) {
    std::vector<double> z = y;
    double sign = 1;
    for (std::size_t i = 0; i < m; ++i) {
      const double s = (mask >> i) & 1 ? -1.0 : 1.0;
      sign *= s;
      for (std::size_t k = 0; k < d; ++k) z[k] += eps * s * unit[i][k];
    }
    const std::vector<double> fz = eval(f, z);
    for (std::size_t k = 0; k < d; ++k) sum[k] += sign * fz[k];
  }
  for (double& x : sum) x *= scale / std::pow(2 * eps, double(m));
  return sum;
}

/// The mixed difference with one Richardson step: (4 D(ε/2) − D(ε))/3, error O(ε⁴).
std::vector<double> richardson(const ode::Field& f, const std::vector<double>& y, const std::vector<std::vector<double>>& v,
                               double eps) {
  const std::vector<double> coarse = mixed_difference(f, y, v, eps), fine = mixed_difference(f, y, v, eps / 2);
  std::vector<double> r(y.size());
  for (std::size_t k = 0; k < r.size(); ++k) r[k] = (4 * fine[k] - coarse[k]) / 3;
  return r;
}

/// Every F(τ) = f^(m)(F(τ1), …, F(τm)) against a mixed difference in the directions F(τi)
/// (themselves checked the same way one level down). Differences of order m lose m digits
/// to rounding, so the step grows with m.
void check_against_differences(const ode::Field& f, const std::vector<double>& y, int max_order, double tolerance) {
  const imde::ElementaryDifferentials ed(max_order);
  const auto F = ed.at(f, y);
  const imde::RootedTrees& trees = ed.trees();
  for (int t = 0; t < trees.size(); ++t) {
    std::vector<std::vector<double>> directions;
    for (int c : trees[t].children) directions.push_back(F[static_cast<std::size_t>(c)]);
    const std::size_t m = directions.size();
    const double eps = m == 1 ? 1e-3 : m == 2 ? 4e-3 : m == 3 ? 1e-2 : 2e-2;
    const std::vector<double> expected = m == 0 ? eval(f, y) : richardson(f, y, directions, eps);
    // The scale of f^(m)(v_1, …, v_m): the result, or Π |v_i| where that cancels (Lorenz: f''' = 0).
    double size = 1, product = 1;
    for (double x : expected) size = std::max(size, std::abs(x));
    for (const auto& v : directions) {
      double norm = 0;
      for (double x : v) norm += x * x;
      product *= std::sqrt(norm);
    }
    size = std::max(size, product);
    for (std::size_t k = 0; k < y.size(); ++k) {
      INFO(trees.differential(t) << " component " << k);
      CHECK(F[static_cast<std::size_t>(t)][k] == Approx(expected[k]).margin(tolerance * size));
    }
  }
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
  SECTION("a tanh network") {
    auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 16, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 7));
    const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
    check_against_differences(f, {0.3, -0.5}, 5, 2e-6);
  }
  SECTION("networks with the other smooth activations") {
    for (auto act : {autodiff::Activation::sigmoid, autodiff::Activation::softplus, autodiff::Activation::sin}) {
      auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 8, 2, act, nn::Init::glorot_normal, 3));
      const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
      INFO(autodiff::activation_name(act));
      check_against_differences(f, {0.3, -0.5}, 4, 2e-6);
    }
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

TEST_CASE("a batch of points gives the values of each point alone", "[elementary]") {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 32, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 1));
  const ode::Field f = nn::MlpField(params).field("net", {"p", "q"});
  std::mt19937_64 rng(5);
  autodiff::Tensor<double> points = autodiff::zeros<double>(37, 2);
  for (double& x : points) x = std::uniform_real_distribution<double>(-2, 2)(rng);
  const imde::ElementaryDifferentials ed(6);
  const auto batch = ed(f, points);
  std::vector<double> w(static_cast<std::size_t>(ed.trees().size()));
  for (std::size_t t = 0; t < w.size(); ++t) w[t] = 1.0 / double(t + 1);
  const autodiff::Tensor<double> sum = ed.combine(f, w, points);
  for (std::size_t i = 0; i < 37; ++i) {
    const auto one = ed.at(f, std::vector<double>{points(i, 0), points(i, 1)});
    for (std::size_t k = 0; k < 2; ++k) {
      double s = 0;
      for (std::size_t t = 0; t < w.size(); ++t) {
        CHECK(batch[t](i, k) == one[t][k]);
        s += w[t] * one[t][k];
      }
      CHECK(sum(i, k) == Approx(s).epsilon(1e-13));
    }
  }
  CHECK_THROWS_WITH(ed.at(f, std::vector<double>{1.0, 2.0, 3.0}),
                    Catch::Contains("points of dimension 3, expected 2"));
}
