// Settings by name: each enum of a training configuration has one table of its names, read
// by the JSON files, the command line and the error messages alike; and the error that names
// a bad setting by its configuration field (`steps`, `optimizer`, ...) and value.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "ode/checked_input.hpp"

namespace nimde::nn {

/// A setting that cannot be used (see ode/checked_input.hpp).
using ode::SettingError;

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

/// The largest values a run, a model file or an option may ask for: beyond them a typo, not a
/// plan (and an allocation or a loop that would not end). Checked wherever such a value is read.
inline constexpr int kMaxThreads = 256;                    ///< threads of one training
inline constexpr int kMaxWorkers = 65536;                  ///< runs at once of a reproduction (jobs, MPI ranks)
inline constexpr std::int64_t kMaxSteps = 100'000;         ///< unrolled steps S
inline constexpr std::int64_t kMaxPoints = 10'000'000;     ///< training or test points
inline constexpr std::int64_t kMaxWidth = 8192;            ///< hidden width
inline constexpr std::int64_t kMaxDepth = 64;              ///< hidden layers
inline constexpr std::int64_t kMaxDim = 1024;              ///< dimension of a system
inline constexpr std::int64_t kMaxIterations = 1'000'000'000;

/// The precision a network is trained in.
enum class DType { f32, f64 };
inline constexpr NameTable<DType, 2> kDTypeNames{{{DType::f32, "f32"}, {DType::f64, "f64"}}};
inline std::string_view dtype_name(DType d) { return name_of(kDTypeNames, d); }
inline DType parse_dtype(std::string_view name) { return value_of(kDTypeNames, name, "dtype"); }

}  // namespace nimde::nn
