// The float tanh of the kernels (autodiff/detail/tanh.hpp) against the double-precision libm
// tanh, on every float where its formula changes regime and on a dense sample elsewhere.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <catch2/catch.hpp>

#include "autodiff/detail/tanh.hpp"

using nimde::autodiff::detail::Batch;
using nimde::autodiff::detail::tanh_float;

namespace {

float from_bits(std::uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

/// |got − exact| in units of the last place of the float nearest `exact`.
double ulps(float got, double exact) {
  int e;
  std::frexp(exact, &e);
  const double ulp = std::ldexp(1.0, std::max(e, -125) - 24);
  return std::fabs(double(got) - exact) / ulp;
}

/// The largest error over the floats with bit patterns [lo, hi) taken `stride` apart.
double max_error(std::uint32_t lo, std::uint32_t hi, std::uint32_t stride, float& worst_x) {
  using B = Batch<float>;
  constexpr std::size_t W = B::size;
  alignas(64) float x[W], y[W];
  double worst = 0;
  for (std::uint64_t b = lo; b < hi; b += std::uint64_t(stride) * W) {
    for (std::size_t j = 0; j < W; ++j) x[j] = from_bits(std::uint32_t(std::min<std::uint64_t>(b + j * stride, hi - 1)));
    tanh_float(B::load_aligned(x)).store_aligned(y);
    for (std::size_t j = 0; j < W; ++j) {
      const double e = ulps(y[j], std::tanh(double(x[j])));
      if (e > worst) worst = e, worst_x = x[j];
    }
  }
  return worst;
}

float tanh_of(float x) { return tanh_float(Batch<float>(x)).get(0); }

}  // namespace

TEST_CASE("the kernels' float tanh is within 2.5 ulp of the exact value and rounds to ±1 past 16", "[functions][tanh]") {
  const std::uint32_t two_pow_minus_12 = 0x39800000u, sixteen = 0x41800000u, infinity = 0x7f800000u;
  float worst_x = 0;
  SECTION("every float in [2^-12, 16): small arguments, each step of k, the clamp at 9 and past it") {
    const double e = max_error(two_pow_minus_12, sixteen, 1, worst_x);
    INFO("worst at x = " << worst_x);
    CHECK(e <= 2.5);
  }
  SECTION("every 97th float below 2^-12, subnormals included, and from 16 to the largest float") {
    const double small = max_error(0, two_pow_minus_12, 97, worst_x);
    const double large = max_error(sixteen, infinity, 97, worst_x);
    INFO("worst at x = " << worst_x);
    CHECK(small <= 2.5);
    CHECK(large < 0.5);  // the nearest float, 1
  }
}

TEST_CASE("the kernels' float tanh is odd and keeps the special values", "[functions][tanh]") {
  for (float x : {1e-30f, 3e-5f, 0.17f, 0.5f, 1.0f, 2.5f, 8.9f, 50.0f}) {
    INFO("x = " << x);
    CHECK(tanh_of(-x) == -tanh_of(x));
  }
  CHECK(tanh_of(0.0f) == 0.0f);
  CHECK_FALSE(std::signbit(tanh_of(0.0f)));
  CHECK(std::signbit(tanh_of(-0.0f)));
  CHECK(tanh_of(std::numeric_limits<float>::infinity()) == 1.0f);
  CHECK(tanh_of(-std::numeric_limits<float>::infinity()) == -1.0f);
  CHECK(std::isnan(tanh_of(std::numeric_limits<float>::quiet_NaN())));
  CHECK(tanh_of(std::numeric_limits<float>::denorm_min()) == std::numeric_limits<float>::denorm_min());
}
