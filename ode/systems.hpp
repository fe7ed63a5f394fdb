// The catalogue of systems: each a Field with its variables, a default sampling domain, the
// invariants it conserves, and (for the paper's three) the data setup of paper-setup.md.
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

/// How the paper makes data for a system: targets φ_T(x) by `reference` with `substeps`.
struct DataSetup {
  double T = 0.04;                   ///< data step
  std::string reference = "rk4";     ///< accurate method for the targets
  int substeps = 10;                 ///< reference steps per T
  std::size_t train_points = 10000, test_points = 2000;
  bool trajectory = false;           ///< pairs along one trajectory from y0 instead of uniform points
  std::vector<double> y0;            ///< start of the trajectory and of the paper's figures
  double t_end = 10;                 ///< horizon of the paper's trajectory figures
};

struct System {
  std::string name;
  std::string description;
  Field field;
  std::vector<std::pair<double, double>> domain;  ///< [lo, hi] per component
  std::vector<Invariant> invariants;
  DataSetup data;
  std::size_t dim() const { return field.dim(); }
};

/// A built-in system by name; throws std::invalid_argument naming it and listing the known ones.
const System& system(std::string_view name);
std::vector<std::string> system_names();

/// A system from a user expression ("p' = -10*sin(q); q' = p"), with parameters and a
/// sampling domain (may be empty when only integration is wanted).
System expression_system(const std::string& text, const std::map<std::string, double>& params = {},
                         std::vector<std::pair<double, double>> domain = {});

/// Parses "lo1:hi1,lo2:hi2,..." into a domain; errors name the bad entry.
std::vector<std::pair<double, double>> parse_domain(std::string_view text);

}  // namespace nimde::ode
