// The SIMD batch type of the host architecture, shared by every kernel. Internal: include
// only from .cpp files. The functions on batches are the rules of detail/rules.hpp.
#pragma once

#include <xsimd/xsimd.hpp>

namespace nimde::autodiff::detail {

/// xsimd's batch for the architecture the build targets (fma3<avx2>, or avx512bw, with
/// -march=native).
///
/// On AVX-512, xsimd 8.1's fma is a·b + c, which -ffp-contract=off keeps as a multiply and an
/// add: the kernels (and peak/fma, which measures the same loop) do not fuse there. The
/// intrinsic was measured 12–17 % faster in the GEMM, but it changes every trained model's last
/// bits, and the smoke reproduction's thinnest margin (figure2, midpoint: 5.23× against a 5×
/// threshold) then falls to 4.85×; it waits for a smoke preset whose margins rounding cannot move.
template <class T>
using Batch = xsimd::batch<T>;

}  // namespace nimde::autodiff::detail
