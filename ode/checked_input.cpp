#include "ode/checked_input.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

namespace nimde::ode {

using nlohmann::json;

std::string shown(std::string_view text) {
  constexpr std::size_t kWindow = 60;
  if (text.size() <= kWindow) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kWindow)) + "…' (" + std::to_string(text.size()) + " characters)";
}

double parse_double(std::string_view text, std::string_view what) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  require(!text.empty() && ec == std::errc() && ptr == end && std::isfinite(v), what, text, "is not a finite number");
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

json parse_json(std::string_view text) {
  const json::parser_callback_t check_depth = [](int depth, json::parse_event_t, json&) {
    if (static_cast<std::size_t>(depth) > kMaxJsonDepth)
      throw SettingError("JSON", "", "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return true;
  };
  return json::parse(text.begin(), text.end(), check_depth);
}

namespace {

/// v as JSON text, nested values past `depth` levels as […] or {…}, stopping after ~`budget` characters.
void brief(const json& v, int depth, std::size_t budget, std::string& out) {
  if (!v.is_structured()) {
    out += v.dump();
    return;
  }
  const bool array = v.is_array();
  out += array ? '[' : '{';
  if (depth == 0 && !v.empty()) out += "…";
  else {
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (out.size() > budget) {
        out += ",…";
        break;
      }
      if (!first) out += ',';
      first = false;
      if (!array) out += json(it.key()).dump() + ":";
      brief(*it, depth - 1, budget, out);
    }
  }
  out += array ? ']' : '}';
}

}  // namespace

std::string shown_json(const json& v) {
  constexpr std::size_t kBudget = 60;
  std::string text;
  brief(v, 3, kBudget, text);
  return text.size() <= kBudget ? text : shown(text);
}

void require_json(bool ok, std::string_view key, const json& v, std::string_view why) {
  if (!ok) throw SettingError(std::string(key), shown_json(v), std::string(why));
}

const json& json_key(const json& j, std::string_view key) {
  if (!j.is_object()) throw SettingError(std::string(key), "", "is missing (not inside a JSON object)");
  const auto it = j.find(key);
  if (it == j.end()) throw SettingError(std::string(key), "", "is missing");
  return *it;
}

std::int64_t json_integer(const json& v, std::string_view key, std::int64_t lo, std::int64_t hi) {
  const std::string range = "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    require(hi >= 0 && u <= static_cast<std::uint64_t>(hi) && (lo <= 0 || u >= static_cast<std::uint64_t>(lo)), key,
            u, range);
    return static_cast<std::int64_t>(u);
  }
  require_json(v.is_number_integer(), key, v, range);
  const std::int64_t i = v.get<std::int64_t>();
  require(lo <= i && i <= hi, key, i, range);
  return i;
}

double json_number(const json& v, std::string_view key, double lo, double hi) {
  const std::string range = "must be a finite number from " + shown(lo) + " to " + shown(hi);
  require_json(v.is_number(), key, v, range);
  const double d = v.get<double>();
  require(std::isfinite(d) && lo <= d && d <= hi, key, d, range);
  return d;
}

std::string json_string(const json& v, std::string_view key, std::size_t max_length) {
  require_json(v.is_string(), key, v, "must be a string");
  const std::string& s = v.get_ref<const std::string&>();
  require(s.size() <= max_length, key, s, "is longer than " + std::to_string(max_length) + " characters");
  return s;
}

std::string brief_message(std::string_view message) {
  constexpr std::size_t kMax = 200;
  std::string out;
  for (char c : message.substr(0, kMax)) out += c == '\n' || c == '\r' ? ' ' : c;
  if (message.size() > kMax) {
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) {  // whole UTF-8 characters only
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty()) out.pop_back();
    }
    out += "… (" + std::to_string(message.size()) + " characters)";
  }
  return out;
}

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw std::invalid_argument(path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (in.bad()) throw std::invalid_argument("cannot read " + path + ": " + std::strerror(errno));
  return text;
}

}  // namespace nimde::ode
