// Optimisers: Adam and SGD follow their update rules step by step, L-BFGS minimises hard
// and easy functions with strong-Wolfe steps, and every state reads back bit for bit.
#include <cmath>
#include <cstring>
#include <random>

#include <catch2/catch.hpp>

#include "nn/optimizer.hpp"

using namespace nimde;
using autodiff::Tensor;

namespace {

Tensor<double> row(std::vector<double> v) {
  Tensor<double> t = autodiff::zeros<double>(1, v.size());
  std::copy(v.begin(), v.end(), t.begin());
  return t;
}

/// f(θ) = Σ cᵢ (θᵢ − tᵢ)² over a 2×1 and a 1×3 tensor; its gradient per tensor.
struct Bowl {
  std::vector<double> c{0.5, 3.0, 0.1, 2.0, 7.0}, t{1.0, -2.0, 0.5, 3.0, -1.0};
  std::vector<Tensor<double>> params{autodiff::zeros<double>(2, 1), autodiff::zeros<double>(1, 3)};
  std::vector<Tensor<double>*> pointers() { return {&params[0], &params[1]}; }
  double flat(std::size_t i) const { return i < 2 ? params[0](i, 0) : params[1](0, i - 2); }
  /// f and its gradient as a closure for iterate: f = Σ cᵢ(θᵢ − tᵢ)² − cos(3θᵢ)/3.
  nn::Closure closure() {
    return [this](std::vector<Tensor<double>>& g) {
      g = grad();
      double f = 0;
      for (std::size_t i = 0; i < 5; ++i) f += c[i] * (flat(i) - t[i]) * (flat(i) - t[i]) - std::cos(3 * flat(i)) / 3;
      return f;
    };
  }
  std::vector<Tensor<double>> grad() const {
    std::vector<Tensor<double>> g{autodiff::zeros<double>(2, 1), autodiff::zeros<double>(1, 3)};
    for (std::size_t i = 0; i < 5; ++i) {
      const double gi = 2 * c[i] * (flat(i) - t[i]) + std::sin(3 * flat(i));  // a little nonlinearity
      (i < 2 ? g[0](i, 0) : g[1](0, i - 2)) = gi;
    }
    return g;
  }
};

bool same_bits(const std::vector<Tensor<double>>& a, const std::vector<Tensor<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].shape() != b[i].shape() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(double)) != 0)
      return false;
  return true;
}

/// The extended Rosenbrock function Σ over pairs 100(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)², minimum 0 at (1, …, 1).
double rosenbrock(const Tensor<double>& x, Tensor<double>& g) {
  g = autodiff::zeros<double>(1, x.size());
  double f = 0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const double a = x(0, i), b = x(0, i + 1), r = b - a * a;
    f += 100 * r * r + (1 - a) * (1 - a);
    g(0, i) = -400 * r * a - 2 * (1 - a);
    g(0, i + 1) = 200 * r;
  }
  return f;
}

Tensor<double> rosenbrock_start(std::size_t n) {
  Tensor<double> x = autodiff::zeros<double>(1, n);
  for (std::size_t i = 0; i < n; ++i) x(0, i) = i % 2 == 0 ? -1.2 : 1.0;
  return x;
}

nn::Closure rosenbrock_closure(Tensor<double>& x) {
  return [&x](std::vector<Tensor<double>>& g) {
    g.resize(1);
    return rosenbrock(x, g[0]);
  };
}

}  // namespace

TEST_CASE("adam's first steps follow the bias-corrected moment formula", "[optimizer]") {
  // f(θ) = 2(θ − 3)², from θ = 0, with the paper's geometric decay over K = 10 iterations.
  Tensor<double> theta = autodiff::zeros<double>(1, 1);
  const nn::Schedule schedule = nn::make_schedule(nn::Schedule::Kind::geometric, 0.1, 10, 1000);
  nn::Adam adam({&theta}, schedule);
  double x = 0, m = 0, v = 0;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (int t = 1; t <= 5; ++t) {
    const double g = 4 * (x - 3);
    CHECK(adam.learning_rate() == Approx(0.1 * std::pow(1000.0, -(t - 1) / 10.0)).epsilon(1e-15));
    adam.step({Tensor<double>(row({4 * (theta(0, 0) - 3)}))});
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double m_hat = m / (1 - std::pow(b1, t)), v_hat = v / (1 - std::pow(b2, t));
    x -= 0.1 * std::pow(1000.0, -(t - 1) / 10.0) * m_hat / (std::sqrt(v_hat) + eps);
    INFO("step " << t);
    CHECK(theta(0, 0) == Approx(x).epsilon(1e-14));
    if (t == 1) CHECK(theta(0, 0) == Approx(0.1).epsilon(1e-8));  // the first step moves by lr·sign(g)
  }
  CHECK(adam.iteration() == 5);
}

TEST_CASE("sgd with momentum follows torch's buffer rule, plain and Nesterov", "[optimizer]") {
  for (bool nesterov : {false, true}) {
    Bowl bowl;
    nn::SGD sgd(bowl.pointers(), nn::make_schedule(nn::Schedule::Kind::constant, 0.05, 0), {0.9, 0, nesterov});
    std::vector<double> x(5, 0.0), b(5, 0.0);
    for (int t = 1; t <= 6; ++t) {
      std::vector<double> g(5);
      for (std::size_t i = 0; i < 5; ++i) g[i] = 2 * bowl.c[i] * (x[i] - bowl.t[i]) + std::sin(3 * x[i]);
      sgd.step(bowl.grad());
      for (std::size_t i = 0; i < 5; ++i) {
        b[i] = t == 1 ? g[i] : 0.9 * b[i] + g[i];       // the buffer starts as the first gradient
        x[i] -= 0.05 * (nesterov ? g[i] + 0.9 * b[i] : b[i]);
      }
      INFO("nesterov " << nesterov << ", step " << t);
      for (std::size_t i = 0; i < 5; ++i) CHECK(bowl.flat(i) == Approx(x[i]).epsilon(1e-14).margin(1e-15));
    }
  }
}

TEST_CASE("learning-rate schedules start at lr and end where they should", "[optimizer]") {
  const nn::Schedule geometric = nn::make_schedule(nn::Schedule::Kind::geometric, 0.01, 300000, 1000);
  CHECK(geometric(0) == 0.01);
  CHECK(geometric(300000) == Approx(0.01 / 1000).epsilon(1e-13));
  CHECK(geometric(150000) == Approx(0.01 / std::sqrt(1000.0)).epsilon(1e-13));
  const nn::Schedule cosine = nn::make_schedule(nn::Schedule::Kind::cosine, 0.5, 100);
  CHECK(cosine(0) == 0.5);
  CHECK(cosine(50) == Approx(0.25).epsilon(1e-15));
  CHECK(cosine(100) == Approx(0).margin(1e-16));
  CHECK(nn::make_schedule(nn::Schedule::Kind::constant, 0.3, 0)(12345) == 0.3);
  CHECK_THROWS_WITH(nn::make_schedule(nn::parse_schedule("linear"), 0.1, 10), Catch::Contains("linear"));
  CHECK_THROWS_WITH(nn::make_schedule(nn::Schedule::Kind::geometric, 0.1, 0), Catch::Contains("iterations"));
}

TEST_CASE("l-bfgs minimises the Rosenbrock function in 2 and 10 dimensions", "[optimizer][lbfgs]") {
  for (std::size_t n : {2u, 10u}) {
    Tensor<double> x = rosenbrock_start(n);
    nn::LBFGS lbfgs({&x});
    const nn::LBFGSReport r = lbfgs.run(rosenbrock_closure(x));
    INFO("n = " << n << ": " << r.iterations << " iterations, " << r.evaluations << " evaluations, stop "
                << nn::stop_reason_name(r.stop) << ", f = " << r.loss);
    CHECK(r.stop == nn::StopReason::gradient);
    CHECK(r.loss < 1e-20);
    for (double v : x) CHECK(std::abs(v - 1) < 1e-10);
    CHECK(r.iterations < 100);
    Tensor<double> g;
    CHECK(rosenbrock(x, g) == r.loss);  // the parameters are left at the reported point
  }
}

TEST_CASE("l-bfgs solves a convex quadratic in about n iterations", "[optimizer][lbfgs]") {
  // f(x) = ½ (x − x*)ᵀA(x − x*), A = QDQᵀ with eigenvalues from 1 to 100 (written about x* so
  // that f is resolved to the end). With a near-exact line search (c₂ = 0.01) L-BFGS with
  // m ≥ n is conjugate gradients and ends in n steps; the default c₂ = 0.9 accepts rougher
  // steps and needs more.
  const std::size_t n = 20;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<std::vector<double>> q(n, std::vector<double>(n));
  for (auto& r : q)
    for (double& v : r) v = normal(rng);
  for (std::size_t i = 0; i < n; ++i) {  // Gram–Schmidt
    for (std::size_t j = 0; j < i; ++j) {
      double d = 0;
      for (std::size_t k = 0; k < n; ++k) d += q[i][k] * q[j][k];
      for (std::size_t k = 0; k < n; ++k) q[i][k] -= d * q[j][k];
    }
    double norm = 0;
    for (double v : q[i]) norm += v * v;
    for (double& v : q[i]) v /= std::sqrt(norm);
  }
  std::vector<std::vector<double>> A(n, std::vector<double>(n, 0.0));
  for (std::size_t e = 0; e < n; ++e) {
    const double lambda = std::pow(100.0, static_cast<double>(e) / (n - 1));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) A[i][j] += lambda * q[e][i] * q[e][j];
  }
  std::vector<double> x_star(n);
  for (double& v : x_star) v = normal(rng);

  for (auto [c2, most] : {std::pair{0.01, n + 2}, std::pair{0.9, 5 * n}}) {
    Tensor<double> x = autodiff::zeros<double>(n, 1);
    nn::LBFGS lbfgs({&x}, {.gradient_tolerance = 1e-10, .c2 = c2});
    const nn::LBFGSReport r = lbfgs.run([&](std::vector<Tensor<double>>& g) {
      g.assign(1, autodiff::zeros<double>(n, 1));
      double f = 0;
      for (std::size_t i = 0; i < n; ++i) {
        double ae = 0;
        for (std::size_t j = 0; j < n; ++j) ae += A[i][j] * (x(j, 0) - x_star[j]);
        g[0](i, 0) = ae;
        f += 0.5 * (x(i, 0) - x_star[i]) * ae;
      }
      return f;
    });
    INFO("c2 = " << c2 << ": " << r.iterations << " iterations, " << r.evaluations << " evaluations");
    CHECK(r.stop == nn::StopReason::gradient);
    CHECK(r.iterations <= static_cast<long>(most));
    for (std::size_t i = 0; i < n; ++i) CHECK(x(i, 0) == Approx(x_star[i]).margin(1e-9));
  }
}

TEST_CASE("every accepted l-bfgs step satisfies the strong Wolfe conditions", "[optimizer][lbfgs]") {
  const double c1 = 1e-4, c2 = 0.9;
  for (std::size_t n : {2u, 10u}) {
    Tensor<double> x = rosenbrock_start(n);
    nn::LBFGS lbfgs({&x}, {.c1 = c1, .c2 = c2});
    const nn::Closure closure = rosenbrock_closure(x);
    int checked = 0;
    for (int it = 0; it < 200; ++it) {
      Tensor<double> g0, g1;
      const Tensor<double> x0 = x;
      const double f0 = rosenbrock(x0, g0);
      if (f0 < 1e-14) break;  // below this, rounding decides the comparisons
      const nn::LBFGSReport r = lbfgs.run(closure, 1);
      if (r.stop != nn::StopReason::none) break;
      const double f1 = rosenbrock(x, g1);
      // With Δ = x₁ − x₀ = αd both conditions are homogeneous in α:
      //   f(x₁) ≤ f(x₀) + c₁ ∇f(x₀)·Δ,   |∇f(x₁)·Δ| ≤ c₂ |∇f(x₀)·Δ|.
      double slope0 = 0, slope1 = 0;
      for (std::size_t i = 0; i < n; ++i) {
        slope0 += g0(0, i) * (x(0, i) - x0(0, i));
        slope1 += g1(0, i) * (x(0, i) - x0(0, i));
      }
      INFO("n = " << n << ", iteration " << it);
      CHECK(slope0 < 0);
      CHECK(f1 <= f0 + c1 * slope0);
      CHECK(std::abs(slope1) <= c2 * std::abs(slope0));
      ++checked;
    }
    CHECK(checked > 20);
  }
}

TEST_CASE("a restored optimiser continues bit for bit as if never stopped", "[optimizer][checkpoint]") {
  auto roundtrip = [](const nlohmann::json& j) { return nlohmann::json::parse(j.dump()); };
  SECTION("adam and sgd") {
    for (std::string name : {"adam", "sgd"}) {
      const nn::Schedule schedule = nn::make_schedule(nn::Schedule::Kind::geometric, 0.07, 20, 1000);
      Bowl whole;
      auto straight = nn::make_optimizer(nn::parse_optimizer(name), whole.pointers(), {.schedule = schedule});
      for (int i = 0; i < 20; ++i) straight->iterate(whole.closure());

      Bowl first;
      auto before = nn::make_optimizer(nn::parse_optimizer(name), first.pointers(), {.schedule = schedule});
      for (int i = 0; i < 10; ++i) before->iterate(first.closure());
      const nlohmann::json saved = roundtrip(before->state());
      Bowl second;
      second.params = first.params;
      auto after = nn::make_optimizer(nn::parse_optimizer(name), second.pointers(), {.schedule = schedule});
      after->load_state(saved);
      CHECK(after->iteration() == 10);
      CHECK(after->learning_rate() == before->learning_rate());
      for (int i = 0; i < 10; ++i) after->iterate(second.closure());
      INFO(name);
      CHECK(same_bits(second.params, whole.params));
      CHECK(after->state() == straight->state());
    }
  }
  SECTION("l-bfgs") {
    Tensor<double> whole = rosenbrock_start(10);
    nn::LBFGS straight({&whole});
    straight.run(rosenbrock_closure(whole), 20);

    Tensor<double> x = rosenbrock_start(10);
    nn::LBFGS before({&x});
    before.run(rosenbrock_closure(x), 10);
    const nlohmann::json saved = roundtrip(before.state());
    Tensor<double> y = x;
    nn::LBFGS after({&y});
    after.load_state(saved);
    const nn::LBFGSReport r = after.run(rosenbrock_closure(y), 10);
    CHECK(r.iterations == 20);
    CHECK(r.evaluations == straight.evaluations());
    CHECK(std::memcmp(y.data(), whole.data(), y.size() * sizeof(double)) == 0);
    CHECK(after.state() == straight.state());
  }
}

TEST_CASE("loading a state that does not fit names the key", "[optimizer][checkpoint]") {
  Bowl bowl;
  nn::Adam adam(bowl.pointers(), nn::make_schedule(nn::Schedule::Kind::constant, 0.1, 0));
  adam.step(bowl.grad());
  nlohmann::json j = adam.state();
  nlohmann::json bad = j;
  bad["m"][1].erase(0);
  CHECK_THROWS_WITH(adam.load_state(bad), Catch::Contains("\"m[1]\""));
  bad = j;
  bad["v"][0][1] = nullptr;  // what a NaN becomes in JSON
  CHECK_THROWS_WITH(adam.load_state(bad), Catch::Contains("\"v[0][1]\""));
  bad = j;
  bad.erase("iteration");
  CHECK_THROWS_WITH(adam.load_state(bad), Catch::Contains("\"iteration\""));
  nn::SGD sgd(bowl.pointers(), nn::make_schedule(nn::Schedule::Kind::constant, 0.1, 0));
  CHECK_THROWS_WITH(sgd.load_state(j), Catch::Contains("\"optimizer\""));
  CHECK(adam.iteration() == 1);  // a failed load leaves the optimiser as it was
}

TEST_CASE("every optimiser iterates through one interface, each by its own rule", "[optimizer]") {
  SECTION("adam and sgd: one evaluation and one step") {
    for (nn::OptimizerKind kind : {nn::OptimizerKind::adam, nn::OptimizerKind::sgd}) {
      const nn::OptimizerOptions options{.schedule = nn::make_schedule(nn::Schedule::Kind::cosine, 0.05, 8)};
      Bowl by_step, by_iterate;
      auto stepping = nn::make_optimizer(kind, by_step.pointers(), options);
      auto iterating = nn::make_optimizer(kind, by_iterate.pointers(), options);
      auto& first_order = dynamic_cast<nn::FirstOrderOptimizer&>(*stepping);
      int evaluations = 0;
      const nn::Closure counted = [&](std::vector<Tensor<double>>& g) {
        ++evaluations;
        return by_iterate.closure()(g);
      };
      for (int i = 0; i < 8; ++i) {
        first_order.step(by_step.grad());
        const nn::IterateResult r = iterating->iterate(counted);
        CHECK(r.stop == nn::StopReason::none);
        CHECK(std::isfinite(r.loss));
      }
      INFO(iterating->name());
      CHECK(evaluations == 8);
      CHECK(iterating->iteration() == 8);
      CHECK(same_bits(by_step.params, by_iterate.params));
    }
  }
  SECTION("l-bfgs: one quasi-Newton iteration, until it converges") {
    Tensor<double> x = rosenbrock_start(10), y = rosenbrock_start(10);
    nn::LBFGS by_run({&x});
    auto by_iterate = nn::make_optimizer(nn::OptimizerKind::lbfgs, {&y}, {.lbfgs = {.max_iterations = 0}});
    CHECK(by_iterate->name() == "lbfgs");
    CHECK(by_iterate->learning_rate() == 1.0);
    nn::IterateResult r;
    long iterations = 0;
    for (; iterations < 500 && r.stop == nn::StopReason::none; ++iterations) {
      const nn::LBFGSReport expected = by_run.run(rosenbrock_closure(x), 1);
      r = by_iterate->iterate(rosenbrock_closure(y));
      CHECK(r.loss == expected.loss);
      CHECK(r.stop == expected.stop);
    }
    CHECK(r.stop == nn::StopReason::gradient);
    CHECK(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
    for (double v : y) CHECK(std::abs(v - 1) < 1e-10);
    CHECK(by_iterate->state() == by_run.state());
  }
}

TEST_CASE("adam and sgd do not step on a loss that is not finite", "[optimizer]") {
  for (nn::OptimizerKind kind : {nn::OptimizerKind::adam, nn::OptimizerKind::sgd}) {
    Bowl bowl;
    const auto before = bowl.params;
    auto optimizer = nn::make_optimizer(kind, bowl.pointers());
    const nn::IterateResult r = optimizer->iterate([&](std::vector<Tensor<double>>& g) {
      g = bowl.grad();
      return NAN;
    });
    INFO(optimizer->name());
    CHECK(std::isnan(r.loss));
    CHECK(r.stop == nn::StopReason::non_finite);
    CHECK(optimizer->iteration() == 0);
    CHECK(same_bits(bowl.params, before));
  }
}

TEST_CASE("every optimiser setting reads back from its name, and an unknown name is refused naming the field",
          "[optimizer][names]") {
  for (const auto& n : nn::kOptimizerNames) CHECK(nn::parse_optimizer(nn::optimizer_name(n.value)) == n.value);
  for (const auto& n : nn::kScheduleNames) CHECK(nn::parse_schedule(nn::schedule_name(n.value)) == n.value);
  for (const auto& n : nn::kDTypeNames) CHECK(nn::parse_dtype(nn::dtype_name(n.value)) == n.value);
  for (const auto& n : nn::kStopReasonNames)
    CHECK(nn::value_of(nn::kStopReasonNames, nn::stop_reason_name(n.value), "stop") == n.value);
  try {
    nn::parse_optimizer("adagrad");
    FAIL("adagrad was accepted");
  } catch (const nn::SettingError& e) {
    CHECK(e.key == "optimizer");
    CHECK(e.value == "adagrad");
    CHECK_THAT(e.why, Catch::Contains("adam, lbfgs, sgd"));
    CHECK(std::string(e.what()) == "optimizer adagrad: " + e.why);
  }
  CHECK_THROWS_WITH(nn::parse_dtype("f16"), Catch::StartsWith("dtype f16"));
  CHECK_THROWS_WITH(nn::parse_schedule("linear"), Catch::StartsWith("schedule linear"));
}
