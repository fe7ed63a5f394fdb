#include <functional>
#include <map>

#include <catch2/catch.hpp>

#include "imde/bseries.hpp"
#include "imde/field_series.hpp"
#include "imde/series_format.hpp"
#include "ode/tableau.hpp"

using nimde::imde::Coefficient;
using nimde::imde::Coefficients;
using nimde::imde::RootedTrees;
using nimde::ode::Rational;
using nimde::ode::rk_tableau;
using nimde::ode::Tableau;

namespace {

Coefficient q(long num, long den = 1) { return Coefficient(Rational(num, den)); }

std::vector<std::string> all_methods() { return nimde::ode::rk_method_names(); }

// Crouzeix's 2-stage SDIRK of order 3, γ = 1/2 + √3/6: unlike the Gauss methods it is not
// symmetric, so its IMDE is irrational too.
Tableau sdirk3() {
  const Coefficient g(Rational(1, 2), Rational(1, 6), 3);
  return nimde::ode::make_tableau("sdirk3", {{g, q(0)}, {q(1) - q(2) * g, g}}, {q(1, 2), q(1, 2)}, {}, 3);
}

// The catalogue and one tableau with irrational series.
std::vector<Tableau> tableaus_to_check() {
  std::vector<Tableau> all;
  for (const auto& name : all_methods()) all.push_back(rk_tableau(name));
  all.push_back(sdirk3());
  return all;
}

// The B-series of the field f itself: 1 at •, 0 elsewhere. It is the unit of ⋆ on both sides.
Coefficients unit_field(const RootedTrees& trees) {
  Coefficients d(trees.size());
  d[0] = q(1);
  return d;
}

// ---- truncated power series in h, for checks that use no trees at all ---------------------

using Series = std::vector<Coefficient>;  // coefficients of h^0 … h^M

Series constant(Coefficient c, int M) {
  Series s(M + 1);
  s[0] = std::move(c);
  return s;
}

Series operator+(Series a, const Series& b) {
  for (std::size_t k = 0; k < a.size(); ++k) a[k] += b[k];
  return a;
}

Series operator*(const Coefficient& c, Series a) {
  for (auto& x : a) x *= c;
  return a;
}

Series operator*(const Series& a, const Series& b) {
  Series r(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_zero()) continue;
    for (std::size_t j = 0; i + j < a.size(); ++j) r[i + j] += a[i] * b[j];
  }
  return r;
}

Series power(const Series& a, int k) {
  Series r = constant(q(1), static_cast<int>(a.size()) - 1);
  for (int i = 0; i < k; ++i) r = r * a;
  return r;
}

Series times_h(const Series& a) {
  Series r(a.size());
  for (std::size_t k = 1; k < a.size(); ++k) r[k] = a[k - 1];
  return r;
}

using ScalarField = std::function<Series(const Series&)>;

// One step of the Runge–Kutta method from y = 1 for a scalar field, as a power series in h:
// the stage equations are a fixed point gaining one power of h per sweep.
Series rk_step(const Tableau& t, const ScalarField& g, int M) {
  const int s = t.stages();
  const Series one = constant(q(1), M);
  std::vector<Series> Y(s, one);
  for (int sweep = 0; sweep <= M; ++sweep) {
    std::vector<Series> G;
    for (const Series& y : Y) G.push_back(g(y));
    for (int i = 0; i < s; ++i) {
      Series sum(M + 1);
      for (int j = 0; j < s; ++j) sum = sum + t.A_exact[i][j] * G[j];
      Y[i] = one + times_h(sum);
    }
  }
  Series sum(M + 1);
  for (int i = 0; i < s; ++i) sum = sum + t.b_exact[i] * g(Y[i]);
  return one + times_h(sum);
}

// The exact flow of y' = y^p from y = 1 over time h, by Picard iteration.
Series exact_flow_of_power(int p, int M) {
  Series y = constant(q(1), M);
  for (int sweep = 0; sweep <= M; ++sweep) {
    const Series integrand = power(y, p);
    Series next = constant(q(1), M);
    for (int k = 1; k <= M; ++k) next[k] = integrand[k - 1] / q(k);
    y = next;
  }
  return y;
}

// For f(y) = y^p every elementary differential is a monomial: F(τ)(y) = κ(τ) y^((p−1)|τ|+1) with
// κ(τ) = Π over nodes of p(p−1)⋯(p−m+1), m the number of children of the node.
long kappa(const RootedTrees& trees, int id, int p) {
  const auto m = static_cast<int>(trees[id].children.size());
  long k = 1;
  for (int i = 0; i < m; ++i) k *= p - i;
  for (int c : trees[id].children) k *= kappa(trees, c, p);
  return k;
}

// The series field collapsed for f = y^p: g_h(y) = Σ_k h^k G_k y^((p−1)(k+1)+1).
std::vector<Coefficient> collapse(const nimde::imde::FieldSeries& s, int p) {
  std::vector<Coefficient> G(s.order + 1);
  for (int id = 0; id < s.trees.size(); ++id) {
    G[s.trees[id].order - 1] += s.written_once(id) * q(kappa(s.trees, id, p));
  }
  return G;
}

// The exact flow over time h of y' = Σ_k h^k G_k y^(d_k) from y = 1, by its Lie series
// φ_h = Σ_n h^n/n! L^n(id), L u = g u'. Functions are kept as [h power][y power].
Series exact_flow_of_series(const std::vector<Coefficient>& G, int p, int M) {
  using Poly = std::vector<std::vector<Coefficient>>;  // u[j][e]: coefficient of h^j y^e
  const int max_e = (p - 1) * (M + 1) * (M + 1) + 2;
  Poly u(M + 1, std::vector<Coefficient>(max_e + 1));
  u[0][1] = q(1);  // id(y) = y
  Series result(M + 1);
  Coefficient factorial = q(1);
  for (int n = 0; n <= M; ++n) {
    if (n > 0) {
      Poly next(M + 1, std::vector<Coefficient>(max_e + 1));
      for (int k = 0; k < static_cast<int>(G.size()) && k <= M; ++k) {
        const int d = (p - 1) * (k + 1) + 1;
        for (int j = 0; j + k <= M; ++j) {
          for (int e = 1; e <= max_e; ++e) {
            if (u[j][e].is_zero()) continue;
            if (e - 1 + d <= max_e) next[j + k][e - 1 + d] += G[k] * u[j][e] * q(e);
          }
        }
      }
      u = std::move(next);
      factorial *= q(n);
    }
    for (int j = 0; j + n <= M; ++j) {
      for (const auto& c : u[j]) result[j + n] += c / factorial;  // evaluate at y = 1
    }
  }
  return result;
}

// R(z) = 1 + z bᵀ(I − zA)⁻¹ 1 = 1 + Σ_k z^(k+1) bᵀ A^k 1: the method applied to y' = λy, z = hλ.
Series stability_function(const Tableau& t, int M) {
  const int s = t.stages();
  Series R = constant(q(1), M);
  std::vector<Coefficient> v(s, q(1));
  for (int k = 0; k + 1 <= M; ++k) {
    for (int i = 0; i < s; ++i) R[k + 1] += t.b_exact[i] * v[i];
    std::vector<Coefficient> w(s);
    for (int i = 0; i < s; ++i) {
      for (int j = 0; j < s; ++j) w[i] += t.A_exact[i][j] * v[j];
    }
    v = w;
  }
  return R;
}

// Substitutes a series without constant term into a power series: Σ_k P_k u^k.
Series compose(const Series& P, const Series& u) {
  Series r(u.size()), uk = constant(q(1), static_cast<int>(u.size()) - 1);
  for (std::size_t k = 0; k < P.size(); ++k) {
    r = r + P[k] * uk;
    uk = uk * u;
  }
  return r;
}

Series exp_series(int M) {
  Series e(M + 1);
  Coefficient f = q(1);
  for (int k = 0; k <= M; ++k) {
    if (k > 0) f *= q(k);
    e[k] = q(1) / f;
  }
  return e;
}

int chain(const RootedTrees& trees, int nodes) {  // [[…[τ]…]]
  int id = 0;
  for (int n = 2; n <= nodes; ++n) id = trees.find({id});
  return id;
}

}  // namespace

// ---- order conditions ------------------------------------------------------------------

TEST_CASE("every catalogue method has its textbook order", "[bseries]") {
  const std::map<std::string, int> expected = {
      {"euler", 1},  {"midpoint", 2}, {"heun", 2},           {"ralston", 2},           {"kutta3", 3},
      {"ssprk3", 3}, {"rk4", 4},      {"rk38", 4},           {"implicit-euler", 1},    {"implicit-midpoint", 2},
      {"gauss4", 4}, {"gauss6", 6}};
  REQUIRE(expected.size() == all_methods().size());
  for (const auto& name : all_methods()) {
    INFO(name);
    CHECK(nimde::imde::method_order(rk_tableau(name)) == expected.at(name));
    CHECK(rk_tableau(name).order == expected.at(name));
  }
}

TEST_CASE("rk4 satisfies all 8 order conditions up to 4 nodes and fails some of order 5", "[bseries]") {
  const RootedTrees trees(5);
  const auto conditions = nimde::imde::order_conditions(rk_tableau("rk4"), trees);
  int failed = 0;
  for (const auto& c : conditions) {
    if (trees[c.tree].order <= 4) CHECK(c.holds());
    if (!c.holds()) ++failed;
  }
  CHECK(failed > 0);
  // Φ([[[[τ]]]]) = bᵀA³c = 0 for rk4 (four stages, A strictly lower triangular), against 1/120.
  CHECK(conditions[chain(trees, 5)].weight == q(0));
  CHECK(conditions[chain(trees, 5)].exact == q(1, 120));
  // Φ([ττττ]) = Σ b_i c_i⁴ = 1/3·(1/16 + 1/16) + 1/6 = 5/24 against 1/5.
  CHECK(conditions[trees.begin(5)].weight == q(5, 24));
}

TEST_CASE("Crouzeix's SDIRK with gamma = 1/2 + sqrt(3)/6 has order 3", "[bseries]") {
  CHECK(nimde::imde::method_order(sdirk3()) == 3);
}

TEST_CASE("a method's order is capped by the trees examined", "[bseries]") {
  CHECK(nimde::imde::method_order(rk_tableau("gauss6"), 4) == 4);
  CHECK(nimde::imde::method_order(rk_tableau("rk4"), 3) == 3);
}

// ---- the substitution law --------------------------------------------------------------

TEST_CASE("the substitution law matches edge-by-edge expansions by hand", "[bseries]") {
  const RootedTrees trees(4);
  // Arbitrary distinct coefficients, so that no term can hide behind another.
  Coefficients a(trees.size()), b(trees.size());
  for (int id = 0; id < trees.size(); ++id) {
    a[id] = q(2 * id + 3, 7);
    b[id] = q(-5 * id - 1, 11 + id);
  }
  const Coefficients s = nimde::imde::substitute(b, a, trees);
  const int dot = 0, t2 = 1, bushy3 = 2, tall3 = 3, t4 = trees.find({1, 0});  // [[τ]τ]
  CHECK(s[dot] == a[dot] * b[dot]);
  CHECK(s[t2] == a[dot] * b[t2] + a[t2] * b[dot] * b[dot]);
  CHECK(s[bushy3] == a[dot] * b[bushy3] + q(2) * a[t2] * b[t2] * b[dot] + a[bushy3] * b[dot] * b[dot] * b[dot]);
  CHECK(s[tall3] == a[dot] * b[tall3] + q(2) * a[t2] * b[t2] * b[dot] + a[tall3] * b[dot] * b[dot] * b[dot]);
  // [[τ]τ]: root r with children u (carrying w) and v; 8 subsets of its 3 edges.
  const Coefficient b1 = b[dot];
  CHECK(s[t4] == a[dot] * b[t4]                                               // keep all
                     + a[t2] * (b[t2] * b[t2] + b[bushy3] * b1 + b[tall3] * b1)  // cut one edge
                     + a[tall3] * b[t2] * b1 * b1                                // cut r–u and u–w
                     + q(2) * a[bushy3] * b[t2] * b1 * b1                        // cut r–u, r–v or u–w, r–v
                     + a[t4] * b1 * b1 * b1 * b1);                               // cut all
}

TEST_CASE("the field f is the unit of substitution on both sides", "[bseries]") {
  const RootedTrees trees(7);
  const Coefficients phi = nimde::imde::elementary_weights(rk_tableau("kutta3"), trees);
  const Coefficients d = unit_field(trees);
  CHECK(nimde::imde::substitute(d, phi, trees) == phi);  // the method applied to f
  // As an integrator, d is explicit Euler y + h f; applied to any field b it gives back b.
  CHECK(nimde::imde::substitute(phi, d, trees) == phi);
  CHECK(nimde::imde::elementary_weights(rk_tableau("euler"), trees) == d);
}

TEST_CASE("IMDE and modified equation are inverse to each other under substitution", "[bseries]") {
  // c ⋆ Φ = e and b ⋆ e = Φ give (c ⋆ b) ⋆ e = c ⋆ (b ⋆ e) = e, so c ⋆ b is the field f itself.
  for (const Tableau& t : tableaus_to_check()) {
    INFO(t.name);
    const auto inverse = nimde::imde::inverse_modified_equation(t, 6);
    const auto modified = nimde::imde::modified_equation(t, 6);
    const Coefficients d = unit_field(inverse.trees);
    CHECK(nimde::imde::substitute(inverse.coefficients, modified.coefficients, inverse.trees) == d);
    CHECK(nimde::imde::substitute(modified.coefficients, inverse.coefficients, inverse.trees) == d);
    // and by definition
    const Coefficients phi = nimde::imde::elementary_weights(t, inverse.trees);
    CHECK(nimde::imde::substitute(inverse.coefficients, phi, inverse.trees) ==
          nimde::imde::exact_flow(inverse.trees));
  }
}

// ---- the IMDE against the paper and against computations without trees -----------------

TEST_CASE("explicit Euler's IMDE to h^3 is the published one", "[bseries]") {
  const auto s = nimde::imde::inverse_modified_equation(rk_tableau("euler"), 3);
  // f + h a0 f'f + h²(a1 f''(f,f) + a2 f'f'f) + h³(a3 f'''(f,f,f) + a4 f''(f'f,f) + a5 f'f''(f,f) + a6 f'f'f'f)
  const Coefficient a[] = {q(1), q(1, 2), q(1, 6), q(1, 6), q(1, 24), q(1, 8), q(1, 24), q(1, 24)};
  REQUIRE(s.trees.size() == 8);
  for (int id = 0; id < 8; ++id) CHECK(s.written_once(id) == a[id]);
}

TEST_CASE("explicit midpoint's IMDE to h^3 is the published one", "[bseries]") {
  const auto s = nimde::imde::inverse_modified_equation(rk_tableau("midpoint"), 3);
  const Coefficient a[] = {q(1), q(0), q(1, 24), q(1, 6), q(0), q(0), q(-1, 16), q(-1, 8)};
  for (int id = 0; id < 8; ++id) CHECK(s.written_once(id) == a[id]);
}

TEST_CASE("explicit Euler's modified equation is f - h/2 f'f + h^2 (1/12 f''(f,f) + 1/3 f'f'f)", "[bseries]") {
  const auto s = nimde::imde::modified_equation(rk_tableau("euler"), 2);  // Hairer–Lubich–Wanner IX.1
  const Coefficient a[] = {q(1), q(-1, 2), q(1, 12), q(1, 3)};
  for (int id = 0; id < 4; ++id) CHECK(s.written_once(id) == a[id]);
}

TEST_CASE("the IMDE of an order-p method agrees with f up to h^p", "[bseries]") {
  for (const Tableau& t : tableaus_to_check()) {
    INFO(t.name);
    for (auto kind : {nimde::imde::SeriesKind::inverse, nimde::imde::SeriesKind::modified}) {
      const auto s = nimde::imde::field_series(t, kind, 7);
      CHECK(s.coefficients[0] == q(1));
      for (int id = 1; id < s.trees.size(); ++id) {
        if (s.trees[id].order <= t.order) CHECK(s.coefficients[id].is_zero());
      }
      // and no further: some term of order p+1 survives
      bool first_error = false;
      for (int id = s.trees.begin(t.order + 1); id < s.trees.end(t.order + 1); ++id) {
        first_error = first_error || !s.coefficients[id].is_zero();
      }
      CHECK(first_error);
    }
  }
}

TEST_CASE("symmetric methods have only even powers of h in IMDE and modified equation", "[bseries]") {
  for (const char* name : {"implicit-midpoint", "gauss4", "gauss6"}) {
    INFO(name);
    for (auto kind : {nimde::imde::SeriesKind::inverse, nimde::imde::SeriesKind::modified}) {
      const auto s = nimde::imde::field_series(rk_tableau(name), kind, 8);
      bool some_even = false;
      for (int id = 1; id < s.trees.size(); ++id) {
        const int h_power = s.trees[id].order - 1;
        if (h_power % 2 == 1) CHECK(s.coefficients[id].is_zero());
        if (h_power % 2 == 0 && !s.coefficients[id].is_zero()) some_even = true;
      }
      CHECK(some_even);
    }
  }
}

TEST_CASE("Gauss methods have rational IMDE coefficients although their tableaus are not", "[bseries]") {
  for (const char* name : {"gauss4", "gauss6"}) {
    const auto s = nimde::imde::inverse_modified_equation(rk_tableau(name), 8);
    for (const auto& c : s.coefficients) CHECK(c.is_rational());
  }
}

// For y' = λy only the chains [[…[τ]…]] survive, F = λ^n y, and the method is y ↦ R(z) y (z = hλ):
// the IMDE is μ(z)/h with R(μ(z)) = e^z, the modified equation log R(z)/h.
TEST_CASE("on linear problems the series follow from the stability function", "[bseries]") {
  const int N = 8, M = N + 1;
  for (const Tableau& t : tableaus_to_check()) {
    INFO(t.name);
    const Series R = stability_function(t, M);
    const Series e = exp_series(M);
    Series mu(M + 1);
    mu[1] = q(1);
    for (int sweep = 0; sweep < M; ++sweep) {  // R'(0) = 1: each sweep fixes one more power
      Series residual = compose(R, mu);
      for (int k = 0; k <= M; ++k) mu[k] += e[k] - residual[k];
    }
    Series u = R;
    u[0] = q(0);
    Series log_R(M + 1);
    Series uk = constant(q(1), M);
    for (int k = 1; k <= M; ++k) {
      uk = uk * u;
      log_R = log_R + q(k % 2 == 1 ? 1 : -1, k) * uk;
    }
    const auto inverse = nimde::imde::inverse_modified_equation(t, N);
    const auto modified = nimde::imde::modified_equation(t, N);
    for (int n = 1; n <= M; ++n) {
      INFO("chain of " << n << " nodes");
      CHECK(inverse.written_once(chain(inverse.trees, n)) == mu[n]);
      CHECK(modified.written_once(chain(modified.trees, n)) == log_R[n]);
    }
  }
}

// For y' = y^p every tree contributes, through κ(τ), to one scalar series; the method applied to
// the IMDE must reproduce the exact flow, and the exact flow of the modified equation the method.
TEST_CASE("on y' = y^p the IMDE reproduces the exact flow and the modified equation the method", "[bseries]") {
  const int N = 6, M = N + 1;
  for (int p : {2, 3}) {
    const Series exact = exact_flow_of_power(p, M);
    for (const Tableau& t : tableaus_to_check()) {
      INFO(t.name << ", p = " << p);
      const auto inverse = nimde::imde::inverse_modified_equation(t, N);
      const std::vector<Coefficient> G = collapse(inverse, p);
      const ScalarField imde_field = [&](const Series& y) {
        Series g(M + 1);
        for (int k = 0; k <= N; ++k) {
          Series hk = constant(q(1), M);
          for (int i = 0; i < k; ++i) hk = times_h(hk);
          g = g + G[k] * (hk * power(y, (p - 1) * (k + 1) + 1));
        }
        return g;
      };
      CHECK(rk_step(t, imde_field, M) == exact);

      const auto modified = nimde::imde::modified_equation(t, N);
      const Series step = rk_step(t, [&](const Series& y) { return power(y, p); }, M);
      CHECK(exact_flow_of_series(collapse(modified, p), p, M) == step);
    }
  }
}

// Speed is measured by the imde_coefficients benchmarks, not here.
TEST_CASE("rk4's IMDE to order 10 extends its order-8 truncation", "[bseries]") {
  const auto s8 = nimde::imde::inverse_modified_equation(rk_tableau("rk4"), 8);
  const auto s10 = nimde::imde::inverse_modified_equation(rk_tableau("rk4"), 10);
  CHECK(s10.trees.size() == 3047);
  for (int id = 0; id < s8.trees.size(); ++id) CHECK(s8.coefficients[id] == s10.coefficients[id]);
}

// ---- printing ---------------------------------------------------------------------------

TEST_CASE("series print as text, LaTeX and JSON with each differential once", "[bseries][format]") {
  const auto euler = nimde::imde::inverse_modified_equation(rk_tableau("euler"), 2);
  CHECK(nimde::imde::to_text(euler) ==
        "f\n"
        "+ h/2 f'f\n"
        "+ h^2 (1/6 f''(f,f) + 1/6 f'f'f)\n"
        "+ O(h^3)\n");
  CHECK(nimde::imde::to_latex(euler) ==
        "f\n"
        "+ \\frac{h}{2} f^{\\prime}f\n"
        "+ h^{2} \\left(\\frac{1}{6} f^{\\prime\\prime}(f,f) + \\frac{1}{6} f^{\\prime}f^{\\prime}f\\right)\n"
        "+ \\mathcal{O}(h^{3})\n");
  const auto modified = nimde::imde::modified_equation(rk_tableau("euler"), 3);
  CHECK(nimde::imde::to_text(modified) ==
        "f\n"
        "- h/2 f'f\n"
        "+ h^2 (1/12 f''(f,f) + 1/3 f'f'f)\n"
        "+ h^3 (-1/12 f''(f'f,f) - 1/12 f'f''(f,f) - 1/4 f'f'f'f)\n"
        "+ O(h^4)\n");
  const auto midpoint = nimde::imde::inverse_modified_equation(rk_tableau("midpoint"), 1);
  CHECK(nimde::imde::to_text(midpoint) == "f\n+ O(h^2)\n");

  const auto sdirk = nimde::imde::inverse_modified_equation(sdirk3(), 3);
  CHECK(nimde::imde::to_text(sdirk) == "f\n+ h^3 ((-1/24-√3/36) f''(f'f,f) + (1/24+√3/36) f'f'f'f)\n+ O(h^4)\n");
  CHECK(nimde::imde::to_latex(sdirk).find("\\left(\\frac{1}{24} + \\frac{\\sqrt{3}}{36}\\right) f^{\\prime}f^{\\prime}f^{\\prime}f") !=
        std::string::npos);
  CHECK(nimde::imde::to_json(sdirk)["terms"][7]["coefficient"] == "1/24+√3/36");

  const nlohmann::json j = nimde::imde::to_json(nimde::imde::inverse_modified_equation(rk_tableau("midpoint"), 3));
  CHECK(j["method"] == "midpoint");
  CHECK(j["kind"] == "inverse");
  CHECK(j["order"] == 3);
  CHECK(j["method_order"] == 2);
  REQUIRE(j["terms"].size() == 8);  // every tree up to 4 nodes, zeros included
  CHECK(j["terms"][1]["coefficient"] == "0");
  CHECK(j["terms"][6]["tree"] == "[[ττ]]");
  CHECK(j["terms"][6]["differential"] == "f'f''(f,f)");
  CHECK(j["terms"][6]["sigma"] == 2);
  CHECK(j["terms"][6]["gamma"] == 12);
  CHECK(j["terms"][6]["order"] == 4);
  CHECK(j["terms"][6]["h_power"] == 3);
  CHECK(j["terms"][6]["coefficient"] == "-1/16");
}

TEST_CASE("series kinds, formats and orders are checked", "[bseries][format]") {
  CHECK(nimde::imde::parse_series_kind("modified") == nimde::imde::SeriesKind::modified);
  CHECK(nimde::imde::parse_series_format("latex") == nimde::imde::SeriesFormat::latex);
  CHECK_THROWS_WITH(nimde::imde::parse_series_kind("forward"),
                    "unknown series kind 'forward' (known: inverse, modified)");
  CHECK_THROWS_WITH(nimde::imde::parse_series_format("html"), "unknown format 'html' (known: text, json, latex)");
  CHECK_THROWS_WITH(nimde::imde::inverse_modified_equation(rk_tableau("rk4"), 40), "series order 40 out of range 0..12");
  CHECK_THROWS_AS(nimde::imde::inverse_modified_equation(rk_tableau("rk4"), -1), std::invalid_argument);
  // A method with Σ b_i = 0 has no IMDE: nothing multiplies the unknown.
  const Tableau broken = nimde::ode::make_tableau("broken", {{q(0)}}, {q(0)});
  CHECK_THROWS_AS(nimde::imde::inverse_modified_equation(broken, 2), std::invalid_argument);
}
