#include "autodiff/activation.hpp"

#include <stdexcept>

#include "autodiff/detail/rules.hpp"

namespace nimde::autodiff {

namespace {
struct Entry {
  Activation act;
  std::string_view name;
};
#define NIMDE_ACTIVATION_ENTRY(name, Rule) {Activation::name, #name},
constexpr Entry kActivations[] = {NIMDE_ACTIVATIONS(NIMDE_ACTIVATION_ENTRY)};
#undef NIMDE_ACTIVATION_ENTRY
}  // namespace

std::string_view activation_name(Activation a) {
  for (const auto& [act, name] : kActivations)
    if (act == a) return name;
  return "?";
}

Activation parse_activation(std::string_view name) {
  std::string known;
  for (const auto& [act, n] : kActivations) {
    if (n == name) return act;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  throw std::invalid_argument("unknown activation '" + std::string(name) + "' (known: " + known + ")");
}

double activate(Activation a, double x) { return detail::activate(a, x); }

}  // namespace nimde::autodiff
