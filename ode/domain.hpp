// Sampling boxes of a system, as text ("lo1:hi1,lo2:hi2", the command line's and old run
// files' form) and as JSON ([[lo1, hi1], [lo2, hi2]]), read with the same checks.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nimde::ode {

/// [lo, hi] per component.
using Domain = std::vector<std::pair<double, double>>;

/// The most components a box may have (as nn::kMaxDim).
inline constexpr std::size_t kMaxDomainDim = 1024;

/// "lo1:hi1,lo2:hi2,..." → the box; each bound finite and lo < hi. Errors are SettingErrors
/// naming `key` and the entry ("--domain '1:0': lo must be below hi").
Domain parse_domain(std::string_view text, std::string_view key);

/// [[lo1, hi1], ...] → the box, checked as parse_domain does.
Domain domain_from_json(const nlohmann::json& j, std::string_view key);

}  // namespace nimde::ode
