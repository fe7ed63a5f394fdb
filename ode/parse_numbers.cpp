#include "ode/parse_numbers.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace nimde::ode {

double parse_double(std::string_view text, std::string_view what) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
    throw std::invalid_argument(std::string(what) + ": '" + std::string(text) + "' is not a finite number");
  return v;
}

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    std::string_view item = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    out.emplace_back(item);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::vector<double> parse_doubles(std::string_view text, std::string_view what) {
  std::vector<double> out;
  for (const std::string& item : split_list(text, ',')) out.push_back(parse_double(item, what));
  return out;
}

}  // namespace nimde::ode
