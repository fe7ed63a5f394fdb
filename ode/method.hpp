// Method: one step y_{n+1} = Φ_h(y_n) of a numerical integrator, written once for every
// state type (Array, Var, Point). Three families share the type:
//
//   Runge–Kutta (a Butcher tableau):   Y_i = y + h Σ_j a_ij k_j,  k_i = f(Y_i),  y_1 = y + h Σ_i b_i k_i.
//     Explicit tableaus compute the stages in order; implicit ones solve for the stage slopes
//     by fixed-point iteration  k_i ← f(y + h Σ_j a_ij k_j)  from k_i = f(y).
//   Partitioned, for y = (p, q) split in halves:
//     symplectic Euler A:  p₁ = p + h f_p(p₁, q),            q₁ = q + h f_q(p₁, q)
//     symplectic Euler B:  q₁ = q + h f_q(p, q₁),            p₁ = p + h f_p(p, q₁)
//     Störmer–Verlet:      p½ = p + h/2 f_p(p½, q),          q₁ = q + h/2 (f_q(p½, q) + f_q(p½, q₁)),
//                          p₁ = p½ + h/2 f_p(p½, q₁)
//     The implicit equations are solved by fixed-point iteration; for a separable field
//     (f_p of q only, f_q of p only) they are explicit and take one evaluation.
//   Compositions (triple jump): Ψ_h = Φ_{γ₁h} ∘ Φ_{γ₂h} ∘ Φ_{γ₁h} with γ₁ = 1/(2 − 2^{1/(p+1)}),
//     γ₂ = 1 − 2γ₁ raises a symmetric method of order p to p + 2: sv4 from Störmer–Verlet,
//     sv6 from sv4 (the paper's data generator).
//
// Fixed-point iterations on plain states stop when the change falls below `tolerance`
// (at most `max_iterations`); on a tape they run exactly `taped_iterations` times, since a
// recorded graph cannot depend on values (`fixed` asks the same of plain states, which then
// compute the taped values bit for bit). All are in IterationOptions; the substeps of a
// composition follow the composition's options.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ode/field.hpp"
#include "ode/tableau.hpp"

namespace nimde::ode {

/// How implicit stage equations are solved.
struct IterationOptions {
  double tolerance = 1e-13;   ///< plain states: stop when max |change| is below this
  int max_iterations = 200;   ///< plain states: give up (with an error) after this many
  int taped_iterations = 8;   ///< taped states: exactly this many iterations
  bool fixed = false;         ///< plain states too: exactly taped_iterations (the taped values, bit for bit)
};

class Method {
 public:
  enum class Family { runge_kutta, symplectic_euler_a, symplectic_euler_b, stormer_verlet, composition };

  /// A Runge–Kutta method from its tableau.
  explicit Method(Tableau tableau);
  /// A partitioned method (one of the three partitioned families).
  Method(std::string name, Family family, int order);
  /// The triple-jump composition of a symmetric method of even order.
  static Method triple_jump(std::string name, const Method& base);

  const std::string& name() const { return name_; }
  int order() const { return order_; }
  Family family() const { return family_; }
  bool is_partitioned() const { return family_ != Family::runge_kutta; }
  /// The tableau of a Runge–Kutta method (throws for partitioned ones).
  const Tableau& tableau() const;

  IterationOptions iteration;

  /// One step of size h from y. A partitioned method needs y = (p, q) of even dimension
  /// (std::invalid_argument naming the method and the dimension otherwise).
  template <class State>
  State step(const Field& f, const State& y, double h) const;

 private:
  // The composed steps use the outer method's IterationOptions, not the base's own copy.
  template <class State> State step(const Field& f, const State& y, double h, const IterationOptions& it) const;
  template <class State> State rk_step(const Field& f, const State& y, double h, const IterationOptions& it) const;
  template <class State>
  State partitioned_step(const Field& f, const State& y, double h, const IterationOptions& it) const;
  template <class State, class Update>
  State solve(const State& start, Update update, bool explicit_update, const IterationOptions& it) const;

  std::string name_;
  Family family_;
  int order_ = 0;
  std::shared_ptr<const Tableau> tableau_;
  std::shared_ptr<const Method> base_;  ///< composition: the method composed
  double gamma1_ = 0, gamma2_ = 0;      ///< composition: the substep fractions
};

/// A method by name: the Runge–Kutta catalogue (rk_method_names()) plus symplectic-euler
/// (= symplectic-euler-a), symplectic-euler-b, stormer-verlet, sv4, sv6. Throws
/// std::invalid_argument naming the unknown method and listing the known ones.
Method method(std::string_view name);
/// Every name `method` accepts.
std::vector<std::string> method_names();

/// S steps of size h.
template <class State>
State integrate(const Method& m, const Field& f, State y, double h, int steps) {
  for (int s = 0; s < steps; ++s) y = m.step(f, y, h);
  return y;
}

// ---------------------------------------------------------------------------------------
// The generic step (a template: one definition for every state type).
// ---------------------------------------------------------------------------------------
template <class State>
State Method::step(const Field& f, const State& y, double h) const {
  if (is_partitioned() && y.cols() % 2 != 0)
    throw std::invalid_argument("method " + name_ + " needs a state y = (p, q) of even dimension, got " +
                                std::to_string(y.cols()));
  return step(f, y, h, iteration);
}

template <class State>
State Method::step(const Field& f, const State& y, double h, const IterationOptions& it) const {
  if (family_ == Family::runge_kutta) return rk_step(f, y, h, it);
  if (family_ == Family::composition) {
    State z = base_->step(f, y, gamma1_ * h, it);
    z = base_->step(f, z, gamma2_ * h, it);
    return base_->step(f, z, gamma1_ * h, it);
  }
  return partitioned_step(f, y, h, it);
}

/// Iterates x ← update(x) from `start`: once if the update is explicit, a fixed number of
/// times on a tape (or when iteration.fixed), to tolerance otherwise.
template <class State, class Update>
State Method::solve(const State& start, Update update, bool explicit_update, const IterationOptions& it) const {
  State x = update(start);
  if (explicit_update) return x;
  if constexpr (!kIsTaped<State>) {
    if (!it.fixed) {
      for (int n = 1; n < it.max_iterations; ++n) {
        State next = update(x);
        const double change = max_change(next, x);
        x = std::move(next);
        if (change <= it.tolerance) return x;
      }
      throw std::runtime_error("method " + name_ + ": fixed-point iteration did not converge in " +
                               std::to_string(it.max_iterations) + " iterations (step too large?)");
    }
  }
  for (int n = 1; n < it.taped_iterations; ++n) x = update(x);
  return x;
}

template <class State>
State Method::rk_step(const Field& f, const State& y, double h, const IterationOptions& it) const {
  const Tableau& t = *tableau_;
  const int s = t.stages();
  // y + h Σ_j coef_j k_j over the nonzero coefficients, in the order of j: the sum of the
  // products first, then y; a single term is y + k·(h c), one axpy.
  auto combine = [&](const std::vector<State>& k, auto coef) {
    int first = -1, terms = 0;
    for (int j = 0; j < s; ++j) {
      if (coef(j) == 0) continue;
      if (first < 0) first = j;
      ++terms;
    }
    if (terms == 0) return y;
    const State& k0 = k[static_cast<std::size_t>(first)];
    if (terms == 1) return axpy(y, k0, h * coef(first));
    State acc = State(k0 * (h * coef(first)));
    for (int j = first + 1; j < s; ++j)
      if (coef(j) != 0) acc = axpy(acc, k[static_cast<std::size_t>(j)], h * coef(j));
    return State(y + acc);
  };
  std::vector<State> k;
  k.reserve(static_cast<std::size_t>(s));
  if (t.is_explicit()) {
    for (int i = 0; i < s; ++i) {
      k.push_back(f(i == 0 ? y : combine(k, [&](int j) { return j < i ? t.A[i * s + j] : 0.0; })));
    }
  } else {
    const State f0 = f(y);
    k.assign(static_cast<std::size_t>(s), f0);
    // Iterate on all stage slopes at once, packed side by side as one state.
    auto pack = [&](const std::vector<State>& ks) {
      State all = ks[0];
      for (int i = 1; i < s; ++i) all = glue(all, ks[static_cast<std::size_t>(i)]);
      return all;
    };
    auto unpack = [&](const State& all) {
      std::vector<State> ks;
      const std::size_t d = y.cols();
      for (int i = 0; i < s; ++i) ks.push_back(s == 1 ? all : part(all, static_cast<std::size_t>(i) * d, d));
      return ks;
    };
    auto update = [&](const State& all) {
      const std::vector<State> ks = unpack(all);
      std::vector<State> next;
      for (int i = 0; i < s; ++i) next.push_back(f(combine(ks, [&](int j) { return t.A[i * s + j]; })));
      return pack(next);
    };
    k = unpack(solve(pack(k), update, false, it));
  }
  return combine(k, [&](int j) { return t.b[static_cast<std::size_t>(j)]; });
}

template <class State>
State Method::partitioned_step(const Field& f, const State& y, double h, const IterationOptions& it) const {
  const std::size_t n = y.cols() / 2;  // even: checked by step()
  const bool sep = f.separable();
  const State p = part(y, 0, n), q = part(y, n, n);
  auto fp = [&](const State& pp, const State& qq) { return part(f(glue(pp, qq)), 0, n); };
  auto fq = [&](const State& pp, const State& qq) { return part(f(glue(pp, qq)), n, n); };
  switch (family_) {
    case Family::symplectic_euler_a: {
      const State p1 = solve(p, [&](const State& x) { return State(p + fp(x, q) * h); }, sep, it);
      return glue(p1, State(q + fq(p1, q) * h));
    }
    case Family::symplectic_euler_b: {
      const State q1 = solve(q, [&](const State& x) { return State(q + fq(p, x) * h); }, sep, it);
      return glue(State(p + fp(p, q1) * h), q1);
    }
    default: {  // Störmer–Verlet
      const State ph = solve(p, [&](const State& x) { return State(p + fp(x, q) * (h / 2)); }, sep, it);
      const State fq0 = fq(ph, q);
      const State q1 = solve(q, [&](const State& x) { return State(q + (fq0 + fq(ph, x)) * (h / 2)); }, sep, it);
      return glue(State(ph + fp(ph, q1) * (h / 2)), q1);
    }
  }
}

}  // namespace nimde::ode
