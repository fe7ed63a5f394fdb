// General matrix multiply, C = op(A)·op(B) (+ C), with an optional fused epilogue
// C = act(C + bias) applied while each output tile is still in registers.
#pragma once

#include <cstddef>

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
/// Deterministic: the same bits for any number of threads.
template <class T>
void gemm(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, bool trans_a, const T* B,
          std::size_t ldb, bool trans_b, T* C, std::size_t ldc, bool accumulate, GemmEpilogue<T> epilogue = {});

extern template void gemm<float>(std::size_t, std::size_t, std::size_t, const float*, std::size_t, bool,
                                 const float*, std::size_t, bool, float*, std::size_t, bool, GemmEpilogue<float>);
extern template void gemm<double>(std::size_t, std::size_t, std::size_t, const double*, std::size_t, bool,
                                  const double*, std::size_t, bool, double*, std::size_t, bool,
                                  GemmEpilogue<double>);

}  // namespace nimde::autodiff
