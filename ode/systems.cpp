#include "ode/systems.hpp"

#include <cmath>
#include <stdexcept>

#include "ode/expression.hpp"

namespace nimde::ode {
namespace {

using std::cos;
using std::sin;
using std::sqrt;

/// A system in canonical coordinates whose first invariant, its energy, is its Hamiltonian.
void mark_canonical(System& s) {
  s.canonical = true;
  s.hamiltonian = s.invariants.front().value;
}

// Each formula is written once on components C: a batch column, a taped column, a double,
// a forward-mode number. Cubes are products (exact), not pow.
System pendulum() {
  // y = (p, q), H = p²/2 − 10 cos q.
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    return std::vector<C>{-10.0 * sin(y[1]), y[0]};
  };
  System s{"pendulum", "p' = -10 sin q, q' = p (H = p^2/2 - 10 cos q)",
           Field("pendulum", {"p", "q"}, componentwise(f), true), {{-3.8, 3.8}, {-1.2, 1.2}}, {}, {}};
  s.invariants.push_back({"energy", [](const std::vector<double>& y) { return y[0] * y[0] / 2 - 10 * std::cos(y[1]); }});
  mark_canonical(s);
  s.y0 = {0.0, 1.0};
  return s;
}

System cubic_oscillator() {
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    const C a = y[0] * y[0] * y[0], b = y[1] * y[1] * y[1];
    return std::vector<C>{-0.1 * a + 2.0 * b, -2.0 * a - 0.1 * b};
  };
  System s{"cubic-oscillator", "damped cubic oscillator y1' = -0.1 y1^3 + 2 y2^3, y2' = -2 y1^3 - 0.1 y2^3",
           Field("cubic-oscillator", {"y1", "y2"}, componentwise(f)), {{-2.2, 2.2}, {-2.2, 2.2}}, {}, {}};
  s.y0 = {2.0, 0.0};
  return s;
}

System lorenz() {
  // f(y) = g(10 y)/10 with g the Lorenz field, σ = 10, ρ = 28, β = 8/3.
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    return std::vector<C>{10.0 * (y[1] - y[0]), y[0] * (28.0 - 10.0 * y[2]) - y[1], 10.0 * (y[0] * y[1]) - (8.0 / 3.0) * y[2]};
  };
  System s{"lorenz", "Lorenz system scaled by 10: f(y) = g(10 y)/10, sigma = 10, rho = 28, beta = 8/3",
           Field("lorenz", {"x", "y", "z"}, componentwise(f)), {{-2.0, 2.0}, {-2.7, 2.7}, {0.0, 5.0}}, {}, {}};
  s.y0 = {-0.8, 0.7, 2.6};
  s.t_end = 5;
  return s;
}

System harmonic() {
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    return std::vector<C>{-y[1], y[0]};
  };
  System s{"harmonic", "harmonic oscillator p' = -q, q' = p (H = (p^2 + q^2)/2)",
           Field("harmonic", {"p", "q"}, componentwise(f), true), {{-2.0, 2.0}, {-2.0, 2.0}}, {}, {}};
  s.invariants.push_back({"energy", [](const std::vector<double>& y) { return (y[0] * y[0] + y[1] * y[1]) / 2; }});
  mark_canonical(s);
  s.y0 = {0.0, 1.0};
  return s;
}

System van_der_pol() {
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    return std::vector<C>{y[1], (1.0 - y[0] * y[0]) * y[1] - y[0]};
  };
  System s{"van-der-pol", "van der Pol oscillator x' = y, y' = (1 - x^2) y - x (mu = 1)",
           Field("van-der-pol", {"x", "y"}, componentwise(f)), {{-3.0, 3.0}, {-3.0, 3.0}}, {}, {}};
  s.y0 = {2.0, 0.0};
  return s;
}

System lotka_volterra() {
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    return std::vector<C>{y[0] * (y[1] - 2.0), y[1] * (1.0 - y[0])};
  };
  System s{"lotka-volterra", "Lotka-Volterra u' = u (v - 2), v' = v (1 - u)",
           Field("lotka-volterra", {"u", "v"}, componentwise(f)), {{0.5, 3.0}, {0.5, 3.0}}, {}, {}};
  s.invariants.push_back({"I = ln u - u + 2 ln v - v", [](const std::vector<double>& y) {
                            return std::log(y[0]) - y[0] + 2 * std::log(y[1]) - y[1];
                          }});
  s.y0 = {1.0, 2.0};
  return s;
}

System kepler() {
  // y = (p1, p2, q1, q2), H = |p|²/2 − 1/|q|.
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    const C r2 = y[2] * y[2] + y[3] * y[3];
    const C r3 = r2 * sqrt(r2);
    return std::vector<C>{-(y[2] / r3), -(y[3] / r3), y[0], y[1]};
  };
  System s{"kepler", "planar Kepler problem p' = -q/|q|^3, q' = p (H = |p|^2/2 - 1/|q|)",
           Field("kepler", {"p1", "p2", "q1", "q2"}, componentwise(f), true),
           {{-0.5, 0.5}, {0.5, 1.5}, {0.5, 1.5}, {-0.5, 0.5}}, {}, {}};
  s.invariants.push_back({"energy", [](const std::vector<double>& y) {
                            return (y[0] * y[0] + y[1] * y[1]) / 2 - 1 / std::sqrt(y[2] * y[2] + y[3] * y[3]);
                          }});
  mark_canonical(s);
  s.invariants.push_back({"angular momentum", [](const std::vector<double>& y) { return y[2] * y[1] - y[3] * y[0]; }});
  s.y0 = {0.0, std::sqrt(3.0), 0.5, 0.0};  // eccentricity 0.5
  return s;
}

System duffing() {
  // y = (p, q): q'' = q − q³, H = p²/2 − q²/2 + q⁴/4.
  auto f = [](const auto& y) {
    using C = std::decay_t<decltype(y[0])>;
    return std::vector<C>{y[1] - y[1] * y[1] * y[1], y[0]};
  };
  System s{"duffing", "undamped Duffing oscillator p' = q - q^3, q' = p (H = p^2/2 - q^2/2 + q^4/4)",
           Field("duffing", {"p", "q"}, componentwise(f), true), {{-1.5, 1.5}, {-1.5, 1.5}}, {}, {}};
  s.invariants.push_back({"energy", [](const std::vector<double>& y) {
                            return y[0] * y[0] / 2 - y[1] * y[1] / 2 + y[1] * y[1] * y[1] * y[1] / 4;
                          }});
  mark_canonical(s);
  s.y0 = {0.0, 1.2};
  return s;
}

const std::vector<System>& catalogue() {
  static const std::vector<System> systems{pendulum(), cubic_oscillator(), lorenz(), harmonic(),
                                           van_der_pol(), lotka_volterra(), kepler(), duffing()};
  return systems;
}

}  // namespace

std::vector<std::string> system_names() {
  std::vector<std::string> names;
  for (const System& s : catalogue()) names.push_back(s.name);
  return names;
}

const System& system(std::string_view name) {
  for (const System& s : catalogue())
    if (s.name == name) return s;
  std::string known;
  for (const System& s : catalogue()) known += (known.empty() ? "" : ", ") + s.name;
  throw std::invalid_argument("unknown system '" + std::string(name) + "' (known: " + known + ")");
}

System expression_system(const std::string& text, const std::map<std::string, double>& params,
                         std::vector<std::pair<double, double>> domain, bool canonical) {
  auto expr = std::make_shared<const ExpressionField>(ExpressionField::parse(text, params));
  if (!domain.empty() && domain.size() != expr->dim())
    throw std::invalid_argument("domain has " + std::to_string(domain.size()) + " ranges for a field of dimension " +
                                std::to_string(expr->dim()));
  auto formula = [expr](const auto& y) { return (*expr)(y); };
  System s{"expression", text, Field(text, expr->names(), componentwise(formula)), std::move(domain), {}, {}};
  if (canonical && expr->dim() % 2 != 0)
    throw std::invalid_argument("canonical coordinates (p, q) need an even dimension; the field has " +
                                std::to_string(expr->dim()) + " variables");
  s.canonical = canonical;
  return s;
}

}  // namespace nimde::ode
