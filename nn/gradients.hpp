// Two ways to take the gradient of the paper's loss
//   L(θ) = mean_{i,k} (Φ_h^S[f_θ](x_i) − y_i)_k²,   h = T/S,
// with respect to the parameters θ of a field.
//
// Discretize-then-optimize (DTO): record the S unrolled steps on a tape and sweep backward.
// It is the exact gradient of the discrete loss, what training uses.
//
// Optimize-then-discretize (the backsolve adjoint of Chen et al. 2018): the continuous
// sensitivities a(t) = ∂L/∂y(t) and g(t) obey, backward from T to 0,
//   dy/dt = f(y),   da/dt = −aᵀ ∂f/∂y,   dg/dt = −aᵀ ∂f/∂θ,    a(T) = ∂L/∂y_S, g(T) = 0,
// and ∂L/∂θ ≈ g(0). We solve this augmented system with the same method and step −h, the
// vector–Jacobian products aᵀ∂f/∂y and aᵀ∂f/∂θ coming from one tape sweep per evaluation.
// It differs from DTO by the method's discretisation error, O(h^p).
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "ode/method.hpp"
#include "ode/systems.hpp"

namespace nimde::nn {

using autodiff::Array;
using autodiff::Tape;
using autodiff::Tensor;
using autodiff::Var;
using ode::Field;
using ode::Method;

/// A field with parameters θ. `bind` records θ as leaves on a tape and makes `field` use them
/// for states on that tape; `params` holds θ's current values, which plain states use.
struct ParametricField {
  Field field;
  std::function<std::vector<Var<double>>(Tape<double>&)> bind;
  std::function<std::vector<Tensor<double>*>()> params;
};

/// The loss and its gradient, one tensor per parameter.
struct Gradient {
  double loss = 0;
  std::vector<Tensor<double>> grad;
};

/// L(θ) at the current parameters (plain evaluation).
double trajectory_loss(const Method& m, const ParametricField& f, const Array<double>& x, const Array<double>& y,
                       double T, int steps);
/// ∂L/∂θ by backpropagation through the unrolled steps.
Gradient dto_gradient(const Method& m, const ParametricField& f, const Array<double>& x, const Array<double>& y,
                      double T, int steps);
/// ∂L/∂θ by the backsolve adjoint with the same method (Runge–Kutta methods only).
Gradient adjoint_gradient(const Method& m, const ParametricField& f, const Array<double>& x, const Array<double>& y,
                          double T, int steps);
/// ∂L/∂θ by central differences of trajectory_loss, step `eps` relative to max(1, |θ_j|).
Gradient finite_difference_gradient(const Method& m, const ParametricField& f, const Array<double>& x,
                                    const Array<double>& y, double T, int steps, double eps = 1e-6);

/// ‖a − b‖₂ / ‖b‖₂ over all parameters, and the cosine of the angle between a and b.
double relative_difference(const Gradient& a, const Gradient& b);
double cosine(const Gradient& a, const Gradient& b);

/// One step count of the gradient study; the adjoint's entries are NaN for a partitioned method.
struct GradientStudyRow {
  int steps = 1;
  double loss = 0, dto_vs_fd = 0;
  double adjoint_vs_fd = NAN, adjoint_vs_dto = NAN, cosine = NAN;
};

/// The discretize-then-optimize study: a d → width → width → d tanh network (orthogonal, from
/// `seed`) on `points` points drawn uniformly from the system's domain (from seed + 1), targets
/// by rk4 with 100 steps over T; for each S, the DTO gradient against finite differences and
/// the backsolve adjoint against both.
std::vector<GradientStudyRow> gradient_study(const ode::System& system, const Method& m, double T,
                                             const std::vector<int>& steps, std::size_t width, std::size_t points,
                                             std::uint64_t seed);

}  // namespace nimde::nn
