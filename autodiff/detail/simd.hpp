// The SIMD batch type of the host architecture, shared by every kernel. Internal: include
// only from .cpp files. The functions on batches are the rules of detail/rules.hpp.
#pragma once

#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace nimde::autodiff::detail {

/// xsimd's batch for the architecture the build targets (fma3<avx2>, or avx512bw, with
/// -march=native).
template <class T>
using Batch = xsimd::batch<T>;

/// a·b + c rounded once, on every architecture. xsimd 8.1's fma on AVX-512 is written a·b + c,
/// which -ffp-contract=off keeps as a multiply and an add (two roundings, half the peak); its
/// fma3 one is the fused instruction. This takes the AVX-512 intrinsic where xsimd would not.
template <class T, class A>
inline xsimd::batch<T, A> fma(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b,
                              const xsimd::batch<T, A>& c) {
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
    if constexpr (std::is_same_v<T, float>) return _mm512_fmadd_ps(a, b, c);
    if constexpr (std::is_same_v<T, double>) return _mm512_fmadd_pd(a, b, c);
  }
#endif
  return xsimd::fma(a, b, c);
}

}  // namespace nimde::autodiff::detail
