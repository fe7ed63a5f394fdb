// A bare register tile over one block of rows, the reference the GEMM's block products are
// read against: no epilogue, no edge handling, no dispatch on layouts, just the loads and FMAs
// every product of that shape must do. It shows how much of the FMA peak a kernel with loads
// can reach on this machine.
#pragma once

#include <cstddef>

#include "autodiff/detail/simd.hpp"

namespace nimde::bench {

/// C (m × n, row-major) = A (m × k, row-major) · B, with B packed in slivers of two batches
/// (b[(j / 2W)·2W·k + kk·2W + j % 2W]); m a multiple of 8, n of 2W. Tiles of 8 rows × 2W
/// columns, 16 accumulators, the columns' slivers outermost so that one stays in L1.
template <class T>
void register_tile_product(std::size_t m, std::size_t k, std::size_t n, const T* a, const T* b, T* c) {
  using B = autodiff::detail::Batch<T>;
  constexpr std::size_t W = B::size, MR = 8, NR = 2 * W;
  for (std::size_t jr = 0; jr < n; jr += NR) {
    const T* sliver = b + jr * k;
    for (std::size_t ir = 0; ir < m; ir += MR) {
      B c0[MR], c1[MR];
      for (std::size_t r = 0; r < MR; ++r) c0[r] = c1[r] = B(T(0));
      const T* rows = a + ir * k;
#pragma GCC unroll 4
      for (std::size_t kk = 0; kk < k; ++kk) {
        const B b0 = B::load_aligned(sliver + kk * NR), b1 = B::load_aligned(sliver + kk * NR + W);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < MR; ++r) {
          const B ar(rows[r * k + kk]);
          c0[r] = autodiff::detail::fma(ar, b0, c0[r]);
          c1[r] = autodiff::detail::fma(ar, b1, c1[r]);
        }
      }
      for (std::size_t r = 0; r < MR; ++r) {
        c0[r].store_unaligned(c + (ir + r) * n + jr);
        c1[r].store_unaligned(c + (ir + r) * n + jr + W);
      }
    }
  }
}

}  // namespace nimde::bench
