#include "autodiff/activation.hpp"

#include <array>
#include <stdexcept>

namespace nimde::autodiff {

namespace {
constexpr std::array<std::pair<Activation, std::string_view>, 6> kNames{{{Activation::identity, "identity"},
                                                                          {Activation::tanh, "tanh"},
                                                                          {Activation::sigmoid, "sigmoid"},
                                                                          {Activation::relu, "relu"},
                                                                          {Activation::elu, "elu"},
                                                                          {Activation::softplus, "softplus"}}};
}

std::string_view activation_name(Activation a) {
  for (const auto& [act, name] : kNames)
    if (act == a) return name;
  return "?";
}

Activation parse_activation(std::string_view name) {
  for (const auto& [act, n] : kNames)
    if (n == name) return act;
  throw std::invalid_argument("unknown activation '" + std::string(name) +
                              "' (known: identity, tanh, sigmoid, relu, elu, softplus)");
}

}  // namespace nimde::autodiff
