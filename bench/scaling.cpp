#include "bench/scaling.hpp"

#include <charconv>
#include <stdexcept>

#include "nn/settings.hpp"

namespace nimde::bench {

namespace {

[[noreturn]] void refuse(std::string_view name, const std::string& why) {
  throw std::invalid_argument("bad scaling benchmark '" + std::string(name) + "': " + why +
                              " (expected scaling/N<points>/W<width>/S<steps>/<taped|recompute>/omp<threads>)");
}

/// The positive integer after `prefix` in `part`, at most `max`.
std::int64_t number(std::string_view name, std::string_view part, std::string_view prefix, std::int64_t max,
                    std::string_view what) {
  if (part.substr(0, prefix.size()) != prefix) refuse(name, "'" + std::string(part) + "' should start with " + std::string(prefix));
  const std::string_view digits = part.substr(prefix.size());
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || value < 1 || value > max)
    refuse(name, std::string(what) + " '" + std::string(digits) + "' is not an integer in 1.." + std::to_string(max));
  return value;
}

}  // namespace

std::string ScalingCase::name() const {
  return "scaling/N" + std::to_string(points) + "/W" + std::to_string(width) + "/S" + std::to_string(steps) + "/" +
         std::string(nn::name_of(nn::kBackpropNames, backprop)) + "/omp" + std::to_string(threads);
}

ScalingCase parse_scaling_name(std::string_view name) {
  std::vector<std::string_view> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t slash = name.find('/', begin);
    parts.push_back(name.substr(begin, slash == std::string_view::npos ? std::string_view::npos : slash - begin));
    if (slash == std::string_view::npos) break;
    begin = slash + 1;
  }
  if (parts.size() != 6 || parts[0] != "scaling") refuse(name, "not six parts starting with scaling/");
  ScalingCase c;
  c.points = std::size_t(number(name, parts[1], "N", nn::kMaxPoints, "points"));
  c.width = std::size_t(number(name, parts[2], "W", nn::kMaxWidth, "width"));
  c.steps = int(number(name, parts[3], "S", nn::kMaxSteps, "steps"));
  bool known = false;
  for (const auto& named : nn::kBackpropNames)
    if (named.name == parts[4]) c.backprop = named.value, known = true;
  if (!known) refuse(name, "backprop '" + std::string(parts[4]) + "' is not one of " + nn::names_of(nn::kBackpropNames));
  c.threads = int(number(name, parts[5], "omp", nn::kMaxThreads, "threads"));
  return c;
}

std::vector<ScalingCase> parse_scaling_list(std::string_view list) {
  std::vector<ScalingCase> cases;
  for (std::size_t begin = 0;;) {
    const std::size_t comma = list.find(',', begin);
    const std::string_view item = list.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin);
    if (item.empty()) throw std::invalid_argument("empty item in " + std::string(kScalingVariable) + "='" + std::string(list) + "'");
    cases.push_back(parse_scaling_name(item));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return cases;
}

double field_flops(std::size_t n, std::size_t d, std::size_t width, nn::ModelKind kind) {
  const std::size_t out = kind == nn::ModelKind::hnn ? 1 : d;
  const double fwd = 2.0 * double(n) * double(d * width + width * width + width * out);
  return (kind == nn::ModelKind::hnn ? 6 : 3) * fwd;
}

}  // namespace nimde::bench
