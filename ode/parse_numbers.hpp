// Strict parsing of numbers and lists given on the command line or in files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nimde::ode {

/// The whole of `text` as a finite double; otherwise std::invalid_argument naming `what` and the text.
double parse_double(std::string_view text, std::string_view what);
/// "a,b,c" → {"a", "b", "c"} (entries trimmed of spaces).
std::vector<std::string> split_list(std::string_view text, char separator);
/// "v1,v2,..." → doubles, each finite.
std::vector<double> parse_doubles(std::string_view text, std::string_view what);

}  // namespace nimde::ode
