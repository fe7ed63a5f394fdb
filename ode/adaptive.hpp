// Adaptive reference solvers: embedded explicit Runge–Kutta pairs with error control.
//
// An embedded pair takes one set of stages k_i = f(y + h Σ_j a_ij k_j) and combines them twice:
//   y₁ = y + h Σ_i b_i k_i                 (the solution, order p)
//   err = h Σ_i e_i k_i                    (an estimate of its local error, e = b − b̂)
// With the scale sk_j = atol + rtol · max(|y_j|, |y₁_j|) the step is accepted when
//   ‖err‖ = sqrt( (1/d) Σ_j (err_j / sk_j)² ) ≤ 1                      (Hairer's norm)
// and either way the next step is h · min(fac_max, max(fac_min, 0.9 ‖err‖^(−1/(q+1)))),
// q the order of the error estimate (no growth right after a rejection).
//
//   dopri5  Dormand–Prince 5(4): 7 stages, the last being f(y₁), which is the next step's first
//           (first same as last), so 6 evaluations per step; q = 4, fac 0.2 .. 10.
//   dop853  Hairer's 8(5,3): 12 stages + f(y₁) for the next step. Its error blends a 5th-order
//           estimate E₅ = Σ e5_i k_i and a 3rd-order one E₃ = Σ e3_i k_i as in dop853.f: with
//           |·| the Euclidean norm of the components divided by sk,
//             ‖err‖ = |h| |E₅|² / sqrt(d (|E₅|² + 0.01 |E₃|²)),
//           which behaves like h⁸ but is not fooled by an E₅ that vanishes by accident;
//           q = 7, fac 0.333 .. 6.
//
// A batch (Array rows) is stepped with one common step size; its error is the largest
// over its points, so every point meets the tolerance.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ode/field.hpp"

namespace nimde::ode {

/// Tolerances and limits of an adaptive integration.
struct AdaptiveOptions {
  double rtol = 1e-10;              ///< relative tolerance
  double atol = 1e-12;              ///< absolute tolerance
  double h0 = 0;                    ///< first step; 0: Hairer's heuristic
  double h_max = 0;                 ///< largest step; 0: the whole interval
  std::size_t max_steps = 1000000;  ///< attempted steps (accepted or not) before giving up
};

/// What an integration did.
struct AdaptiveStats {
  std::size_t accepted = 0, rejected = 0, evaluations = 0;
};

/// The names integrate_adaptive accepts: dopri5, dop853.
std::vector<std::string> adaptive_method_names();
/// True if `name` is an adaptive method.
bool is_adaptive_method(std::string_view name);

/// Integrates y' = f(y) from (t0, y0) to each of `times` (t0 ≤ times[0] < times[1] < ...) and
/// returns the state at each; steps are shortened to land exactly on the output times.
/// State = Array<double>, Array<float> or Point<double>.
/// Throws std::invalid_argument for an unknown method, times out of order or bad options, and
/// std::runtime_error when the step size underflows or max_steps is exceeded.
template <class State>
std::vector<State> integrate_adaptive(std::string_view method, const Field& f, const State& y0, double t0,
                                      const std::vector<double>& times, const AdaptiveOptions& options = {},
                                      AdaptiveStats* stats = nullptr);

extern template std::vector<Array<double>> integrate_adaptive(std::string_view, const Field&, const Array<double>&,
                                                              double, const std::vector<double>&,
                                                              const AdaptiveOptions&, AdaptiveStats*);
extern template std::vector<Array<float>> integrate_adaptive(std::string_view, const Field&, const Array<float>&,
                                                             double, const std::vector<double>&,
                                                             const AdaptiveOptions&, AdaptiveStats*);
extern template std::vector<Point<double>> integrate_adaptive(std::string_view, const Field&, const Point<double>&,
                                                              double, const std::vector<double>&,
                                                              const AdaptiveOptions&, AdaptiveStats*);

}  // namespace nimde::ode
