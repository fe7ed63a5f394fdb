// Data sets for learning a flow: pairs (x, φ_T(x)) with φ_T the exact flow of a system over
// the data step T, computed by the system's accurate reference method (paper-setup.md).
//
// Points are drawn uniformly from the system's domain, or (for a system whose data setup
// says so: the scaled Lorenz system) taken as consecutive states x_{i+1} = φ_T(x_i) of one
// trajectory from y0. Random numbers come from std::mt19937_64 and are turned into uniform
// and Gaussian numbers here, so a seed gives the same data with every standard library.
//
// Files: CSV (a "# T=…" line, a header x_<name>…,y_<name>…, 17 significant digits) or
// binary, little-endian:
//   "NIMDEDS1" | u64 rows n | u64 dim d | f64 T | d × (u64 length, name bytes)
//   | n·d f64 x (row-major) | n·d f64 y | u64 FNV-1a-64 of every byte after the magic
// Both are written to a temporary name and renamed. Loading checks dimensions and the
// checksum and refuses NaN or ±∞, naming the file, the row and the column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"
#include "ode/systems.hpp"

namespace nimde::nn {

using autodiff::Tensor;

/// How the paper makes data for a system (paper-setup.md): targets φ_T(x) by `reference` with
/// `substeps` steps per T, uniform points or one trajectory.
struct DataSetup {
  double T = 0.04;                    ///< data step
  std::string reference = "rk4";      ///< accurate method for the targets
  int substeps = 10;                  ///< reference steps per T
  std::size_t train_points = 10000, test_points = 2000;
  bool trajectory = false;            ///< pairs along one trajectory from the system's y0
};

/// The paper's setup for its three systems (pendulum: sv6 targets; scaled Lorenz: 250 pairs of
/// one trajectory, 100 rk4 substeps); these defaults for every other system.
DataSetup data_setup(const ode::System& system);

/// Pairs (x_i, y_i = φ_T(x_i)), one per row.
struct Dataset {
  Tensor<double> x, y;             ///< n × d each
  double T = 0;                    ///< data step
  std::vector<std::string> names;  ///< component names
  std::size_t size() const { return x.shape()[0]; }
  std::size_t dim() const { return x.shape()[1]; }
};

/// Gaussian noise added to the targets (never to the inputs), from its own seed.
struct Noise {
  double std = 0;
  std::uint64_t seed = 0;
};

/// `points` pairs over step T: uniform in the domain from `seed`, or along one trajectory
/// from the system's y0 (then `seed` is not used), as data_setup(system) says. Targets by
/// its reference method with its substeps per T.
Dataset make_dataset(const ode::System& system, std::size_t points, double T, std::uint64_t seed, Noise noise = {});

/// The exact flow over T of every row of x, by the system's reference method.
Tensor<double> reference_flow(const ode::System& system, const Tensor<double>& x, double T);

struct DataSplit {
  Dataset train, test;
};

/// Train and test sets as the paper makes them: two independent uniform draws, with seeds
/// derived from `seed` (stream 0 for train, 1 for test, 2 for the noise on the train
/// targets; the test targets are exact). For trajectory data test = train and
/// `test_points` is not used.
DataSplit make_split(const ode::System& system, std::size_t train_points, std::size_t test_points, double T,
                     std::uint64_t seed, double noise_std = 0);

/// A seed for stream `stream` of a run seeded with `seed` (SplitMix64 of both).
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

enum class DataFormat { from_extension, csv, binary };

/// Writes CSV, or binary (from_extension: CSV for a path ending in ".csv", binary otherwise).
void save_dataset(const Dataset& data, const std::string& path, DataFormat format = DataFormat::from_extension);
/// Reads either format (the binary one is known by its magic); errors start with the path.
Dataset load_dataset(const std::string& path);

}  // namespace nimde::nn
