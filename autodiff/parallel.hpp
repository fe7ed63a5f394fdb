// Thread control for the engine's OpenMP kernels.
//
// Every kernel splits its work into chunks whose size is a constant of the kernel, never a
// function of the thread count, and reduces partial results in chunk order. That is why a
// result is bitwise the same for 1 and for 2 threads.
//
// The thread count is a setting of the calling thread (OpenMP's nthreads-var): it governs the
// parallel regions that thread starts, so two computations on two std::threads can each use
// their own count. A new std::thread starts from the process default (all cores, or
// OMP_NUM_THREADS).
#pragma once

#include <cstddef>

namespace nimde::autodiff {

/// Sets the number of OpenMP threads the kernels started from the calling thread use (k >= 1).
void set_num_threads(int k);
/// The number of OpenMP threads the kernels started from the calling thread use.
int num_threads();

/// Sets the calling thread's OpenMP thread count for its lifetime and restores the previous
/// count when it ends (also by an exception). 0 leaves the count as it is.
///
///   { autodiff::ThreadScope scope(2); ... }   // kernels started here use 2 threads
class ThreadScope {
 public:
  explicit ThreadScope(int threads);
  ~ThreadScope();
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int saved_;
};

/// Work (in elements) below which a kernel stays on the calling thread: a parallel region
/// costs a few microseconds, about what 30,000 simple element operations cost.
inline constexpr std::size_t kParallelThreshold = 32768;

}  // namespace nimde::autodiff
