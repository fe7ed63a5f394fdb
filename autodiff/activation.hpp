// The activations the fused `linear` operation applies to x·Wᵀ + b.
#pragma once

#include <string>
#include <string_view>

namespace nimde::autodiff {

/// Each activation's derivative is a function of its output y alone, which is what lets
/// `linear` keep only y for backward:
///   identity 1 · tanh 1 − y² · sigmoid y(1 − y) · relu [y > 0] · elu (α = 1) y > 0 ? 1 : y + 1 ·
///   softplus 1 − e^{−y}
enum class Activation { identity, tanh, sigmoid, relu, elu, softplus };

/// "tanh", "relu", ...
std::string_view activation_name(Activation a);
/// Inverse of activation_name; throws std::invalid_argument naming the unknown string.
Activation parse_activation(std::string_view name);

}  // namespace nimde::autodiff
