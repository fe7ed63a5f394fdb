// The fixed-step methods: each converges at its order, the symplectic ones keep the pendulum's
// energy error bounded where rk4's drifts, and a step recorded on a tape computes bit for bit
// what the same step computes on plain arrays.
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ode/method.hpp"
#include "ode/systems.hpp"
#include "ode/tableau.hpp"
#include "tests/support/error_of.hpp"

using namespace nimde;
using ode::Point;

using nimde::test::error_of;

namespace {

// y' = M y with M = [[a, b], [c, d]]. f_p depends on p and f_q on q, so the partitioned methods
// must solve their implicit equations. With τ = tr M / 2 and ω² = det M − τ² > 0,
//   exp(tM) = e^{τt} (cos ωt · I + (sin ωt / ω) · (M − τI)).
constexpr double ka = -0.1, kb = -1, kc = 1, kd = -0.05;

ode::Field linear_field() {
  return ode::Field("linear", {"p", "q"}, ode::componentwise([](const auto& y) {
                      using C = std::decay_t<decltype(y[0])>;
                      return std::vector<C>{ka * y[0] + kb * y[1], kc * y[0] + kd * y[1]};
                    }));
}

std::vector<double> linear_flow(const std::vector<double>& y, double t) {
  const double tau = (ka + kd) / 2, w = std::sqrt(ka * kd - kb * kc - tau * tau);
  const double e = std::exp(tau * t), co = std::cos(w * t), si = std::sin(w * t) / w;
  return {e * ((co + si * (ka - tau)) * y[0] + si * kb * y[1]), e * (si * kc * y[0] + (co + si * (kd - tau)) * y[1])};
}

// The harmonic oscillator p' = −q, q' = p turns y by the angle t.
std::vector<double> rotation(const std::vector<double>& y, double t) {
  return {std::cos(t) * y[0] - std::sin(t) * y[1], std::sin(t) * y[0] + std::cos(t) * y[1]};
}

struct Problem {
  const char* name;
  ode::Field field;
  std::function<std::vector<double>(const std::vector<double>&, double)> flow;
};

std::vector<Problem> problems() {
  return {{"harmonic", ode::system("harmonic").field, rotation}, {"linear non-separable", linear_field(), linear_flow}};
}

// The first of five step counts N, 2N, ..., 16N over [0, 1] for a method of each order: the
// errors then lie between about 1e-2 and 1e-13, past the pre-asymptotic range and above roundoff.
const std::map<int, int> kFirstSteps{{1, 64}, {2, 16}, {3, 8}, {4, 8}, {6, 1}};

/// Least-squares slope of log(error) against log(h) over h = 1/N, 1/(2N), ..., max-norm error at t = 1.
double measured_order(const ode::Method& m, const Problem& p, int first_steps) {
  const std::vector<double> y0{0.3, 1.0}, exact = p.flow(y0, 1.0);
  std::vector<double> x, y;
  for (int n = first_steps; n <= 16 * first_steps; n *= 2) {
    const Point<double> z = ode::integrate(m, p.field, Point<double>{y0}, 1.0 / n, n);
    x.push_back(std::log(1.0 / n));
    y.push_back(std::log(std::max(std::abs(z.x[0] - exact[0]), std::abs(z.x[1] - exact[1]))));
  }
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / x.size(), my += y[i] / y.size();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
  return sxy / sxx;
}

template <class T>
autodiff::Array<T> random_points(std::size_t n, unsigned seed) {
  const ode::System& pd = ode::system("pendulum");
  std::mt19937_64 rng(seed);
  autodiff::Tensor<T> x = autodiff::zeros<T>(n, 2);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      x(i, k) = static_cast<T>(std::uniform_real_distribution<double>(pd.domain[k].first, pd.domain[k].second)(rng));
  return autodiff::Array<T>(x);
}

template <class T>
bool same_bits(const autodiff::Tensor<T>& a, const autodiff::Tensor<T>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("every method converges at its order, on a separable and on a non-separable system", "[methods]") {
  for (const std::string& name : ode::method_names()) {
    const ode::Method m = ode::method(name);
    REQUIRE(kFirstSteps.count(m.order()) == 1);
    for (const Problem& p : problems()) {
      const double slope = measured_order(m, p, kFirstSteps.at(m.order()));
      INFO(name << " on " << p.name << ": measured order " << slope << ", expected " << m.order());
      CHECK(std::abs(slope - m.order()) < 0.15);
    }
  }
}

TEST_CASE("a tableau read from JSON steps at the order its coefficients have", "[methods]") {
  // Ralston's third-order method with decimal nodes, and the 3/8 rule with JSON-number weights.
  const ode::Method ralston3(ode::tableau_from_json(
      R"({"name": "ralston3", "A": [["0","0","0"],["0.5","0","0"],["0","0.75","0"]], "b": ["2/9","1/3","4/9"]})"));
  const ode::Method three_eighths(ode::tableau_from_json(
      R"({"A": [[0,0,0,0],["1/3",0,0,0],["-1/3",1,0,0],[1,-1,1,0]], "b": [0.125, 0.375, 0.375, 0.125]})"));
  for (const Problem& p : problems()) {
    INFO(p.name);
    CHECK(std::abs(measured_order(ralston3, p, kFirstSteps.at(3)) - 3) < 0.15);
    CHECK(std::abs(measured_order(three_eighths, p, kFirstSteps.at(4)) - 4) < 0.15);
  }
}

TEST_CASE("symplectic methods keep the pendulum's energy error bounded over 1e5 steps while rk4's drifts", "[methods]") {
  const ode::System& pd = ode::system("pendulum");
  const auto energy = pd.invariants.at(0).value;
  const double h = 0.05;
  struct Run {
    double first_1e3 = 0, all = 0, at_1e4 = 0, at_1e5 = 0;  // |H(y_n) − H(y_0)|: max over ranges, values at n
  };
  auto run = [&](const char* name) {
    const ode::Method m = ode::method(name);
    Point<double> y{{0.0, 1.0}};
    const double h0 = energy(y.x);
    Run r;
    for (int n = 1; n <= 100000; ++n) {
      y = m.step(pd.field, y, h);
      const double e = std::abs(energy(y.x) - h0);
      if (n <= 1000) r.first_1e3 = std::max(r.first_1e3, e);
      r.all = std::max(r.all, e);
      if (n == 10000) r.at_1e4 = e;
      if (n == 100000) r.at_1e5 = e;
    }
    return r;
  };
  for (const char* name : {"symplectic-euler-a", "symplectic-euler-b", "stormer-verlet", "sv4"}) {
    const Run r = run(name);
    INFO(name << ": max error over the first 1e3 steps " << r.first_1e3 << ", over all 1e5 " << r.all);
    CHECK(r.all <= 1.5 * r.first_1e3);
  }
  // rk4 loses energy steadily: |R(ihω)|² = 1 − (hω)⁶/72 + ... per step.
  const Run rk4 = run("rk4");
  INFO("rk4: error after 1e4 steps " << rk4.at_1e4 << ", after 1e5 " << rk4.at_1e5);
  CHECK(rk4.at_1e5 > 5 * rk4.at_1e4);
  CHECK(rk4.all > 10 * rk4.first_1e3);
}

TEMPLATE_TEST_CASE("a step on a tape computes the plain step's values bit for bit, for every method", "[methods]", float,
                   double) {
  using T = TestType;
  // A non-separable field besides the pendulum, so implicit partitioned steps iterate.
  const ode::Field damped("damped", {"p", "q"}, ode::componentwise([](const auto& y) {
                            using C = std::decay_t<decltype(y[0])>;
                            return std::vector<C>{-10.0 * sin(y[1]) - 0.3 * y[0], y[0] - 0.2 * sin(y[1])};
                          }));
  const ode::Field fields[] = {ode::system("pendulum").field, damped};
  for (const std::size_t n : {std::size_t{7}, std::size_t{129}}) {  // vector width tails
    const autodiff::Array<T> x = random_points<T>(n, 11);
    for (const ode::Field& f : fields) {
      for (const std::string& name : ode::method_names()) {
        INFO(name << " on " << f.name() << ", " << n << " points");
        ode::Method m = ode::method(name);
        m.iteration.fixed = true;  // plain states iterate exactly taped_iterations times, as taped ones do
        const autodiff::Array<T> plain = m.step(f, m.step(f, x, 0.04), 0.04);
        autodiff::Tape<T> tape;
        const autodiff::Var<T> v = tape.leaf(x.value());
        const autodiff::Var<T> taped = m.step(f, m.step(f, v, 0.04), 0.04);
        CHECK(same_bits(taped.value(), plain.value()));
      }
    }
  }
}

TEST_CASE("one fixed iteration of the implicit midpoint rule is the explicit midpoint rule", "[methods]") {
  ode::Method implicit = ode::method("implicit-midpoint");
  implicit.iteration.fixed = true;
  implicit.iteration.taped_iterations = 1;  // k = f(y + h/2 f(y))
  const autodiff::Array<double> x = random_points<double>(33, 5);
  const ode::Field& f = ode::system("pendulum").field;
  CHECK(same_bits(implicit.step(f, x, 0.1).value(), ode::method("midpoint").step(f, x, 0.1).value()));
}

TEST_CASE("the substeps of sv4 and sv6 follow the composition's own iteration options", "[methods]") {
  const ode::Field f = linear_field();
  for (const char* name : {"sv4", "sv6"}) {
    INFO(name);
    ode::Method m = ode::method(name);
    CHECK_NOTHROW(m.step(f, Point<double>{{0.3, 1.0}}, 0.1));
    m.iteration.max_iterations = 2;  // too few for the 1e-13 tolerance
    CHECK_THROWS_WITH(m.step(f, Point<double>{{0.3, 1.0}}, 0.1),
                      Catch::Contains("fixed-point iteration did not converge in 2 iterations"));
  }
}

TEST_CASE("a partitioned method on an odd-dimensional system names itself and the dimension", "[methods]") {
  const ode::Field& lorenz = ode::system("lorenz").field;
  const autodiff::Array<double> batch(4, 3, 0.5);
  for (const char* name : {"symplectic-euler", "symplectic-euler-a", "symplectic-euler-b", "stormer-verlet", "sv4", "sv6"}) {
    const ode::Method m = ode::method(name);
    const std::string expected = "method " + std::string(name) + " needs a state y = (p, q) of even dimension, got 3";
    CHECK(error_of([&] { m.step(lorenz, Point<double>{{1.0, 2.0, 3.0}}, 0.1); }) == expected);
    CHECK(error_of([&] { m.step(lorenz, batch, 0.1); }) == expected);
  }
  // Runge–Kutta methods take any dimension.
  CHECK_NOTHROW(ode::method("rk4").step(lorenz, batch, 0.1));
}

TEST_CASE("an unknown method name is reported with every known one", "[methods]") {
  const std::string message = error_of([] { ode::method("rk5"); });
  CHECK_THAT(message, Catch::StartsWith("unknown method 'rk5' (known: "));
  for (const std::string& name : ode::method_names()) CHECK_THAT(message, Catch::Contains(name));
}
