// Settings by name: each enum of a training configuration has one table of its names, read
// by the JSON files, the command line and the error messages alike; and the error that names
// a bad setting by its configuration field (`steps`, `optimizer`, ...) and value.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace nimde::nn {

/// A setting that cannot be used: what() is "FIELD VALUE: WHY", e.g. "steps 0: must be at
/// least 1". A front end that knows the field by another name (a flag) can re-word it.
struct SettingError : std::invalid_argument {
  SettingError(std::string field_, std::string value_, std::string why_)
      : std::invalid_argument(field_ + " " + value_ + ": " + why_),
        field(std::move(field_)), value(std::move(value_)), why(std::move(why_)) {}
  std::string field, value, why;
};

/// One table per enum: every value with its name.
template <class E>
struct Named {
  E value;
  std::string_view name;
};
template <class E, std::size_t N>
using NameTable = std::array<Named<E>, N>;

/// "a, b, c": the names of a table, for help texts and errors.
template <class E, std::size_t N>
std::string names_of(const NameTable<E, N>& table) {
  std::string s;
  for (const Named<E>& n : table) s += (s.empty() ? "" : ", ") + std::string(n.name);
  return s;
}

/// The name of `value`.
template <class E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const Named<E>& n : table)
    if (n.value == value) return n.name;
  throw std::invalid_argument("a value outside its enum");
}

/// The value named `name`; otherwise a SettingError naming `field` and the known names.
template <class E, std::size_t N>
E value_of(const NameTable<E, N>& table, std::string_view name, std::string_view field) {
  for (const Named<E>& n : table)
    if (n.name == name) return n.value;
  throw SettingError(std::string(field), std::string(name), "use one of " + names_of(table));
}

/// The precision a network is trained in.
enum class DType { f32, f64 };
inline constexpr NameTable<DType, 2> kDTypeNames{{{DType::f32, "f32"}, {DType::f64, "f64"}}};
inline std::string_view dtype_name(DType d) { return name_of(kDTypeNames, d); }
inline DType parse_dtype(std::string_view name) { return value_of(kDTypeNames, name, "dtype"); }

}  // namespace nimde::nn
