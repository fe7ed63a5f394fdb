#include "nn/dataset.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <stdexcept>

#include "autodiff/array.hpp"
#include "nn/model_file.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"
#include "ode/method.hpp"

namespace nimde::nn {

namespace {

constexpr char kMagic[] = "NIMDEDS1";
constexpr std::size_t kMagicSize = 8;

// ---- random numbers from raw bits ---------------------------------------------------------
/// Uniform in [0, 1): the top 53 bits of a 64-bit draw, times 2⁻⁵³.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// Standard normal numbers by Box–Muller, two per pair of uniforms:
///   u₁ ∈ (0, 1], u₂ ∈ [0, 1),  r = √(−2 ln u₁),  z₀ = r cos 2πu₂,  z₁ = r sin 2πu₂.
void fill_normal(std::mt19937_64& rng, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 2) {
    const double u1 = static_cast<double>((rng() >> 11) + 1) * 0x1.0p-53;
    const double u2 = uniform01(rng);
    const double r = std::sqrt(-2 * std::log(u1)), a = 2 * std::numbers::pi * u2;
    out[i] = r * std::cos(a);
    if (i + 1 < n) out[i + 1] = r * std::sin(a);
  }
}

void add_noise(Tensor<double>& y, Noise noise) {
  if (noise.std == 0) return;
  if (!(noise.std > 0) || !std::isfinite(noise.std))
    throw std::invalid_argument("noise standard deviation " + std::to_string(noise.std) + " is not positive");
  std::mt19937_64 rng(noise.seed);
  Tensor<double> z(y.shape());
  fill_normal(rng, z.data(), z.size());
  for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] += noise.std * z.data()[i];
}

void check_step(double T) {
  if (!(T > 0) || !std::isfinite(T)) throw std::invalid_argument("data step T = " + std::to_string(T) + " is not positive");
}

// ---- bytes ----------------------------------------------------------------------------------
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_f64(std::string& out, double v) { put_u64(out, std::bit_cast<std::uint64_t>(v)); }
std::uint64_t get_u64(const std::string& in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}
double get_f64(const std::string& in, std::size_t at) { return std::bit_cast<double>(get_u64(in, at)); }

/// FNV-1a, 64 bits: h ← (h ⊕ byte)·1099511628211 from h = 14695981039346656037.
std::uint64_t fnv1a64(const char* data, std::size_t n) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

/// The largest data set file read: kMaxPoints pairs of dimension 8 in binary, fewer in CSV.
constexpr std::size_t kMaxDatasetBytes = std::size_t{2} << 30;

// ---- validation -----------------------------------------------------------------------------
std::string column_name(const Dataset& d, std::size_t column) {
  const std::size_t k = column % d.dim();
  return (column < d.dim() ? "x_" : "y_") + d.names[k];
}

/// Every value finite; the error names the row (from 1) and the column.
void check_finite(const Dataset& d, const std::string& path) {
  for (std::size_t i = 0; i < d.size(); ++i)
    for (std::size_t c = 0; c < 2 * d.dim(); ++c) {
      const double v = c < d.dim() ? d.x(i, c) : d.y(i, c - d.dim());
      if (!std::isfinite(v))
        throw std::invalid_argument(path + ": row " + std::to_string(i + 1) + ", column " + column_name(d, c) + ": value " +
                                    (std::isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf") + " is not finite");
    }
}

void check_shape(const Dataset& d, const std::string& what) {
  if (d.x.shape() != d.y.shape())
    throw std::invalid_argument(what + ": inputs " + autodiff::shape_string(d.x) + " and targets " +
                                autodiff::shape_string(d.y) + " differ in shape");
  if (d.names.size() != d.dim())
    throw std::invalid_argument(what + ": " + std::to_string(d.names.size()) + " names for dimension " +
                                std::to_string(d.dim()));
}

// ---- CSV ------------------------------------------------------------------------------------
std::string number(double v) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
  return std::string(buf, r.ptr);
}

std::string to_csv(const Dataset& d) {
  std::string out = "# T=" + number(d.T) + "\n";
  for (std::size_t c = 0; c < 2 * d.dim(); ++c) out += (c ? "," : "") + column_name(d, c);
  out += "\n";
  for (std::size_t i = 0; i < d.size(); ++i) {
    for (std::size_t c = 0; c < 2 * d.dim(); ++c) {
      if (c) out += ',';
      out += number(c < d.dim() ? d.x(i, c) : d.y(i, c - d.dim()));
    }
    out += '\n';
  }
  return out;
}

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string f = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t a = f.find_first_not_of(" \t"), b = f.find_last_not_of(" \t");
    fields.push_back(a == std::string::npos ? "" : f.substr(a, b - a + 1));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

/// A number as written: the whole field must parse (nan and inf parse, and are refused later).
bool parse_number(const std::string& s, double& v) {
  const char* first = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  const auto r = std::from_chars(first, s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

Dataset from_csv(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::string line;
  std::size_t line_no = 0;
  auto next = [&]() {
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) return true;
    }
    return false;
  };
  auto fail = [&](const std::string& why) -> void {
    throw std::invalid_argument(path + ": line " + std::to_string(line_no) + ": " + why);
  };
  Dataset d;
  if (!next() || line.rfind("# T=", 0) != 0) fail("expected the data step as '# T=<value>'");
  if (!parse_number(line.substr(4), d.T) || !(d.T > 0) || !std::isfinite(d.T))
    fail("data step '" + line.substr(4) + "' is not a positive number");
  if (!next()) fail("expected a header x_<name>,...,y_<name>,...");
  const std::vector<std::string> header = split_line(line);
  const std::size_t dim = header.size() / 2;
  if (dim > std::size_t(kMaxDim)) fail("header has " + std::to_string(header.size()) + " columns, at most 2·" + std::to_string(kMaxDim));
  if (header.size() % 2 != 0 || dim == 0) fail("header has " + std::to_string(header.size()) + " columns, expected 2·dim");
  for (std::size_t k = 0; k < dim; ++k) {
    const std::string& a = header[k];
    const std::string& b = header[dim + k];
    if (a.rfind("x_", 0) != 0 || a.size() < 3) fail("header column " + std::to_string(k + 1) + " '" + a + "' is not x_<name>");
    if (b != "y_" + a.substr(2)) fail("header column " + std::to_string(dim + k + 1) + " '" + b + "' is not y_" + a.substr(2));
    d.names.push_back(a.substr(2));
  }
  std::vector<double> values;
  std::size_t rows = 0;
  while (next()) {
    if (rows == std::size_t(kMaxPoints)) fail("more than " + std::to_string(kMaxPoints) + " rows");
    const std::vector<std::string> fields = split_line(line);
    if (fields.size() != 2 * dim)
      fail("row " + std::to_string(rows + 1) + " has " + std::to_string(fields.size()) + " columns, expected " +
           std::to_string(2 * dim));
    for (std::size_t c = 0; c < fields.size(); ++c) {
      double v = 0;
      if (!parse_number(fields[c], v))
        fail("row " + std::to_string(rows + 1) + ", column " + header[c] + ": '" + fields[c] + "' is not a number");
      values.push_back(v);
    }
    ++rows;
  }
  if (rows == 0) throw std::invalid_argument(path + ": the data set has no rows");
  d.x = autodiff::zeros<double>(rows, dim);
  d.y = autodiff::zeros<double>(rows, dim);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < dim; ++k) {
      d.x(i, k) = values[i * 2 * dim + k];
      d.y(i, k) = values[i * 2 * dim + dim + k];
    }
  return d;
}

// ---- binary ---------------------------------------------------------------------------------
std::string to_binary(const Dataset& d) {
  std::string out(kMagic, kMagicSize);
  put_u64(out, d.size());
  put_u64(out, d.dim());
  put_f64(out, d.T);
  for (const std::string& name : d.names) {
    put_u64(out, name.size());
    out += name;
  }
  for (double v : d.x) put_f64(out, v);
  for (double v : d.y) put_f64(out, v);
  put_u64(out, fnv1a64(out.data() + kMagicSize, out.size() - kMagicSize));
  return out;
}

Dataset from_binary(const std::string& in, const std::string& path) {
  auto fail = [&](const std::string& why) -> void { throw std::invalid_argument(path + ": " + why); };
  const std::size_t size = in.size();
  std::size_t at = kMagicSize;
  auto need = [&](std::size_t bytes, const char* what) {
    if (bytes > size || at > size - bytes) fail(std::string("file ends inside the ") + what + " (truncated?)");
  };
  need(24, "header");
  const std::uint64_t rows = get_u64(in, at), dim = get_u64(in, at + 8);
  Dataset d;
  d.T = get_f64(in, at + 16);
  at += 24;
  if (dim == 0 || dim > std::uint64_t(kMaxDim))
    fail("dimension " + std::to_string(dim) + " is out of range 1.." + std::to_string(kMaxDim) + " (corrupt header?)");
  if (rows > std::uint64_t(kMaxPoints))
    fail("row count " + std::to_string(rows) + " is out of range 1.." + std::to_string(kMaxPoints) + " (corrupt header?)");
  for (std::uint64_t k = 0; k < dim; ++k) {
    need(8, "component names");
    const std::uint64_t length = get_u64(in, at);
    at += 8;
    if (length > 256) fail("component name length " + std::to_string(length) + " is out of range (corrupt header?)");
    need(length, "component names");
    d.names.push_back(in.substr(at, length));
    at += length;
  }
  // n·d·16 bytes of values and 8 of checksum must be exactly what is left.
  const std::size_t left = size - at;
  if (rows > left / 16 / dim || rows * dim * 16 + 8 != left)
    fail("header says " + std::to_string(rows) + " rows of dimension " + std::to_string(dim) + " (" +
         std::to_string(rows * dim * 16 + 8) + " bytes of values and checksum), the file has " + std::to_string(left));
  const std::uint64_t stored = get_u64(in, size - 8), computed = fnv1a64(in.data() + kMagicSize, size - 8 - kMagicSize);
  if (stored != computed) fail("checksum mismatch: the file is corrupt");
  if (rows == 0) fail("the data set has no rows");
  if (!(d.T > 0) || !std::isfinite(d.T)) fail("data step T is not a positive number");
  d.x = autodiff::zeros<double>(rows, dim);
  d.y = autodiff::zeros<double>(rows, dim);
  for (double& v : d.x) {
    v = get_f64(in, at);
    at += 8;
  }
  for (double& v : d.y) {
    v = get_f64(in, at);
    at += 8;
  }
  return d;
}

}  // namespace

// ---- making data ----------------------------------------------------------------------------
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  // SplitMix64 (Steele, Lea & Flood) of seed + (stream + 1)·γ, γ = 2⁶⁴/φ.
  std::uint64_t z = seed + (stream + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

DataSetup data_setup(const ode::System& system) {
  if (system.name == "pendulum") return DataSetup{0.04, "sv6", 10, 10000, 2000, false};
  if (system.name == "cubic-oscillator") return DataSetup{0.02, "rk4", 10, 10000, 2000, false};
  if (system.name == "lorenz") return DataSetup{0.04, "rk4", 100, 250, 250, true};
  return DataSetup{};
}

Tensor<double> reference_flow(const ode::System& system, const Tensor<double>& x, double T) {
  check_step(T);
  if (x.shape()[1] != system.dim())
    throw std::invalid_argument("reference flow of " + system.name + ": points of dimension " +
                                std::to_string(x.shape()[1]) + ", expected " + std::to_string(system.dim()));
  const DataSetup setup = data_setup(system);
  const ode::Method method = ode::method(setup.reference);
  const int substeps = setup.substeps;
  if (substeps < 1) throw std::invalid_argument("system " + system.name + ": reference substeps must be at least 1");
  autodiff::Array<double> y(x);
  return ode::integrate(method, system.field, y, T / substeps, substeps).value();
}

Dataset make_dataset(const ode::System& system, std::size_t points, double T, std::uint64_t seed, Noise noise) {
  check_step(T);
  if (points == 0) throw std::invalid_argument("a data set needs at least one point");
  const std::size_t d = system.dim();
  Dataset data;
  data.T = T;
  data.names = system.field.names();
  if (data_setup(system).trajectory) {
    // x₀ = y0, x_{i+1} = φ_T(x_i); the pairs are (x_i, x_{i+1}).
    if (system.y0.size() != d)
      throw std::invalid_argument("system " + system.name + " has no starting point y0 of dimension " + std::to_string(d));
    Tensor<double> path = autodiff::zeros<double>(points + 1, d);
    Tensor<double> state = autodiff::zeros<double>(1, d);
    std::copy(system.y0.begin(), system.y0.end(), state.begin());
    for (std::size_t i = 0;; ++i) {
      std::copy(state.begin(), state.end(), path.begin() + static_cast<std::ptrdiff_t>(i * d));
      if (i == points) break;
      state = reference_flow(system, state, T);
    }
    data.x = autodiff::zeros<double>(points, d);
    data.y = autodiff::zeros<double>(points, d);
    std::copy(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(points * d), data.x.begin());
    std::copy(path.begin() + static_cast<std::ptrdiff_t>(d), path.end(), data.y.begin());
  } else {
    // x_ik = lo_k + (hi_k − lo_k)·u, the u drawn row by row.
    if (system.domain.size() != d)
      throw std::invalid_argument("system " + system.name + " has no sampling domain (give one, e.g. \"-1:1,-1:1\")");
    std::mt19937_64 rng(seed);
    data.x = autodiff::zeros<double>(points, d);
    for (std::size_t i = 0; i < points; ++i)
      for (std::size_t k = 0; k < d; ++k) {
        const auto [lo, hi] = system.domain[k];
        data.x(i, k) = lo + (hi - lo) * uniform01(rng);
      }
    data.y = reference_flow(system, data.x, T);
  }
  add_noise(data.y, noise);
  return data;
}

DataSplit make_split(const ode::System& system, std::size_t train_points, std::size_t test_points, double T,
                     std::uint64_t seed, double noise_std) {
  DataSplit split;
  split.train = make_dataset(system, train_points, T, derive_seed(seed, 0), Noise{noise_std, derive_seed(seed, 2)});
  if (data_setup(system).trajectory) split.test = split.train;
  else split.test = make_dataset(system, test_points, T, derive_seed(seed, 1));
  return split;
}

// ---- files ----------------------------------------------------------------------------------
void save_dataset(const Dataset& data, const std::string& path, DataFormat format) {
  check_shape(data, path);
  if (format == DataFormat::from_extension)
    format = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0 ? DataFormat::csv : DataFormat::binary;
  if (format == DataFormat::csv)
    for (const std::string& name : data.names)
      if (name.empty() || name.find_first_of(",\n\r") != std::string::npos)
        throw std::invalid_argument(path + ": component name '" + name + "' cannot be written as a CSV header");
  write_file_atomically(path, format == DataFormat::csv ? to_csv(data) : to_binary(data));
}

Dataset load_dataset(const std::string& path) {
  const std::string bytes = ode::read_text_file(path, kMaxDatasetBytes);
  const bool binary = bytes.size() >= kMagicSize && bytes.compare(0, kMagicSize, kMagic) == 0;
  Dataset d = binary ? from_binary(bytes, path) : from_csv(bytes, path);
  check_finite(d, path);
  return d;
}

}  // namespace nimde::nn
