// General matrix multiply, C = op(A)·op(B) (+ C), with an optional fused epilogue
// C = act(C + bias) applied while each output tile is still in registers.
#pragma once

#include <cstddef>
#include <vector>

#include <xsimd/memory/xsimd_aligned_allocator.hpp>

#include "autodiff/activation.hpp"

namespace nimde::autodiff {

/// What to apply to each finished output tile: a bias row (length N, or null) and an activation.
template <class T>
struct GemmEpilogue {
  const T* bias = nullptr;
  Activation act = Activation::identity;
};

/// C (M×N, leading dimension ldc) = op(A)·op(B), or C += op(A)·op(B) when `accumulate`.
/// op(A) is M×K: A itself is M×K (row stride lda) or, if trans_a, K×M. Likewise op(B) is K×N.
/// Deterministic: the same bits for any number of threads. Called from inside a parallel region, it
/// stays on the calling thread.
template <class T>
void gemm(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, bool trans_a, const T* B,
          std::size_t ldb, bool trans_b, T* C, std::size_t ldc, bool accumulate, GemmEpilogue<T> epilogue = {});

/// op(B) packed once into the micro-kernel's slivers, for many products A·op(B) with the same
/// B: a layer's weights applied to a matrix block by block of rows.
template <class T>
class PackedB {
 public:
  /// Packs op(B), K × N: B itself (row stride ldb) or, if trans_b, B stored N × K.
  void pack(std::size_t K, std::size_t N, const T* B, std::size_t ldb, bool trans_b);
  /// For an operand computed straight into the packed layout, a row at a time: sizes the panel
  /// for op(B) of K × N, K ≤ kPackedRows, columns past N zero, and returns the sliver width s.
  /// op(B)(k, j) then lives at data() + (j / s)·s·K + k·s + j % s; the caller writes every
  /// entry before the next product.
  std::size_t shape(std::size_t K, std::size_t N);
  static constexpr std::size_t kPackedRows = 256;
  std::size_t rows() const { return K_; }
  std::size_t cols() const { return N_; }
  const T* panels() const { return panels_.data(); }
  T* data() { return panels_.data(); }

 private:
  std::size_t K_ = 0, N_ = 0;
  std::vector<T, xsimd::aligned_allocator<T, 64>> panels_;
};

/// Memory the caller reads right after a product, `bytes` from `begin`: the product pulls it
/// into L2 a few lines after each output tile, so that its arithmetic hides the loads a pass
/// over that memory would otherwise wait on.
struct Prefetch {
  const void* begin = nullptr;
  std::size_t bytes = 0;
};

/// C (M × B.cols(), leading dimension ldc) (+)= op(A)·B for a packed B, on the calling thread:
/// for callers that share rows among threads themselves. The bits of gemm's five loops (gemm
/// takes shortcuts for an output of at most four columns and splits a long K).
template <class T>
void gemm(std::size_t M, const T* A, std::size_t lda, bool trans_a, const PackedB<T>& B, T* C, std::size_t ldc,
          bool accumulate, GemmEpilogue<T> epilogue = {}, Prefetch ahead = {});

extern template void gemm<float>(std::size_t, std::size_t, std::size_t, const float*, std::size_t, bool,
                                 const float*, std::size_t, bool, float*, std::size_t, bool, GemmEpilogue<float>);
extern template void gemm<double>(std::size_t, std::size_t, std::size_t, const double*, std::size_t, bool,
                                  const double*, std::size_t, bool, double*, std::size_t, bool,
                                  GemmEpilogue<double>);
extern template class PackedB<float>;
extern template class PackedB<double>;
extern template void gemm<float>(std::size_t, const float*, std::size_t, bool, const PackedB<float>&, float*,
                                 std::size_t, bool, GemmEpilogue<float>, Prefetch);
extern template void gemm<double>(std::size_t, const double*, std::size_t, bool, const PackedB<double>&, double*,
                                  std::size_t, bool, GemmEpilogue<double>, Prefetch);

}  // namespace nimde::autodiff
