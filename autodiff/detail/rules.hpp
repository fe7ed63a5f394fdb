// The rules of the elementwise operations, shared by the taped Var operations (ops.cpp) and
// the eager Array operations (array.cpp) so that both compute the same bits. Internal.
//
// A unary rule has value(x) and grad(x, y, ȳ) = ȳ·dy/dx; a binary rule has value(a, b) and
// the two partial rules grad_a, grad_b. All are written once, for SIMD batches.
#pragma once

#include <cstring>

#include "autodiff/detail/map.hpp"
#include "autodiff/tape.hpp"

namespace nimde::autodiff::detail {

/// A parameter as a batch of the rule's element type.
template <class B>
B param(double s) {
  return B(static_cast<typename B::value_type>(s));
}

/// x^k for integer k by binary powering (exact for small k; k < 0 gives 1 / x^|k|).
template <class B>
B powi(B x, int k) {
  const bool invert = k < 0;
  unsigned n = invert ? static_cast<unsigned>(-k) : static_cast<unsigned>(k);
  B r(typename B::value_type(1));
  B base = x;
  while (n) {
    if (n & 1u) r *= base;
    n >>= 1u;
    if (n) base *= base;
  }
  return invert ? B(typename B::value_type(1)) / r : r;
}

// ======================================================================================
// Unary elementwise rules: value(x) and grad(x, y, ȳ) = ȳ · dy/dx.
// ======================================================================================
#define NIMDE_UNARY_RULE(NAME, STR, VALUE, GRAD)                               \
  struct NAME {                                                                \
    static constexpr const char* name = STR;                                   \
    template <class B> static B value(B x, const OpParams& p) { (void)p; return VALUE; } \
    template <class B> static B grad(B x, B y, B g, const OpParams& p) { (void)x; (void)y; (void)p; return GRAD; } \
  };

NIMDE_UNARY_RULE(Neg, "neg", -x, -g)                                             // y = −x
NIMDE_UNARY_RULE(AddScalar, "add_scalar", x + param<B>(p.s), g)                   // y = x + s
NIMDE_UNARY_RULE(SubFromScalar, "rsub_scalar", param<B>(p.s) - x, -g)             // y = s − x
NIMDE_UNARY_RULE(MulScalar, "mul_scalar", x * param<B>(p.s), g * param<B>(p.s))   // y = s·x
NIMDE_UNARY_RULE(DivScalar, "div_scalar", x / param<B>(p.s), g / param<B>(p.s))   // y = x / s
NIMDE_UNARY_RULE(ScalarDiv, "rdiv_scalar", param<B>(p.s) / x, -g * y / x)         // y = s / x: ȳ·(−s/x²) = −ȳ·y/x
NIMDE_UNARY_RULE(Tanh, "tanh", detail::tanh_b(x), g * (B(1) - y * y))            // 1 − y²
NIMDE_UNARY_RULE(Sigmoid, "sigmoid", detail::sigmoid_b(x), g * (y * (B(1) - y)))   // y(1 − y)
NIMDE_UNARY_RULE(Relu, "relu", detail::relu_b(x), xsimd::select(x > B(0), g, B(0)))
NIMDE_UNARY_RULE(Elu, "elu", detail::elu_b(x), xsimd::select(x > B(0), g, g * (y + B(1))))  // e^x = y + 1
NIMDE_UNARY_RULE(Softplus, "softplus", detail::softplus_b(x), g * detail::sigmoid_b(x))     // σ(x)
NIMDE_UNARY_RULE(Sin, "sin", xsimd::sin(x), g * xsimd::cos(x))
NIMDE_UNARY_RULE(Cos, "cos", xsimd::cos(x), -g * xsimd::sin(x))
NIMDE_UNARY_RULE(Tan, "tan", xsimd::tan(x), g * (B(1) + y * y))                   // 1 + tan²
NIMDE_UNARY_RULE(Abs, "abs", xsimd::abs(x), xsimd::select(x < B(0), -g, g))        // sign(x)
NIMDE_UNARY_RULE(Exp, "exp", xsimd::exp(x), g * y)
NIMDE_UNARY_RULE(Log, "log", xsimd::log(x), g / x)
NIMDE_UNARY_RULE(Sqrt, "sqrt", xsimd::sqrt(x), g / (B(2) * y))
NIMDE_UNARY_RULE(Square, "square", x * x, g * (B(2) * x))
NIMDE_UNARY_RULE(PowInt, "pow", powi(x, p.k),                                    // k x^{k−1}
                 p.k == 0 ? B(0) : g * (param<B>(p.k) * powi(x, p.k - 1)))
#undef NIMDE_UNARY_RULE

// ======================================================================================
// Binary elementwise rules with broadcasting: value(a, b), ā = grad_a(a, b, y, ȳ), b̄ = grad_b(...).
// ======================================================================================
struct Add {  // y = a + b
  static constexpr const char* name = "add";
  template <class B> static B value(B a, B b) { return a + b; }
  template <class B> static B grad_a(B, B, B, B g) { return g; }
  template <class B> static B grad_b(B, B, B, B g) { return g; }
};
struct Sub {  // y = a − b
  static constexpr const char* name = "sub";
  template <class B> static B value(B a, B b) { return a - b; }
  template <class B> static B grad_a(B, B, B, B g) { return g; }
  template <class B> static B grad_b(B, B, B, B g) { return -g; }
};
struct Mul {  // y = a·b
  static constexpr const char* name = "mul";
  template <class B> static B value(B a, B b) { return a * b; }
  template <class B> static B grad_a(B, B b, B, B g) { return g * b; }
  template <class B> static B grad_b(B a, B, B, B g) { return g * a; }
};
struct Div {  // y = a / b: ā = ȳ / b, b̄ = −ȳ a / b² = −ȳ y / b
  static constexpr const char* name = "div";
  template <class B> static B value(B a, B b) { return a / b; }
  template <class B> static B grad_a(B, B b, B, B g) { return g / b; }
  template <class B> static B grad_b(B, B b, B y, B g) { return -g * y / b; }
};

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
    const T s = detail::sum_all(full, rows * cols);
    g(0, 0) = accumulate ? g(0, 0) + s : s;
  } else if (gr == 1) {
    detail::column_sums(full, rows, cols, g.data(), accumulate);
  } else {
    detail::row_sums(full, rows, cols, g.data(), accumulate);
  }
}

template <class T>
bool same_shape(const Tensor<T>& a, const Tensor<T>& b) {
  return a.shape()[0] == b.shape()[0] && a.shape()[1] == b.shape()[1];
}

/// The output size along one dimension, or 0 if x and y do not broadcast.
inline std::size_t broadcast_dim(std::size_t x, std::size_t y) { return x == y ? x : x == 1 ? y : y == 1 ? x : 0; }


}  // namespace nimde::autodiff::detail
