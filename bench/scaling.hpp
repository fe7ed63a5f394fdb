// The scaling family of nimde-bench: one Adam iteration of pendulum euler f32 on the network
// 2 → w → w → 2 (tanh) at any number of points N, width w, unrolled steps S, backprop mode and
// thread count. Google Benchmark registers its benchmarks at start-up, before any command-line
// flag is read, so these sizes arrive through the environment instead:
//   NIMDE_BENCH_SCALING=scaling/N<n>/W<w>/S<s>/<taped|recompute>/omp<t>[,...]
// registers exactly the benchmarks it names (bench/compare_torch.py --scaling runs one per
// process). Without the variable the family is empty.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nn/mlp.hpp"
#include "nn/objective.hpp"

namespace nimde::bench {

/// The environment variable naming the scaling benchmarks to register.
inline constexpr const char* kScalingVariable = "NIMDE_BENCH_SCALING";

/// One case of the family.
struct ScalingCase {
  std::size_t points = 0, width = 0;
  int steps = 0;
  nn::Backprop backprop = nn::Backprop::taped;
  int threads = 1;
  /// scaling/N<n>/W<w>/S<s>/<backprop>/omp<t>
  std::string name() const;
};

/// The case a benchmark name spells; throws std::invalid_argument naming the name and the part
/// that is wrong (sizes must be positive and within nn's limits: kMaxPoints, kMaxWidth, ...).
ScalingCase parse_scaling_name(std::string_view name);

/// The cases of a comma-separated list of names (the variable's value); empty items are refused.
std::vector<ScalingCase> parse_scaling_list(std::string_view list);

/// FLOPs of one field evaluation d → w → w → out forward + backward at n points: three GEMMs
/// per dense layer (the input layer's data gradient counted too, as a round figure). A
/// Hamiltonian network (out = 1) evaluates its field as a forward and a recorded backward pass
/// of the same GEMMs, and training differentiates both: twice that count.
double field_flops(std::size_t n, std::size_t d, std::size_t width, nn::ModelKind kind = nn::ModelKind::node);

}  // namespace nimde::bench
