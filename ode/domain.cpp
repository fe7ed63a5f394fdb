#include "ode/domain.hpp"

#include <limits>
#include <string>

#include "ode/checked_input.hpp"

namespace nimde::ode {

Domain parse_domain(std::string_view text, std::string_view key) {
  Domain domain;
  for (const std::string& range : split_list(text, ',')) {
    require(domain.size() < kMaxDomainDim, key, text, "has more than " + std::to_string(kMaxDomainDim) + " ranges");
    const auto colon = range.find(':');
    require(colon != std::string::npos, key, range, "is not of the form lo:hi");
    const std::string k(key);
    const double lo = parse_double(range.substr(0, colon), k), hi = parse_double(range.substr(colon + 1), k);
    require(lo < hi, key, range, "lo must be below hi");
    domain.emplace_back(lo, hi);
  }
  return domain;
}

Domain domain_from_json(const nlohmann::json& j, std::string_view key) {
  require_json(j.is_array(), key, j, "must be an array of [lo, hi] pairs");
  require(j.size() <= kMaxDomainDim, key, j.size(), "has more ranges than " + std::to_string(kMaxDomainDim));
  Domain domain;
  for (std::size_t k = 0; k < j.size(); ++k) {
    const std::string entry = std::string(key) + "[" + std::to_string(k) + "]";
    require_json(j[k].is_array() && j[k].size() == 2, entry, j[k], "must be a pair [lo, hi]");
    constexpr double kMax = std::numeric_limits<double>::max();
    const double lo = json_number(j[k][0], entry, -kMax, kMax), hi = json_number(j[k][1], entry, -kMax, kMax);
    require_json(lo < hi, entry, j[k], "lo must be below hi");
    domain.emplace_back(lo, hi);
  }
  return domain;
}

}  // namespace nimde::ode
