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

/// Subnormal numbers read and computed as zero (x86's DAZ and FTZ modes) on the calling thread
/// and on the OpenMP threads its kernels use (as many as its thread count when the guard
/// starts, and any it starts later), for the guard's lifetime; the previous mode comes
/// back when it ends. Training holds one. Backpropagating through an implicit method's
/// fixed-point iterations multiplies a gradient by a small factor per iteration, so its early
/// iterations' contributions decay below the smallest normal number (2⁻¹²⁶ in float); Intel
/// cores take a microcode assist of about a hundred cycles for each operation on such a number,
/// and the float Hamiltonian network's implicit-midpoint iteration ran 19× slower than with the
/// flush (2.6 s against 0.14). A number that small becomes 0; nothing else changes. Threads a
/// thread starts inherit its mode, so every thread of a computation flushes alike, whatever their
/// count. Without such modes (not x86) the guard does nothing.
class FlushSubnormals {
 public:
  FlushSubnormals();
  ~FlushSubnormals();
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
  unsigned saved_;
};

/// Work (in elements) below which a kernel stays on the calling thread: a parallel region
/// costs a few microseconds, about what 30,000 simple element operations cost.
inline constexpr std::size_t kParallelThreshold = 32768;

}  // namespace nimde::autodiff
