// The FMA throughput the benchmarks measure percentages against: 12 independent multiply-add
// chains per thread at the kernels' vector width, fused as the kernels' multiply-adds are.
#pragma once

#include <omp.h>

#include "autodiff/detail/simd.hpp"

namespace nimde::bench {

/// Runs `iters` steps of the chains on `threads` threads; returns a sum to keep the work alive.
/// Floating-point operations done: threads · iters · 12 · batch width · 2.
template <class T>
T fma_chains(int threads, long iters) {
  using B = autodiff::detail::Batch<T>;
  T sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  {
    B acc[12];
    const B a(T(0.999999)), b(T(1e-7));
    for (int i = 0; i < 12; ++i) acc[i] = B(T(i + omp_get_thread_num()));
    for (long k = 0; k < iters; ++k)
      for (int i = 0; i < 12; ++i) acc[i] = autodiff::detail::fma(acc[i], a, b);
    B s = acc[0];
    for (int i = 1; i < 12; ++i) s += acc[i];
    sink += xsimd::hadd(s);
  }
  return sink;
}

/// The floating-point operations of fma_chains<T>(threads, iters).
template <class T>
double fma_chains_flops(int threads, long iters) {
  return double(threads) * double(iters) * 12 * double(autodiff::detail::Batch<T>::size) * 2;
}

}  // namespace nimde::bench
