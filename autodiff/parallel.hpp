// Thread control for the engine's OpenMP kernels.
//
// Every kernel splits its work into chunks whose size is a constant of the kernel, never a
// function of the thread count, and reduces partial results in chunk order. That is why a
// result is bitwise the same for 1 and for 2 threads.
#pragma once

#include <cstddef>

namespace nimde::autodiff {

/// Set the number of OpenMP threads the kernels use (k >= 1).
void set_num_threads(int k);
/// The number of OpenMP threads the kernels use.
int num_threads();

/// Work (in elements) below which a kernel stays on the calling thread: a parallel region
/// costs a few microseconds, about what 30,000 simple element operations cost.
inline constexpr std::size_t kParallelThreshold = 32768;

}  // namespace nimde::autodiff
