// The message of the exception a call throws, for checking error texts.
#pragma once

#include <exception>
#include <functional>
#include <string>

namespace nimde::test {

/// what() of the exception f throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace nimde::test
