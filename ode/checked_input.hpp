// The one validation layer: every value that comes from outside the program (a command-line
// option, a key of a JSON file, a cell of a CSV file, a number in a tableau or an expression)
// is checked here against its range before it is used, and a bad one becomes one line naming
// the key, the value and what would be accepted: "steps 4294967297: must be from 1 to 100000".
// Errors of a file are prefixed with its path by `reading_file`.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nimde::ode {

/// A value that cannot be used: what() is "KEY VALUE: WHY", e.g. "steps 0: must be at least 1".
/// A front end that knows the key by another name (a flag) can re-word it from the parts.
struct SettingError : std::invalid_argument {
  SettingError(std::string key_, std::string value_, std::string why_)
      : std::invalid_argument(key_ + (value_.empty() ? "" : " " + value_) + ": " + why_),
        key(std::move(key_)), value(std::move(value_)), why(std::move(why_)) {}
  std::string key, value, why;
};

/// `value` as an error message shows it: numbers as they print, text quoted, and long text
/// cut to a window (a 100 KB expression is not echoed whole).
std::string shown(std::string_view text);
template <class V>
std::string shown(const V& value) {
  if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    return shown(std::string_view(value));
  } else {
    std::ostringstream s;
    s.precision(17);
    s << value;
    return s.str();
  }
}

/// Throws SettingError(key, value, why) unless `ok`.
template <class V>
void require(bool ok, std::string_view key, const V& value, std::string_view why) {
  if (!ok) throw SettingError(std::string(key), shown(value), std::string(why));
}

/// "must be from LO to HI" unless lo ≤ value ≤ hi.
template <class V>
void require_range(std::string_view key, const V& value, const V& lo, const V& hi) {
  require(lo <= value && value <= hi, key, value, "must be from " + shown(lo) + " to " + shown(hi));
}

// --- text --------------------------------------------------------------------------------

/// The whole of `text` as a finite double; otherwise a SettingError naming `what`.
double parse_double(std::string_view text, std::string_view what);
/// "a,b,c" → {"a", "b", "c"} (entries trimmed of spaces).
std::vector<std::string> split_list(std::string_view text, char separator);
/// "v1,v2,..." → doubles, each finite.
std::vector<double> parse_doubles(std::string_view text, std::string_view what);

// --- JSON --------------------------------------------------------------------------------

/// The deepest nesting of arrays and objects a file may have (ours need 5); deeper is refused
/// while parsing, since copying, comparing or printing a value recurses once per level.
inline constexpr std::size_t kMaxJsonDepth = 32;
/// The JSON value of `text`; nlohmann's parse_error for bad syntax, a SettingError for nesting
/// beyond kMaxJsonDepth.
nlohmann::json parse_json(std::string_view text);

/// A JSON value as an error shows it: its JSON text (a string in double quotes), cut to a
/// window when long; nested values are shown a few levels deep.
std::string shown_json(const nlohmann::json& v);
/// Throws SettingError(key, shown_json(v), why) unless `ok`.
void require_json(bool ok, std::string_view key, const nlohmann::json& v, std::string_view why);
/// j[key], or a SettingError "KEY: is missing".
const nlohmann::json& json_key(const nlohmann::json& j, std::string_view key);
/// An integer from lo to hi (a JSON float such as 1e3, a string or an overflowing integer is refused).
std::int64_t json_integer(const nlohmann::json& v, std::string_view key, std::int64_t lo, std::int64_t hi);
/// A finite number from lo to hi.
double json_number(const nlohmann::json& v, std::string_view key, double lo, double hi);
/// A string (of at most max_length characters).
std::string json_string(const nlohmann::json& v, std::string_view key, std::size_t max_length = 1 << 20);

// --- files -------------------------------------------------------------------------------

/// The whole file, refusing one larger than max_bytes; errors name the path and the system's reason.
std::string read_text_file(const std::string& path, std::size_t max_bytes = std::size_t{1} << 30);

/// An error message of a library (nlohmann's quotes the token it stopped at, which can be a
/// whole file) cut to one line of at most about 200 characters.
std::string brief_message(std::string_view message);

/// Runs read(); any error it throws is rethrown as std::invalid_argument "PATH: what".
template <class Read>
decltype(auto) reading_file(const std::string& path, Read&& read) {
  try {
    return read();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(path + ": " + brief_message(e.what()));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

}  // namespace nimde::ode
