// The expression parser on arbitrary text: it either throws std::invalid_argument or returns a
// field that evaluates (on doubles) without crashing.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "ode/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto field = nimde::ode::ExpressionField::parse(text, {{"a", 0.5}, {"b", -2}});
    std::vector<double> y(field.dim());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = 0.25 + double(i);
    (void)field(y);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
