// The tableau reader on arbitrary bytes: it throws std::invalid_argument or returns a tableau
// whose doubles are finite; its warning, consistency and order are computed without crashing.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "ode/tableau.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool allow : {false, true}) {
    try {
      const nimde::ode::Tableau t = nimde::ode::tableau_from_json(text, {allow});
      for (double v : t.A) if (!std::isfinite(v)) std::abort();
      for (double v : t.b) if (!std::isfinite(v)) std::abort();
      for (double v : t.c) if (!std::isfinite(v)) std::abort();
      (void)nimde::ode::tableau_warning(t);
      (void)t.is_explicit();
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
