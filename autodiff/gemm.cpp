// GEMM in the BLIS shape: five loops around a register-blocked micro-kernel.
//
//   for jc in [0, N) step NC            B panel: KC × NC, packed once, shared by all threads
//     for pc in [0, K) step KC
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide slivers
//       for ic in [0, M) step MC        (parallel: each thread packs its own A block)
//         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall slivers
//         for jr in [0, NC) step NR
//           for ir in [0, MC) step MR
//             micro-kernel: MR × NR tile += A sliver · B sliver, kc rank-1 updates in registers
//
// Block sizes: MR × NR = 6 × 2W (W = batch width: 6×16 fp32 on AVX2) fills 12 of AVX2's 16
// vector registers with accumulators, 8 × 2W (8×32 fp32) 16 of AVX-512's 32; an A sliver
// (MR·KC) and a B sliver (KC·NR) stay in L1, the A block (MC·KC) in L2, the B panel in L2/L3.
// Packing also absorbs transposes, so one kernel serves all four op(A)·op(B) combinations.
// Edge tiles are computed in full on zero-padded slivers.
//
// Four shortcuts: A is read in place, row-major or transposed (MR values a step apart either
// way; only a last partial sliver is packed); an output of at most four columns (the network's
// last layer) is computed as dot products (gemm_small_n); and so is an output of at most 16
// rows against a transposed B (a layer on one point's jets, gemm_small_m), which would
// otherwise spend its time packing B; a weight gradient Aᵀ·B with a side of at most four (the
// first and the last layer's) is a sum of outer products of rows (gemm_outer).
//
// Every output tile is computed by one thread with the same order of k, so results do not
// depend on the thread count. When K is long and M·N small (the weight gradient Xᵀ·dY over
// 10,000 rows), there are too few tiles to share; then K is cut into chunks of a fixed length
// kSplitK, the chunks' partial products are computed in parallel and added in chunk order.
#include "autodiff/gemm.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include <omp.h>

#include "autodiff/detail/map.hpp"
#include "autodiff/detail/rules.hpp"

namespace nimde::autodiff {
namespace {

using detail::Batch;

template <class T>
struct Blocking {
  static constexpr std::size_t W = Batch<T>::size;
  // AVX-512 (64-byte batches) has 32 vector registers: an 8-row tile holds 16 accumulators, and
  // a tile of a transposed A reads 32 bytes of one cache line per k, where 6 rows straddle two
  // lines in a third of the tiles (the weight gradients Xᵀ·Y read A so). AVX2 has 16 registers.
  static constexpr std::size_t MR = W * sizeof(T) == 64 ? 8 : 6;
  static constexpr std::size_t NR = 2 * W;
  static constexpr std::size_t KC = 256;
  static constexpr std::size_t MC = 16 * MR;
  static constexpr std::size_t NC = 4096;
  static constexpr std::size_t kSplitK = 1024;
};

/// Whether `work` is worth a parallel region: enough of it, and not already inside one, even one
/// of a single thread (a kernel that shares rows among threads calls GEMMs on each; a nested
/// region would still wake the thread pool).
inline bool fork(std::size_t work) { return work > kParallelThreshold && omp_get_level() == 0; }

/// Values in the packed panel of an nc × kc piece of op(B): whole NR-wide slivers.
template <class T>
std::size_t panel_size(std::size_t nc, std::size_t kc) {
  constexpr std::size_t NR = Blocking<T>::NR;
  return (nc + NR - 1) / NR * NR * kc;
}

/// c[0..n) = act(c + bias) on batches, as the micro-kernel's epilogue computes it: the epilogue
/// of every path that finishes a row outside the micro-kernel.
template <class T>
void epilogue_row(T* c, std::size_t n, const GemmEpilogue<T>& ep) {
  auto with_bias = [&](auto v, auto b) { return detail::activate(ep.act, v + b); };
  auto without = [&](auto v) { return detail::activate(ep.act, v); };
  if (ep.bias)
    detail::map_range<false>(c, 0, n, with_bias, c, ep.bias);
  else
    detail::map_range<false>(c, 0, n, without, c);
}

/// Ap[s][k][r] = op(A)(ic + s·MR + r, pc + k), zero beyond the matrix.
template <class T>
void pack_a(const T* A, std::size_t lda, bool trans, std::size_t ic, std::size_t mc, std::size_t pc,
            std::size_t kc, T* Ap) {
  constexpr std::size_t MR = Blocking<T>::MR;
  for (std::size_t s = 0; s < mc; s += MR) {
    const std::size_t mr = std::min(MR, mc - s);
    T* dst = Ap + s * kc;
    if (!trans) {
      for (std::size_t r = 0; r < MR; ++r) {
        if (r < mr) {
          const T* src = A + (ic + s + r) * lda + pc;
          for (std::size_t k = 0; k < kc; ++k) dst[k * MR + r] = src[k];
        } else {
          for (std::size_t k = 0; k < kc; ++k) dst[k * MR + r] = T(0);
        }
      }
    } else if (mr == MR) {  // full sliver: MR contiguous values per k
      for (std::size_t k = 0; k < kc; ++k) {
        const T* src = A + (pc + k) * lda + ic + s;
#pragma GCC unroll 8
        for (std::size_t r = 0; r < MR; ++r) dst[k * MR + r] = src[r];
      }
    } else {
      for (std::size_t k = 0; k < kc; ++k) {
        const T* src = A + (pc + k) * lda + ic + s;
        for (std::size_t r = 0; r < MR; ++r) dst[k * MR + r] = r < mr ? src[r] : T(0);
      }
    }
  }
}

/// Bp[s][k][c] = op(B)(pc + k, jc + s·NR + c), zero beyond the matrix.
template <class T>
void pack_b(const T* B, std::size_t ldb, bool trans, std::size_t pc, std::size_t kc, std::size_t jc,
            std::size_t nc, T* Bp) {
  constexpr std::size_t NR = Blocking<T>::NR;
  const std::ptrdiff_t slivers = static_cast<std::ptrdiff_t>((nc + NR - 1) / NR);
  const std::size_t full = trans ? 0 : nc / NR;
  if (full) {  // whole slivers of a row-major B: row by row, reading each row once in order
    using Bt = Batch<T>;
    for (std::size_t k = 0; k < kc; ++k) {
      const T* src = B + (pc + k) * ldb + jc;
      for (std::size_t f = 0; f < full; ++f) {
        T* dst = Bp + f * NR * kc + k * NR;
        Bt::load_unaligned(src + f * NR).store_aligned(dst);
        Bt::load_unaligned(src + f * NR + NR / 2).store_aligned(dst + NR / 2);
      }
    }
  }
  for (std::ptrdiff_t si = static_cast<std::ptrdiff_t>(full); si < slivers; ++si) {
    const std::size_t s = static_cast<std::size_t>(si) * NR;
    const std::size_t nr = std::min(NR, nc - s);
    T* dst = Bp + s * kc;
    if (!trans) {
      for (std::size_t k = 0; k < kc; ++k) {
        const T* src = B + (pc + k) * ldb + jc + s;
        for (std::size_t c = 0; c < NR; ++c) dst[k * NR + c] = c < nr ? src[c] : T(0);
      }
    } else {
      for (std::size_t c = 0; c < NR; ++c) {
        if (c < nr) {
          const T* src = B + (jc + s + c) * ldb + pc;
          for (std::size_t k = 0; k < kc; ++k) dst[k * NR + c] = src[k];
        } else {
          for (std::size_t k = 0; k < kc; ++k) dst[k * NR + c] = T(0);
        }
      }
    }
  }
}

/// How a micro-kernel writes its tile: overwrite or add to C, and whether to apply the epilogue.
template <class T>
struct TileStore {
  bool add_to_c;
  bool finish;          ///< last K block: apply bias + activation
  const T* bias;        ///< bias at the tile's first column, or null
};

/// Where a micro-kernel reads its A sliver: packed (a[k·MR + r]), or in place from MR rows of a
/// row-major A (a[r·lda + k]) or from MR columns of a transposed one (a[k·lda + r]).
enum class ASliver { packed, rows, columns };

/// The MR × NR register tile: acc += Σ_k a[k]·b[k]ᵀ, then stored through `st`. A is read as
/// `Layout` says, B from a packed sliver (b[k·NR + c]). Reading A in place saves a pass over
/// it: the weight gradient dzᵀ·x no longer copies its 10,000-row dz first. (Reading B in place
/// as well was slower: its slivers, 2 cache lines a step apart, then no longer fit in L1.)
/// The epilogue's activation `Rule` is applied in registers, so each output line is stored
/// once: stored first and activated from L1, a tile of a 10,000-row layer's output waited on
/// its lines' first touch twice.
template <class T, ASliver Layout, class Rule>
void micro_kernel(std::size_t kc, const T* __restrict a, std::size_t lda, const T* __restrict b, T* C,
                  std::size_t ldc, std::size_t mr, std::size_t nr, const TileStore<T>& st) {
  using B = Batch<T>;
  constexpr std::size_t W = Blocking<T>::W, MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  B c0[MR], c1[MR];
#pragma GCC unroll 8
  for (std::size_t r = 0; r < MR; ++r) c0[r] = c1[r] = B(T(0));
  const std::size_t row_step = Layout == ASliver::rows ? lda : 1;
  const std::size_t k_step = Layout == ASliver::packed ? MR : Layout == ASliver::rows ? 1 : lda;
  // Unrolled, the loop's own instructions no longer share the issue slots of every k's loads
  // and FMAs.
#pragma GCC unroll 4
  for (std::size_t k = 0; k < kc; ++k) {
    const B b0 = B::load_aligned(b + k * NR);
    const B b1 = B::load_aligned(b + k * NR + W);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < MR; ++r) {
      const B ar(a[k * k_step + r * row_step]);
      c0[r] = detail::fma(ar, b0, c0[r]);
      c1[r] = detail::fma(ar, b1, c1[r]);
    }
  }
  const bool full = mr == MR && nr == NR;
  alignas(kAlignment) T edge[MR * NR];
  T* out = full ? C : edge;
  const std::size_t ld = full ? ldc : NR;
  if (!full && st.add_to_c)
    for (std::size_t r = 0; r < mr; ++r) std::memcpy(edge + r * NR, C + r * ldc, nr * sizeof(T));
  B bias0(T(0)), bias1(T(0));
  if (st.finish && st.bias) {
    if (nr == NR) {  // most tiles: no copy (a call to memcpy per tile cost more than the loads)
      bias0 = B::load_unaligned(st.bias);
      bias1 = B::load_unaligned(st.bias + W);
    } else {
      alignas(kAlignment) T bb[NR] = {};
      std::memcpy(bb, st.bias, nr * sizeof(T));
      bias0 = B::load_aligned(bb);
      bias1 = B::load_aligned(bb + W);
    }
  }
#pragma GCC unroll 8
  for (std::size_t r = 0; r < MR; ++r) {
    B v0 = c0[r], v1 = c1[r];
    if (st.add_to_c) {
      v0 += B::load_unaligned(out + r * ld);
      v1 += B::load_unaligned(out + r * ld + W);
    }
    if (st.finish) {
      v0 = detail::apply<Rule>(v0 + bias0);
      v1 = detail::apply<Rule>(v1 + bias1);
    }
    v0.store_unaligned(out + r * ld);
    v1.store_unaligned(out + r * ld + W);
  }
  if (!full)
    for (std::size_t r = 0; r < mr; ++r) std::memcpy(C + r * ldc, edge + r * NR, nr * sizeof(T));
}

/// The micro-kernels of one activation, one per way of reading A.
template <class T>
struct TileKernels {
  using Fn = void (*)(std::size_t, const T*, std::size_t, const T*, T*, std::size_t, std::size_t, std::size_t,
                      const TileStore<T>&);
  Fn packed, columns, rows;
};

template <class T>
TileKernels<T> tile_kernels(Activation act) {
  switch (act) {
#define NIMDE_TILE_KERNELS(name, Rule)                                                              \
  case Activation::name:                                                                           \
    return {&micro_kernel<T, ASliver::packed, detail::Rule>, &micro_kernel<T, ASliver::columns, detail::Rule>, \
            &micro_kernel<T, ASliver::rows, detail::Rule>};
    NIMDE_ACTIVATIONS(NIMDE_TILE_KERNELS)
#undef NIMDE_TILE_KERNELS
  }
  throw std::invalid_argument("gemm: unknown activation " + std::to_string(static_cast<int>(act)));
}

/// A Prefetch's lines, a share after each of `tiles` tiles. Into L2 only (prefetcht2): pulled
/// into L1 as well, they evicted the micro-kernel's slivers.
class PrefetchSpread {
 public:
  PrefetchSpread(Prefetch p, std::size_t tiles)
      : next_(static_cast<const char*>(p.begin)), end_(next_ + (p.begin ? p.bytes : 0)),
        per_tile_(((end_ - next_ + kLine - 1) / kLine + tiles - 1) / std::max<std::size_t>(tiles, 1)) {}
  void after_tile() {
    for (std::size_t q = 0; q < per_tile_ && next_ < end_; ++q, next_ += kLine) __builtin_prefetch(next_, 0, 1);
  }

 private:
  static constexpr std::size_t kLine = 64;
  const char *next_, *end_;
  std::size_t per_tile_;
};

/// The five loops; `parallel` shares the ic loop among threads. `packed`, if given, holds op(B)'s
/// panels in the loops' order (PackedB), and B is not read. `ahead` is spread over the tiles of
/// the last K block, when the loops run on one thread.
template <class T>
void gemm_blocked(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, bool ta, const T* B,
                  std::size_t ldb, bool tb, T* C, std::size_t ldc, bool accumulate, GemmEpilogue<T> ep,
                  bool parallel, const T* packed = nullptr, Prefetch ahead = {}) {
  using Bk = Blocking<T>;
  PrefetchSpread spread(parallel ? Prefetch{} : ahead, (M + Bk::MR - 1) / Bk::MR * ((N + Bk::NR - 1) / Bk::NR));
  const bool has_epilogue = ep.bias != nullptr || ep.act != Activation::identity;
  const TileKernels<T> kernel = tile_kernels<T>(ep.act);
  T* scratch_b = packed ? nullptr
                        : detail::scratch<T>(panel_size<T>(std::min(N, Bk::NC), std::min(K, Bk::KC)),
                                             detail::Scratch::gemm_b);
  for (std::size_t jc = 0; jc < N; jc += Bk::NC) {
    const std::size_t nc = std::min(Bk::NC, N - jc);
    for (std::size_t pc = 0; pc < K; pc += Bk::KC) {
      const std::size_t kc = std::min(Bk::KC, K - pc);
      const T* Bp = scratch_b;
      if (packed) {
        Bp = packed;
        packed += panel_size<T>(nc, kc);
      } else {
        pack_b(B, ldb, tb, pc, kc, jc, nc, scratch_b);
      }
      const TileStore<T> base{accumulate || pc > 0, has_epilogue && pc + kc == K, nullptr};
      const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>((M + Bk::MC - 1) / Bk::MC);
      auto block = [&](std::ptrdiff_t bi) {
        const std::size_t ic = static_cast<std::size_t>(bi) * Bk::MC;
        const std::size_t mc = std::min(Bk::MC, M - ic);
        // A is read in place, rows or columns; only its last, partial sliver is packed (zero-padded).
        T* Ap = detail::scratch<T>(((Bk::MC + Bk::MR - 1) / Bk::MR) * Bk::MR * Bk::KC, detail::Scratch::gemm_a);
        const std::size_t full_rows = mc / Bk::MR * Bk::MR;
        if (full_rows < mc) pack_a(A, lda, ta, ic + full_rows, mc - full_rows, pc, kc, Ap + full_rows * kc);
        for (std::size_t jr = 0; jr < nc; jr += Bk::NR) {
          TileStore<T> st = base;
          st.bias = ep.bias ? ep.bias + jc + jr : nullptr;
          const T* b = Bp + jr * kc;
          for (std::size_t ir = 0; ir < mc; ir += Bk::MR) {
            T* c = C + (ic + ir) * ldc + jc + jr;
            const std::size_t mr = std::min(Bk::MR, mc - ir), nr = std::min(Bk::NR, nc - jr);
            if (ir >= full_rows)
              kernel.packed(kc, Ap + ir * kc, 0, b, c, ldc, mr, nr, st);
            else if (ta)
              kernel.columns(kc, A + pc * lda + ic + ir, lda, b, c, ldc, mr, nr, st);
            else
              kernel.rows(kc, A + (ic + ir) * lda + pc, lda, b, c, ldc, mr, nr, st);
            if (pc + kc == K) spread.after_tile();
          }
        }
      };
      // A parallel region is entered only when it will share work: for a small product,
      // entering one costs as much as the product.
      if (parallel && blocks > 1 && fork(M * N * kc)) {
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t bi = 0; bi < blocks; ++bi) block(bi);
      } else {
        for (std::ptrdiff_t bi = 0; bi < blocks; ++bi) block(bi);
      }
    }
  }
}

/// C = Aᵀ·B for A stored K × M and B stored K × N, one side (M or N) at most kSmallN: a sum of
/// outer products of rows, the weight gradient dzᵀ·x of a layer with few inputs or outputs. The
/// MR × 2W register tile would leave most of its lanes on padding there (15 of 16 rows of a
/// 128 × 2 product); here the long side is vectorised and the short side broadcast, a tile of up
/// to kOuterBatches batches over a whole K block. K blocks of KC, added in order, and K split
/// into chunks as the general path splits it for M ≤ 384 (a layer of the networks' width 128):
/// every output sees the additions of gemm_blocked there, so the bits are the general path's.
constexpr std::size_t kSmallN = 4;
constexpr std::size_t kOuterBatches = 16;

/// How one call reads its operands: rows of the long operand (the vectorised side) and of the
/// short one, and where output (short index s, long index l) goes.
template <class T>
struct OuterOperands {
  const T* lng;
  std::size_t ld_lng;
  const T* shrt;
  std::size_t ld_shrt;
  T* out;
  std::size_t out_s, out_l;  ///< strides of the output along the short and the long side
};

/// acc[s][v] = Σ_{k < kc} lng[k][v·W ..] · shrt[k][s] for V batches of the long side from `col`,
/// then stored to the output (or added to it), `len` ≤ V·W values along the long side.
template <class T, std::size_t S, std::size_t V>
void outer_tile(std::size_t kc, const OuterOperands<T>& op, std::size_t col, std::size_t len, bool add) {
  using Bt = Batch<T>;
  constexpr std::size_t W = Bt::size;
  Bt acc[S][V];
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t v = 0; v < V; ++v) acc[s][v] = Bt(T(0));
  for (std::size_t k = 0; k < kc; ++k) {
    const T* l = op.lng + k * op.ld_lng + col;
    Bt lv[V];
#pragma GCC unroll 16
    for (std::size_t v = 0; v < V; ++v) lv[v] = Bt::load_unaligned(l + v * W);
#pragma GCC unroll 4
    for (std::size_t s = 0; s < S; ++s) {
      const Bt b(op.shrt[k * op.ld_shrt + s]);
#pragma GCC unroll 16
      for (std::size_t v = 0; v < V; ++v) acc[s][v] = detail::fma(lv[v], b, acc[s][v]);
    }
  }
  alignas(kAlignment) T lanes[W];
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t v = 0; v < V && v * W < len; ++v) {
      acc[s][v].store_aligned(lanes);
      for (std::size_t i = 0; i < std::min(W, len - v * W); ++i) {
        T& o = op.out[s * op.out_s + (col + v * W + i) * op.out_l];
        o = add ? o + lanes[i] : lanes[i];
      }
    }
}

/// outer_tile<T, S, V> for a run-time V in 1 … Vmax.
template <class T, std::size_t S, std::size_t... I>
void outer_tile_dispatch(std::index_sequence<I...>, std::size_t v, std::size_t kc, const OuterOperands<T>& op,
                         std::size_t col, std::size_t len, bool add) {
  ((v == I + 1 ? outer_tile<T, S, I + 1>(kc, op, col, len, add) : void()), ...);
}

/// The whole product for a short side of S: long-side pieces of Vmax batches, each over the K
/// blocks in order; a last part of fewer than W values is copied, zero-padded, to whole batches.
template <class T, std::size_t S>
void gemm_outer(std::size_t K, std::size_t len, OuterOperands<T> op, bool accumulate) {
  using Bk = Blocking<T>;
  constexpr std::size_t W = Bk::W, Vmax = kOuterBatches / S;
  const std::size_t full = len / W * W;
  T* tail = detail::scratch<T>(Bk::KC * W, detail::Scratch::gemm_a);
  for (std::size_t col = 0; col < len; col += Vmax * W) {
    const std::size_t n = std::min(Vmax * W, len - col);
    const std::size_t batches = (std::min(col + n, full) - col) / W;  // col ≤ full: both are multiples of W
    for (std::size_t pc = 0; pc < K; pc += Bk::KC) {
      const std::size_t kc = std::min(Bk::KC, K - pc);
      OuterOperands<T> at = op;
      at.lng += pc * op.ld_lng;
      at.shrt += pc * op.ld_shrt;
      const bool add = accumulate || pc > 0;
      if (batches)
        outer_tile_dispatch<T, S>(std::make_index_sequence<Vmax>{}, batches, kc, at, col, batches * W, add);
      if (batches * W < n) {  // the last len % W values of the long side
        const std::size_t c0 = col + batches * W, rest = n - batches * W;
        for (std::size_t k = 0; k < kc; ++k)
          for (std::size_t i = 0; i < W; ++i) tail[k * W + i] = i < rest ? at.lng[k * op.ld_lng + c0 + i] : T(0);
        OuterOperands<T> t = at;
        t.lng = tail - c0;  // so that column c0 of the copy is tail[0]
        t.ld_lng = W;
        outer_tile<T, S, 1>(kc, t, c0, rest, add);
      }
    }
  }
}

/// C (M × N) (+)= Aᵀ·B, A stored K × M, B stored K × N, min(M, N) ≤ kSmallN.
template <class T>
void gemm_outer(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B,
                std::size_t ldb, T* C, std::size_t ldc, bool accumulate) {
  const bool long_a = N < M;  // vectorise along the longer side
  const OuterOperands<T> op = long_a ? OuterOperands<T>{A, lda, B, ldb, C, 1, ldc}
                                     : OuterOperands<T>{B, ldb, A, lda, C, ldc, 1};
  const std::size_t len = long_a ? M : N;
  switch (long_a ? N : M) {
    case 1: gemm_outer<T, 1>(K, len, op, accumulate); break;
    case 2: gemm_outer<T, 2>(K, len, op, accumulate); break;
    case 3: gemm_outer<T, 3>(K, len, op, accumulate); break;
    default: gemm_outer<T, 4>(K, len, op, accumulate); break;
  }
}

/// C = A·op(B) for a row-major A and at most kSmallN columns (the network's output layer,
/// N = d): each output is one dot product of a row of A with a column of op(B), vectorised
/// along k, where an MR × 2W register tile would leave all but N of its 2W lanes idle.
template <class T>
void gemm_small_n(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B,
                  std::size_t ldb, bool tb, T* C, std::size_t ldc, bool accumulate, GemmEpilogue<T> ep) {
  using Bt = Batch<T>;
  constexpr std::size_t W = Bt::size;
  // Room for kSmallN outputs in whole batches (one batch on AVX2 and wider, two for SSE2 doubles).
  constexpr std::size_t kOut = (kSmallN + W - 1) / W * W;
  T* cols = detail::scratch<T>(N * K, detail::Scratch::gemm_b);  // column j of op(B) at cols + j·K
  for (std::size_t j = 0; j < N; ++j)
    for (std::size_t k = 0; k < K; ++k) cols[j * K + k] = tb ? B[j * ldb + k] : B[k * ldb + j];
  const bool has_epilogue = ep.bias != nullptr || ep.act != Activation::identity;
  alignas(kAlignment) T bias[kOut] = {};
  if (ep.bias) std::memcpy(bias, ep.bias, N * sizeof(T));
  auto row = [&](std::ptrdiff_t ii) {
    const std::size_t i = static_cast<std::size_t>(ii);
    const T* a = A + i * lda;
    T* c = C + i * ldc;
    alignas(kAlignment) T out[kOut] = {};
    for (std::size_t j = 0; j < N; ++j) {
      const T* col = cols + j * K;
      Bt acc(T(0));
      std::size_t k = 0;
      for (; k + W <= K; k += W) acc = detail::fma(Bt::load_unaligned(a + k), Bt::load_unaligned(col + k), acc);
      T sum = xsimd::hadd(acc);
      for (; k < K; ++k) sum += a[k] * col[k];
      out[j] = accumulate ? c[j] + sum : sum;
    }
    if (has_epilogue)
      for (std::size_t j = 0; j < N; j += W)
        detail::activate(ep.act, Bt::load_aligned(out + j) + Bt::load_aligned(bias + j)).store_aligned(out + j);
    for (std::size_t j = 0; j < N; ++j) c[j] = out[j];
  };
  if (fork(M * N * K)) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(M); ++ii) row(ii);
  } else {
    for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(M); ++ii) row(ii);
  }
}

/// C = A·Bᵀ for a row-major A of at most kSmallM rows and a B stored N × K (a network's weights
/// W applied to one point's coefficient rows, x Wᵀ). Each output is the dot product of a row of
/// A with a row of B, both contiguous in k, so nothing is packed: packing would transpose all of
/// B, which at this size costs more than the products. kCols rows of B at a time against every
/// row of A keep about 24 independent FMA chains in registers.
constexpr std::size_t kSmallM = 16;

template <class T, std::size_t Rows>
void gemm_small_m(std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B, std::size_t ldb, T* C,
                  std::size_t ldc, bool accumulate, GemmEpilogue<T> ep) {
  using Bt = Batch<T>;
  constexpr std::size_t W = Bt::size, kCols = std::clamp<std::size_t>(24 / Rows, 1, 4);
  const bool has_epilogue = ep.bias != nullptr || ep.act != Activation::identity;
  const std::size_t k_vec = K / W * W;
  for (std::size_t j0 = 0; j0 < N; j0 += kCols) {
    const std::size_t cols = std::min(kCols, N - j0);
    const T* b[kCols];
    for (std::size_t c = 0; c < kCols; ++c) b[c] = B + (j0 + std::min(c, cols - 1)) * ldb;  // repeat the last
    Bt acc[Rows][kCols];
    for (std::size_t r = 0; r < Rows; ++r)
      for (std::size_t c = 0; c < kCols; ++c) acc[r][c] = Bt(T(0));
    for (std::size_t k = 0; k < k_vec; k += W) {
      Bt bk[kCols];
      for (std::size_t c = 0; c < kCols; ++c) bk[c] = Bt::load_unaligned(b[c] + k);
      for (std::size_t r = 0; r < Rows; ++r) {
        const Bt a = Bt::load_unaligned(A + r * lda + k);
        for (std::size_t c = 0; c < kCols; ++c) acc[r][c] = detail::fma(a, bk[c], acc[r][c]);
      }
    }
    for (std::size_t r = 0; r < Rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) {
        T sum = k_vec ? xsimd::hadd(acc[r][c]) : T(0);  // a first layer's K = d < W needs no hadd
        for (std::size_t k = k_vec; k < K; ++k) sum += A[r * lda + k] * b[c][k];
        T& out = C[r * ldc + j0 + c];
        out = accumulate ? out + sum : sum;
      }
  }
  // The epilogue on batches, as every other path applies it (xsimd's functions, not std's).
  if (has_epilogue)
    for (std::size_t r = 0; r < Rows; ++r) epilogue_row(C + r * ldc, N, ep);
}

/// gemm_small_m<T, M> for a run-time M in 1 … kSmallM.
template <class T, std::size_t... I>
void small_m_dispatch(std::index_sequence<I...>, std::size_t M, std::size_t N, std::size_t K, const T* A,
                      std::size_t lda, const T* B, std::size_t ldb, T* C, std::size_t ldc, bool accumulate,
                      GemmEpilogue<T> ep) {
  ((M == I + 1 ? gemm_small_m<T, I + 1>(N, K, A, lda, B, ldb, C, ldc, accumulate, ep) : void()), ...);
}

}  // namespace

template <class T>
void gemm(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, bool trans_a, const T* B,
          std::size_t ldb, bool trans_b, T* C, std::size_t ldc, bool accumulate, GemmEpilogue<T> ep) {
  using Bk = Blocking<T>;
  if (M == 0 || N == 0) return;
  const bool has_epilogue = ep.bias != nullptr || ep.act != Activation::identity;
  if (K == 0) {  // an empty sum: C = act(0 + bias) or C unchanged
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) {
        if (!accumulate) C[i * ldc + j] = T(0);
      }
    if (has_epilogue)
      for (std::size_t i = 0; i < M; ++i) epilogue_row(C + i * ldc, N, ep);
    return;
  }
  if (!trans_a && N <= kSmallN && N <= Bk::W) {
    gemm_small_n(M, N, K, A, lda, B, ldb, trans_b, C, ldc, accumulate, ep);
    return;
  }
  if (!trans_a && trans_b && M <= kSmallM) {
    small_m_dispatch<T>(std::make_index_sequence<kSmallM>{}, M, N, K, A, lda, B, ldb, C, ldc, accumulate, ep);
    return;
  }
  const bool outer = trans_a && !trans_b && std::min(M, N) <= kSmallN;
  // The product over K's rows [k0, k0 + kl) into c, by the outer products or the five loops.
  auto product = [&](std::size_t k0, std::size_t kl, T* c, std::size_t ldc_c, bool acc, GemmEpilogue<T> e,
                     bool parallel) {
    const T* Ak = trans_a ? A + k0 * lda : A + k0;
    const T* Bk_ = trans_b ? B + k0 : B + k0 * ldb;
    if (!outer) {
      gemm_blocked(M, N, kl, Ak, lda, trans_a, Bk_, ldb, trans_b, c, ldc_c, acc, e, parallel);
      return;
    }
    gemm_outer(M, N, kl, Ak, lda, Bk_, ldb, c, ldc_c, acc);
    if (e.bias != nullptr || e.act != Activation::identity)
      for (std::size_t i = 0; i < M; ++i) epilogue_row(c + i * ldc_c, N, e);
  };
  const std::size_t chunks = K / Bk::kSplitK;
  const std::size_t tiles = ((M + Bk::MC - 1) / Bk::MC);
  if (chunks < 2 || (tiles >= 4 && !outer)) {
    product(0, K, C, ldc, accumulate, ep, true);
    return;
  }
  // Long K, few tiles: partial products over fixed K chunks, summed in chunk order.
  const std::size_t mn = M * N;
  T* partial = detail::scratch<T>(chunks * mn, detail::Scratch::gemm_partial);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(chunks); ++ci) {
    const std::size_t k0 = static_cast<std::size_t>(ci) * Bk::kSplitK;
    const std::size_t kl = ci + 1 == static_cast<std::ptrdiff_t>(chunks) ? K - k0 : Bk::kSplitK;
    product(k0, kl, partial + ci * mn, N, false, GemmEpilogue<T>{}, false);
  }
  for (std::size_t i = 0; i < M; ++i) {
    T* c = C + i * ldc;
    auto first = [](auto p) { return p; };
    if (accumulate)
      detail::map_range<true>(c, 0, N, first, partial + i * N);
    else
      detail::map_range<false>(c, 0, N, first, partial + i * N);
    for (std::size_t ci = 1; ci < chunks; ++ci)
      detail::map_range<false>(c, 0, N, detail::plus, c, partial + ci * mn + i * N);
    if (has_epilogue) epilogue_row(c, N, ep);
  }
}

template <class T>
void PackedB<T>::pack(std::size_t K, std::size_t N, const T* B, std::size_t ldb, bool trans_b) {
  using Bk = Blocking<T>;
  K_ = K;
  N_ = N;
  std::size_t size = 0;
  for (std::size_t jc = 0; jc < N; jc += Bk::NC)
    for (std::size_t pc = 0; pc < K; pc += Bk::KC) size += panel_size<T>(std::min(Bk::NC, N - jc), std::min(Bk::KC, K - pc));
  panels_.resize(size);
  T* at = panels_.data();
  for (std::size_t jc = 0; jc < N; jc += Bk::NC)
    for (std::size_t pc = 0; pc < K; pc += Bk::KC) {
      const std::size_t nc = std::min(Bk::NC, N - jc), kc = std::min(Bk::KC, K - pc);
      pack_b(B, ldb, trans_b, pc, kc, jc, nc, at);
      at += panel_size<T>(nc, kc);
    }
}

template <class T>
std::size_t PackedB<T>::shape(std::size_t K, std::size_t N) {
  using Bk = Blocking<T>;
  static_assert(kPackedRows == Bk::KC);
  if (K > Bk::KC || N > Bk::NC) throw std::invalid_argument("PackedB::shape: more than one panel");
  if (K != K_ || N != N_) {
    K_ = K;
    N_ = N;
    panels_.assign(panel_size<T>(N, K), T(0));
  }
  return Bk::NR;
}

template <class T>
void gemm(std::size_t M, const T* A, std::size_t lda, bool trans_a, const PackedB<T>& B, T* C, std::size_t ldc,
          bool accumulate, GemmEpilogue<T> ep, Prefetch ahead) {
  if (M == 0 || B.cols() == 0 || B.rows() == 0) {
    if (B.rows() == 0 && M && B.cols())  // an empty sum: the general path's rule
      gemm<T>(M, B.cols(), 0, A, lda, trans_a, nullptr, 0, false, C, ldc, accumulate, ep);
    return;
  }
  gemm_blocked(M, B.cols(), B.rows(), A, lda, trans_a, static_cast<const T*>(nullptr), 0, false, C, ldc, accumulate, ep,
               false, B.panels(), ahead);
}

template class PackedB<float>;
template class PackedB<double>;
template void gemm<float>(std::size_t, const float*, std::size_t, bool, const PackedB<float>&, float*, std::size_t,
                          bool, GemmEpilogue<float>, Prefetch);
template void gemm<double>(std::size_t, const double*, std::size_t, bool, const PackedB<double>&, double*,
                           std::size_t, bool, GemmEpilogue<double>, Prefetch);

template void gemm<float>(std::size_t, std::size_t, std::size_t, const float*, std::size_t, bool, const float*,
                          std::size_t, bool, float*, std::size_t, bool, GemmEpilogue<float>);
template void gemm<double>(std::size_t, std::size_t, std::size_t, const double*, std::size_t, bool, const double*,
                           std::size_t, bool, double*, std::size_t, bool, GemmEpilogue<double>);

}  // namespace nimde::autodiff
