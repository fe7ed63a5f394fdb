// The catalogue of systems: each a Field with its variables, a default sampling domain, the
// invariants it conserves, and a typical starting point. How data are made from a system is
// nn/'s business (nn/dataset.hpp).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ode/field.hpp"

namespace nimde::ode {

/// A conserved quantity, evaluated at one point.
struct Invariant {
  std::string name;
  std::function<double(const std::vector<double>&)> value;
};

struct System {
  std::string name;
  std::string description;
  Field field;
  std::vector<std::pair<double, double>> domain;  ///< [lo, hi] per component
  std::vector<Invariant> invariants;
  /// y = (p, q) in canonical coordinates, f = J⁻¹∇H: ṗ = −∂H/∂q, q̇ = ∂H/∂p.
  bool canonical = false;
  /// H, when it is known in closed form (the built-in canonical systems).
  std::function<double(const std::vector<double>&)> hamiltonian{};
  std::vector<double> y0{};  ///< a typical starting point (the paper's, for its three systems)
  double t_end = 10;       ///< a horizon over which trajectories from y0 are worth looking at
  std::size_t dim() const { return field.dim(); }
};

/// A built-in system by name; throws std::invalid_argument naming it and listing the known ones.
const System& system(std::string_view name);
std::vector<std::string> system_names();

/// A system from a user expression ("p' = -10*sin(q); q' = p"), with parameters and a
/// sampling domain (may be empty when only integration is wanted); `canonical` declares its
/// variables canonical coordinates (p, q) (refused for an odd dimension).
System expression_system(const std::string& text, const std::map<std::string, double>& params = {},
                         std::vector<std::pair<double, double>> domain = {}, bool canonical = false);

}  // namespace nimde::ode
