// The activations a network layer applies, and that the fused `linear` operation applies to
// x·Wᵀ + b.
#pragma once

#include <string>
#include <string_view>

namespace nimde::autodiff {

struct Jet;

/// The table of activations, one row each: X(name, Rule). The name is the enum value and the
/// spelling in model files and on the command line; the rule (detail/rules.hpp, the same as the
/// function's of functions.hpp) computes it. `linear` fuses an activation whose derivative is a
/// function of its output (identity 1 · tanh 1 − y² · sigmoid y(1 − y) · relu [y > 0] ·
/// elu [y > 0] + [y ≤ 0](y + 1) · softplus 1 − e^{−y}), keeping only y for backward; sin
/// (derivative cos z) it applies as an operation of its own after the layer.
#define NIMDE_ACTIVATIONS(X) \
  X(identity, Identity) X(tanh, Tanh) X(sigmoid, Sigmoid) X(relu, Relu) X(elu, Elu) X(softplus, Softplus) X(sin, Sin)

#define NIMDE_ACTIVATION_ENUM(name, Rule) name,
enum class Activation { NIMDE_ACTIVATIONS(NIMDE_ACTIVATION_ENUM) };
#undef NIMDE_ACTIVATION_ENUM

/// "tanh", "relu", ...
std::string_view activation_name(Activation a);
/// Inverse of activation_name; throws std::invalid_argument naming the unknown string.
Activation parse_activation(std::string_view name);

/// act(x) on one number, and on one jet: the rule of the batch kernels, for single points.
double activate(Activation a, double x);
Jet activate(Activation a, const Jet& x);  // defined in jet.cpp

}  // namespace nimde::autodiff
