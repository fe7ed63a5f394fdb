// Elementwise maps, deterministic reductions and broadcasting over contiguous buffers. Internal.
//
// map: out[i] = f(in1[i], in2[i], ...) (or out[i] += ...), f written once for batches. The
// tail that does not fill a batch is copied into a padded batch, so every element, tail or
// not, goes through the same instructions and gets the same bits.
//
// Reductions split their input into blocks of a fixed size, sum each block, then add the
// block sums in block order: the association order, hence the result, does not depend on
// how many threads summed the blocks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include "autodiff/detail/simd.hpp"
#include "autodiff/parallel.hpp"
#include "autodiff/tensor.hpp"

namespace nimde::autodiff::detail {

/// Elements per parallel chunk of an elementwise map (a multiple of every batch width).
inline constexpr std::size_t kMapChunk = 8192;
/// Elements per block of a full sum.
inline constexpr std::size_t kSumBlock = 4096;
/// Rows per block of a column sum.
inline constexpr std::size_t kRowBlock = 256;

/// Copies n < W elements. The guarded fixed-length loop keeps GCC from turning the copy into
/// a memcpy call, which costs more than the copy for the few elements of a tail.
template <std::size_t W, class T>
inline void copy_few(T* dst, const T* src, std::size_t n) {
#pragma GCC unroll 16
  for (std::size_t k = 0; k < W; ++k)
    if (k < n) dst[k] = src[k];
}

/// The n < W values at p as a batch, the other lanes ones: harmless for every rule (no log 0,
/// no 1/0 in the unused lanes).
template <class T>
Batch<T> load_padded(const T* p, std::size_t n) {
  using B = Batch<T>;
  alignas(kAlignment) T buf[B::size];
  B(T(1)).store_aligned(buf);
  copy_few<B::size>(buf, p, n);
  return B::load_aligned(buf);
}

/// range(lo, hi) over [0, n): one call up to kParallelThreshold, else chunks of kMapChunk in
/// parallel.
template <class F>
void over_chunks(std::size_t n, F range) {
  if (n <= kParallelThreshold) {
    range(std::size_t(0), n);
    return;
  }
  const std::ptrdiff_t chunks = static_cast<std::ptrdiff_t>((n + kMapChunk - 1) / kMapChunk);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const std::size_t lo = static_cast<std::size_t>(c) * kMapChunk;
    range(lo, std::min(n, lo + kMapChunk));
  }
}

template <bool Accumulate, class T, class F, class... In>
void map_range(T* out, std::size_t lo, std::size_t hi, F& f, const In*... in) {
  using B = Batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = lo;
  for (; i + W <= hi; i += W) {
    B r = f(B::load_unaligned(in + i)...);
    if constexpr (Accumulate) r += B::load_unaligned(out + i);
    r.store_unaligned(out + i);
  }
  if (i == hi) return;
  const std::size_t rest = hi - i;
  alignas(kAlignment) T res[W];
  f(load_padded(in + i, rest)...).store_aligned(res);
  if constexpr (Accumulate)
    for (std::size_t k = 0; k < rest; ++k) out[i + k] += res[k];
  else
    copy_few<W>(out + i, res, rest);
}

/// out[i] (+)= f(in[i]...) for i < n; parallel above kParallelThreshold.
template <bool Accumulate = false, class T, class F, class... In>
void map(T* out, std::size_t n, F f, const In*... in) {
  over_chunks(n, [&](std::size_t lo, std::size_t hi) { map_range<Accumulate>(out, lo, hi, f, in...); });
}

/// out (+)= f(in...) choosing the accumulate flavour at run time.
template <class T, class F, class... In>
void map_to(bool accumulate, T* out, std::size_t n, F f, const In*... in) {
  if (accumulate)
    map<true>(out, n, f, in...);
  else
    map<false>(out, n, f, in...);
}

/// out0[i] (+)= first(f(in[i]...)), out1[i] (+)= second(...) for i < n: one pass for a rule with
/// two results that share their inputs (each output accumulates or not as its flag says).
template <class T, class F, class... In>
void map_two_range(bool acc0, bool acc1, T* out0, T* out1, std::size_t lo, std::size_t hi, F& f, const In*... in) {
  using B = Batch<T>;
  constexpr std::size_t W = B::size;
  auto put = [](bool acc, T* out, B r) { (acc ? r + B::load_unaligned(out) : r).store_unaligned(out); };
  std::size_t i = lo;
  for (; i + W <= hi; i += W) {
    const auto [r0, r1] = f(B::load_unaligned(in + i)...);
    put(acc0, out0 + i, r0);
    put(acc1, out1 + i, r1);
  }
  if (i == hi) return;
  const std::size_t rest = hi - i;
  const auto [r0, r1] = f(load_padded(in + i, rest)...);
  alignas(kAlignment) T res[2][W];
  r0.store_aligned(res[0]);
  r1.store_aligned(res[1]);
  for (std::size_t k = 0; k < rest; ++k) {
    out0[i + k] = acc0 ? out0[i + k] + res[0][k] : res[0][k];
    out1[i + k] = acc1 ? out1[i + k] + res[1][k] : res[1][k];
  }
}

template <class T, class F, class... In>
void map_two(bool acc0, bool acc1, T* out0, T* out1, std::size_t n, F f, const In*... in) {
  over_chunks(n, [&](std::size_t lo, std::size_t hi) { map_two_range(acc0, acc1, out0, out1, lo, hi, f, in...); });
}

/// The scratch buffers of a thread, one per use. Two uses that can be live at once (a GEMM
/// over chunks of K runs blocked GEMMs into its partial products) need different slots.
enum class Scratch {
  gemm_b,        ///< GEMM: the packed panel of op(B), or op(B)'s columns for a narrow C
  gemm_a,        ///< GEMM: the packed block of op(A) (one per thread, beside gemm_b)
  gemm_partial,  ///< GEMM over a long K: one partial product per chunk, summed in chunk order
  sum_partial,   ///< blockwise reductions: the sum of each block, added in block order
  network_rows,  ///< network_gradient: one block of rows through every layer
  network_partial,  ///< network_gradient: the parameters' gradient of each chunk of rows
  count
};

/// Scratch that lives as long as the thread and keeps its capacity between calls.
template <class T>
T* scratch(std::size_t n, Scratch slot) {
  thread_local std::vector<T, AlignedAllocator<T>> buffers[static_cast<std::size_t>(Scratch::count)];
  auto& b = buffers[static_cast<std::size_t>(slot)];
  if (b.size() < n) b.resize(n);
  return b.data();
}

/// The identity on batches and scalars: a reduction's default transform.
struct Same {
  template <class V> V operator()(V v) const { return v; }
};

/// a + b on batches and scalars: map_range's rule for adding one buffer into another.
struct Plus {
  template <class V> V operator()(V a, V b) const { return a + b; }
};
inline constexpr Plus plus{};

/// Σ f(x[i]) over [lo, hi) with batch lanes, then the lanes in order.
template <class T, class F = Same>
T sum_range(const T* x, std::size_t lo, std::size_t hi, F f = {}) {
  using B = Batch<T>;
  constexpr std::size_t W = B::size;
  B acc(T(0));
  std::size_t i = lo;
  for (; i + W <= hi; i += W) acc += f(B::load_unaligned(x + i));
  alignas(kAlignment) T lanes[W];
  acc.store_aligned(lanes);
  T s = 0;
  for (std::size_t k = 0; k < W; ++k) s += lanes[k];
  for (; i < hi; ++i) s += f(x[i]);
  return s;
}

/// Σ f(x[i]), blockwise (see the top of this file).
template <class T, class F = Same>
T sum_all(const T* x, std::size_t n, F f = {}) {
  const std::size_t blocks = (n + kSumBlock - 1) / kSumBlock;
  if (blocks <= 1) return sum_range(x, 0, n, f);
  T* partial = scratch<T>(blocks, Scratch::sum_partial);
#pragma omp parallel for schedule(static) if (n > kParallelThreshold)
  for (std::ptrdiff_t b = 0; b < static_cast<std::ptrdiff_t>(blocks); ++b) {
    const std::size_t lo = static_cast<std::size_t>(b) * kSumBlock;
    partial[b] = sum_range(x, lo, std::min(n, lo + kSumBlock), f);
  }
  T s = 0;
  for (std::size_t b = 0; b < blocks; ++b) s += partial[b];
  return s;
}

/// out[j] (+)= Σ_i row(i)[j] over rows × cols, blockwise over rows: fixed blocks of kRowBlock
/// rows, each summed by one thread, the block sums added in order (any thread count, same
/// bits). row(i) returns a pointer to row i; it may compute the row first (see below).
template <class T, class Row>
void column_sums_of(std::size_t rows, std::size_t cols, T* out, bool accumulate, Row row) {
  const std::size_t blocks = std::max<std::size_t>(1, (rows + kRowBlock - 1) / kRowBlock);
  T* partial = scratch<T>(blocks * cols, Scratch::sum_partial);
  auto block_sum = [&](std::size_t b) {
    T* p = partial + b * cols;
    std::fill(p, p + cols, T(0));
    const std::size_t hi = std::min(rows, (b + 1) * kRowBlock);
    for (std::size_t i = b * kRowBlock; i < hi; ++i) map_range<false>(p, 0, cols, plus, p, row(i));
  };
#pragma omp parallel for schedule(static) if (rows * cols > kParallelThreshold)
  for (std::ptrdiff_t b = 0; b < static_cast<std::ptrdiff_t>(blocks); ++b) block_sum(static_cast<std::size_t>(b));
  for (std::size_t j = 0; j < cols; ++j) {
    T s = 0;
    for (std::size_t b = 0; b < blocks; ++b) s += partial[b * cols + j];
    out[j] = accumulate ? out[j] + s : s;
  }
}

/// Column sums of a rows × cols matrix: out[j] (+)= Σ_i x[i][j].
template <class T>
void column_sums(const T* x, std::size_t rows, std::size_t cols, T* out, bool accumulate) {
  column_sums_of(rows, cols, out, accumulate, [x, cols](std::size_t i) { return x + i * cols; });
}

/// y = f(in...) elementwise over a rows × cols matrix and sums[j] (+)= Σ_i y[i][j] in the same
/// pass over memory (a layer's dz and its bias gradient); the same bits as map + column_sums.
template <class T, class F, class... In>
void map_and_column_sums(T* y, std::size_t rows, std::size_t cols, T* sums, bool accumulate, F f, const In*... in) {
  column_sums_of(rows, cols, sums, accumulate, [&](std::size_t i) {
    map_range<false>(y, i * cols, (i + 1) * cols, f, in...);
    return static_cast<const T*>(y + i * cols);
  });
}

/// Row sums: out[i] (+)= Σ_j x[i][j]; each row is summed by one thread.
template <class T>
void row_sums(const T* x, std::size_t rows, std::size_t cols, T* out, bool accumulate) {
#pragma omp parallel for schedule(static) if (rows * cols > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(rows); ++i) {
    const T s = sum_range(x, static_cast<std::size_t>(i) * cols, static_cast<std::size_t>(i + 1) * cols);
    out[i] = accumulate ? out[i] + s : s;
  }
}


// ---- broadcasting: a 1×1, 1×n or m×1 operand repeated to a full shape, and back -------

/// dst (rows × cols) = src (src_rows × src_cols) repeated along its unit dimensions.
template <class T>
void expand(const Tensor<T>& src, T* dst, std::size_t rows, std::size_t cols) {
  const std::size_t sr = src.shape()[0], sc = src.shape()[1];
  for (std::size_t i = 0; i < rows; ++i) {
    const T* s = src.data() + (sr == 1 ? 0 : i) * sc;
    if (sc == cols)
      std::memcpy(dst + i * cols, s, cols * sizeof(T));
    else
      std::fill(dst + i * cols, dst + (i + 1) * cols, s[0]);
  }
}

/// g (shape of a broadcast operand) (+)= the rows × cols contribution `full` summed over the
/// repeated dimensions.
template <class T>
void reduce_to(const T* full, std::size_t rows, std::size_t cols, Tensor<T>& g, bool accumulate) {
  const std::size_t gr = g.shape()[0], gc = g.shape()[1];
  if (gr == 1 && gc == 1) {
    const T s = sum_all(full, rows * cols);
    g(0, 0) = accumulate ? g(0, 0) + s : s;
  } else if (gr == 1) {
    column_sums(full, rows, cols, g.data(), accumulate);
  } else {
    row_sums(full, rows, cols, g.data(), accumulate);
  }
}

template <class T>
bool same_shape(const Tensor<T>& a, const Tensor<T>& b) {
  return a.shape()[0] == b.shape()[0] && a.shape()[1] == b.shape()[1];
}

/// The output size along one dimension, or 0 if x and y do not broadcast.
inline std::size_t broadcast_dim(std::size_t x, std::size_t y) { return x == y ? x : x == 1 ? y : y == 1 ? x : 0; }

}  // namespace nimde::autodiff::detail
