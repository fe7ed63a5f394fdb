// The points reader of `imde eval --points` on arbitrary bytes: it throws
// std::invalid_argument or returns finite points, as many columns as variables.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "experiments/points_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto x = nimde::experiments::points_from_csv(text, {"p", "q"});
    if (x.shape()[1] != 2 || x.shape()[0] == 0) std::abort();
    for (double v : x) if (!std::isfinite(v)) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
