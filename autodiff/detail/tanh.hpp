// tanh on float batches, within 2.5 ulp of the exact value (a test checks every float of
// [2^-12, 16) against the double-precision tanh; the rounding of E + 2 below is most of it).
// xsimd 8.1's float tanh evaluates both of its branches (a polynomial below 0.625, an exp-based
// formula above) on every batch that mixes small and large |x|, which a layer's pre-activations
// always do; this one is a single branch-free formula and costs less than half. Double
// keeps xsimd's tanh: the reproduction trains in double, on the libm-accurate function.
#pragma once

#include <cstdint>

#include "autodiff/detail/simd.hpp"

namespace nimde::autodiff::detail {

/// tanh |x| = E / (E + 2), E = expm1(2|x|), with the sign of x put back; NaN stays NaN.
/// expm1 by range reduction: 2|x| = k ln 2 + r, |r| ≤ ln 2 / 2, E = 2^k expm1(r) + (2^k − 1).
/// For |x| < ln 2 / 4, k = 0 and E is the polynomial alone, so small arguments keep their
/// relative accuracy (the form 1 − 2/(e^{2x} + 1) would lose it to cancellation).
/// Past |x| = 9, tanh rounds to ±1 in float; the clamp keeps 2^k in range.
/// The function is bound by its count of instructions, not by the division (which runs beside
/// them), so k and 2^k come from one rounding add (see `shifter`), and a NaN is carried by the
/// arithmetic instead of a compare and a select.
template <class A>
xsimd::batch<float, A> tanh_float(const xsimd::batch<float, A>& x) {
  using B = xsimd::batch<float, A>;
  using I = xsimd::batch<std::int32_t, A>;
  // x86's min returns its second operand when either is NaN: a NaN x goes on as NaN.
  const B a = xsimd::min(B(9.0f), xsimd::abs(x));
  // Adding 1.5·2²³ rounds 2|x|/ln 2 to the integer k (ulp 1 there) and leaves k + 127 in the
  // low mantissa bits, which the shift below moves into the exponent: 2^k, with no conversion.
  const B shifter(12583039.0f);  // 1.5·2²³ + 127
  const B s = detail::fma(a, B(2.88539008f), shifter);  // 2 / ln 2
  const B k = s - shifter;
  // r = 2|x| − k ln 2 in two parts (Cody–Waite): ln2_hi has trailing zero bits, so k·ln2_hi is exact.
  B r = detail::fma(k, B(-0.693145751953125f), a + a);
  r = detail::fma(k, B(-1.42860677e-06f), r);
  // expm1(r) = r + r²(1/2 + r/6 + … + r⁵/5040): the Taylor remainder is below 2⁻²⁶ relative.
  B p = detail::fma(r, B(1.0f / 5040), B(1.0f / 720));
  p = detail::fma(p, r, B(1.0f / 120));
  p = detail::fma(p, r, B(1.0f / 24));
  p = detail::fma(p, r, B(1.0f / 6));
  p = detail::fma(p, r, B(0.5f));
  p = detail::fma(p * r, r, r);
  const B two_k = xsimd::bitwise_cast<B>(xsimd::bitwise_cast<I>(s) << 23);
  const B e = detail::fma(two_k, p, two_k - B(1.0f));
  const B t = e / (e + B(2.0f));
  return xsimd::bitwise_cast<B>(xsimd::bitwise_cast<I>(t) | (xsimd::bitwise_cast<I>(x) & I(INT32_MIN)));
}

}  // namespace nimde::autodiff::detail
