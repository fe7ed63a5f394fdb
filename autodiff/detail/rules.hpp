// The rules of the elementwise operations, each written once. Internal.
//
// A function of autodiff/functions.hpp has one rule here, used everywhere the function is: by
// the taped Var and eager Array operations (ops.cpp, array.cpp, which therefore give the same
// bits), by the fused linear kernel (gemm.cpp, ops.cpp), by jets (jet.cpp) and on one number
// (functions.cpp). A rule states
//   value(x)               g(x), on SIMD batches and on plain numbers (xsimd's functions of a
//                          number are the std ones);
//   derivative(x)          g'(x), or
//   output_derivative(y)   g'(x) in terms of y = g(x) alone (a rule may state both), in generic
//                          operations, so that one line serves batches, numbers and jets.
// From these, unless the rule states a faster or more exact form itself:
//   grad(x, y, ȳ)          = ȳ·derivative(x), else ȳ·output_derivative(y)     (Var backward)
//   output_grad(y, ȳ)      = ȳ·output_derivative(y)     (fused linear backward, which keeps only
//                          y; an activation needs an output derivative to be fused)
//   the graph rule         x̄ = ȳ·derivative(x), else ȳ·output_derivative(y), evaluated on the
//                          tape's own numbers (ops.cpp), so that the generic operations record
//                          the derivative as operations, each differentiable in turn: a second
//                          derivative comes from the first, to any order       (Tape::grad)
//   the jet b = g(a)       b_0 = value(a_0), then the chain recurrence of jet.hpp,
//                          |β| b_β = Σ_{0<γ≤β} |γ| a_γ u_{β−γ}, with u = derivative(a), or with
//                          u = output_derivative(b) rebuilt wave by wave as b grows;
//                          a rule may name a dedicated jet routine instead (jet(a)).
//   the fused second order d/dy output_derivative(y), by a dual number (Dual) through its line:
//                          the backward of the fused linear's recorded ȳ ⊙ act'(y).
// A binary rule has value(a, b) and the two partial rules grad_a, grad_b; a rule with a
// parameter has value(x, p) and grad(x, y, ȳ, p). Both write their gradients in generic
// operations, which the graph rules evaluate on the tape as they are.
#pragma once

#include <type_traits>

#include "autodiff/activation.hpp"
#include "autodiff/detail/simd.hpp"
#include "autodiff/detail/tanh.hpp"
#include "autodiff/functions.hpp"
#include "autodiff/jet.hpp"

namespace nimde::autodiff::detail {

// ======================================================================================
// Generic pieces: each acts on batches, on numbers and on jets alike.
// ======================================================================================

/// x > 0 and x < 0: lane by lane on batches; on jets by their value a_0 (a piecewise function
/// of a jet takes the piece its value lies in).
template <class X> auto positive(const X& x) {
  if constexpr (std::is_same_v<X, Jet>) return x.value() > 0; else return x > X(0);
}
template <class X> auto negative(const X& x) {
  if constexpr (std::is_same_v<X, Jet>) return x.value() < 0; else return x < X(0);
}
/// c ? a : b, lane by lane when c is a batch of booleans (or a mask of the tape's numbers,
/// whose select is found by argument-dependent lookup).
template <class C, class X> X choose(const C& c, const X& a, const X& b) {
  using xsimd::select;
  if constexpr (std::is_same_v<C, bool>) return c ? a : b; else return select(c, a, b);
}

/// The generic jet of a rule (jet.cpp): the chain recurrence, or the rule's dedicated routine.
template <class Rule> Jet jet_of(const Jet& a);
/// g(x) for a rule on a batch, a number or a jet; a number of the tape (ops.cpp) records it as
/// the rule's operation.
template <class Rule, class X> X apply(const X& x) {
  if constexpr (std::is_same_v<X, Jet>) return jet_of<Rule>(x);
  else if constexpr (requires { X::template apply_rule<Rule>(x); }) return X::template apply_rule<Rule>(x);
  else return Rule::value(x);
}

// Dedicated jet routines (jet.cpp): recurrences faster than the generic one.
Jet exp_jet(const Jet& a);
Jet log_jet(const Jet& a);
Jet sqrt_jet(const Jet& a);
Jet sin_jet(const Jet& a);
Jet cos_jet(const Jet& a);
Jet tan_jet(const Jet& a);
Jet tanh_jet(const Jet& a);

// ======================================================================================
// The functions of the list (autodiff/functions.hpp), and the identity activation.
// ======================================================================================

struct Identity {  // x' = 1
  template <class X> static X value(X x) { return x; }
  template <class X> static X output_derivative(const X&) { return X(1); }
  template <class B> static B output_grad(B, B g) { return g; }
  static Jet jet(const Jet& a) { return a; }
};

struct Tanh {  // tanh' = 1 − tanh²
  template <class X> static X value(X x) { return xsimd::tanh(x); }
  template <class A> static xsimd::batch<float, A> value(xsimd::batch<float, A> x) { return tanh_float(x); }
  template <class X> static X output_derivative(const X& y) { return X(1) - y * y; }
  static Jet jet(const Jet& a) { return tanh_jet(a); }
};

struct Sigmoid {  // σ' = σ (1 − σ)
  template <class X> static X value(X x) { return X(1) / (X(1) + xsimd::exp(-x)); }
  template <class X> static X output_derivative(const X& y) { return y * (X(1) - y); }
};

struct Relu {  // relu' = [x > 0] = [y > 0]
  template <class X> static X value(X x) { return xsimd::max(x, X(0)); }
  template <class X> static X output_derivative(const X& y) { return choose(positive(y), X(1), X(0)); }
  // A select, not ȳ·[y > 0]: a negative ȳ gives +0 rather than −0.
  template <class B> static B output_grad(B y, B g) { return xsimd::select(y > B(0), g, B(0)); }
};

struct Elu {  // elu' = 1 for x > 0, eˣ = y + 1 otherwise (α = 1)
  template <class X> static X value(X x) { return choose(x > X(0), x, xsimd::expm1(x)); }
  template <class X> static X output_derivative(const X& y) { return choose(positive(y), X(1), y + X(1)); }
};

struct Softplus {  // softplus' = σ
  // log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}): no overflow for large x.
  template <class X> static X value(X x) { return xsimd::max(x, X(0)) + xsimd::log1p(xsimd::exp(-xsimd::abs(x))); }
  template <class X> static X derivative(const X& x) { return apply<Sigmoid>(x); }
  // σ(x) = 1 − e^{−y}: what the fused kernel, which keeps only y, uses.
  template <class B> static B output_derivative(B y) { return -xsimd::expm1(-y); }
};

struct Sin {  // sin' = cos
  template <class X> static X value(X x) { return xsimd::sin(x); }
  template <class X> static X derivative(const X& x) { return cos(x); }
  static Jet jet(const Jet& a) { return sin_jet(a); }
};

struct Cos {  // cos' = −sin
  template <class X> static X value(X x) { return xsimd::cos(x); }
  template <class X> static X derivative(const X& x) { return -sin(x); }
  static Jet jet(const Jet& a) { return cos_jet(a); }
};

struct Tan {  // tan' = 1 + tan²
  template <class X> static X value(X x) { return xsimd::tan(x); }
  template <class X> static X output_derivative(const X& y) { return X(1) + y * y; }
  static Jet jet(const Jet& a) { return tan_jet(a); }
};

struct Atan {  // atan' = 1 / (1 + x²)
  template <class X> static X value(X x) { return xsimd::atan(x); }
  template <class X> static X derivative(const X& x) { return X(1) / (X(1) + x * x); }
};

struct Abs {  // abs' = sign x (from the right at 0)
  template <class X> static X value(X x) { return xsimd::abs(x); }
  template <class X> static X derivative(const X& x) { return choose(negative(x), X(-1), X(1)); }
  static Jet jet(const Jet& a) { return a.value() < 0 ? -a : a; }
};

struct Exp {  // exp' = exp
  template <class X> static X value(X x) { return xsimd::exp(x); }
  template <class X> static X output_derivative(const X& y) { return y; }
  static Jet jet(const Jet& a) { return exp_jet(a); }
};

struct Log {  // log' = 1/x
  template <class X> static X value(X x) { return xsimd::log(x); }
  template <class X> static X derivative(const X& x) { return X(1) / x; }
  template <class B> static B grad(B x, B, B g) { return g / x; }  // one rounding, not two
  static Jet jet(const Jet& a) { return log_jet(a); }
};

struct Sqrt {  // sqrt' = 1 / (2 sqrt x)
  template <class X> static X value(X x) { return xsimd::sqrt(x); }
  template <class X> static X output_derivative(const X& y) { return X(1) / (X(2) * y); }
  template <class B> static B grad(B, B y, B g) { return g / (B(2) * y); }  // one rounding fewer
  static Jet jet(const Jet& a) { return sqrt_jet(a); }
};

struct Square {  // square' = 2x
  template <class X> static X value(X x) { return x * x; }
  template <class X> static X derivative(const X& x) { return X(2) * x; }
  static Jet jet(const Jet& a) { return a * a; }
};

// ======================================================================================
// What follows from a rule: its gradients, and the activations' dispatch.
// ======================================================================================

template <class Rule, class B> constexpr bool kHasDerivative = requires(B x) { Rule::derivative(x); };
template <class Rule, class B> constexpr bool kHasOutputGrad = requires(B y) { Rule::output_grad(y, y); };
/// Whether g' is a function of y = g(x) alone, so that `linear` can fuse g and keep only y.
template <class Rule, class B> constexpr bool kFusable =
    kHasOutputGrad<Rule, B> || requires(B y) { Rule::output_derivative(y); };

/// ȳ·g'(x) from the output y alone (for fusable rules).
template <class Rule, class B>
B output_grad(B y, B g) {
  if constexpr (kHasOutputGrad<Rule, B>) return Rule::output_grad(y, g);
  else return g * Rule::output_derivative(y);
}

/// ȳ·g'(x): the rule's own grad, else from the derivative in x, else from the output.
template <class Rule, class B>
B grad(B x, B y, B g) {
  if constexpr (requires { Rule::grad(x, y, g); }) return Rule::grad(x, y, g);
  else if constexpr (kHasDerivative<Rule, B>) return g * Rule::derivative(x);
  else return output_grad<Rule>(y, g);
}

/// A first-order dual number (v, d) over any number type X (batches, the tape's numbers):
/// d carries the derivative along one direction through the generic operations of a rule.
/// Evaluated on (y, 1), an activation's output_derivative φ(y) = act'(x) gives φ'(y) beside
/// φ(y): the second-order rule of the fused linear layer, from the same line as its first.
template <class X>
struct Dual {
  X v, d;
  Dual(X value, X derivative) : v(value), d(derivative) {}
  template <class S> requires std::is_arithmetic_v<S> Dual(S s) : v(X(s)), d(X(0)) {}  // a constant
  friend Dual operator+(const Dual& a, const Dual& b) { return {a.v + b.v, a.d + b.d}; }
  friend Dual operator-(const Dual& a, const Dual& b) { return {a.v - b.v, a.d - b.d}; }
  friend Dual operator*(const Dual& a, const Dual& b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
  friend Dual operator/(const Dual& a, const Dual& b) { return {a.v / b.v, (a.d - a.v / b.v * b.d) / b.v}; }
  friend Dual operator-(const Dual& a) { return {-a.v, -a.d}; }
  friend auto operator>(const Dual& a, const Dual& b) { return a.v > b.v; }
  friend auto operator<(const Dual& a, const Dual& b) { return a.v < b.v; }
  template <class M> friend Dual select(const M& m, const Dual& a, const Dual& b) {
    using xsimd::select;
    return {select(m, a.v, b.v), select(m, a.d, b.d)};
  }
};

/// Whether act'(x) is stated in y alone (tanh, sigmoid, relu, elu, identity; not softplus, whose
/// rule states σ(z)): then the fused linear's graph rule records ȳ ⊙ act'(y) as one operation.
template <class Rule> constexpr bool kOutputDerivativeOnly =
    !kHasDerivative<Rule, double> && requires(double y) { Rule::output_derivative(y); };

/// (φ(y), φ'(y)) for φ = Rule::output_derivative.
template <class Rule, class X>
Dual<X> output_derivative_dual(const X& y) {
  return Rule::output_derivative(Dual<X>(y, X(1)));
}

/// act(x) on a batch, a number or a jet.
template <class X>
X activate(Activation a, const X& x) {
  switch (a) {
#define NIMDE_ACTIVATE(name, Rule) \
  case Activation::name: return apply<Rule>(x);
    NIMDE_ACTIVATIONS(NIMDE_ACTIVATE)
#undef NIMDE_ACTIVATE
  }
  return x;
}

/// Whether `linear` can fuse act (see kFusable).
inline bool fusable(Activation a) {
  switch (a) {
#define NIMDE_FUSABLE(name, Rule) \
  case Activation::name: return kFusable<Rule, double>;
    NIMDE_ACTIVATIONS(NIMDE_FUSABLE)
#undef NIMDE_FUSABLE
  }
  return false;
}

/// dL/dz from dL/dy and the activation's output y, for the fusable activations.
template <class B>
B activation_grad(Activation a, B y, B g) {
  switch (a) {
#define NIMDE_ACTIVATION_GRAD(name, Rule)                                   \
  case Activation::name:                                                    \
    if constexpr (kFusable<Rule, B>) return output_grad<Rule>(y, g); \
    break;
    NIMDE_ACTIVATIONS(NIMDE_ACTIVATION_GRAD)
#undef NIMDE_ACTIVATION_GRAD
  }
  return g;  // not reached: `linear` applies an activation it cannot fuse as a node of its own
}

// ======================================================================================
// Arithmetic with a parameter s or k (OpParams): value(x, p) and grad(x, y, ȳ, p).
// ======================================================================================

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

#define NIMDE_PARAM_RULE(NAME, STR, VALUE, GRAD)                                                      \
  struct NAME {                                                                                       \
    static constexpr const char* name = STR;                                                          \
    template <class B, class P> static B value(B x, const P& p) { (void)p; return VALUE; }            \
    template <class B, class P> static B grad(B x, B y, B g, const P& p) { (void)x; (void)y; (void)p; return GRAD; } \
  };

NIMDE_PARAM_RULE(Neg, "neg", -x, -g)                                             // y = −x
NIMDE_PARAM_RULE(AddScalar, "add_scalar", x + param<B>(p.s), g)                   // y = x + s
NIMDE_PARAM_RULE(SubFromScalar, "rsub_scalar", param<B>(p.s) - x, -g)             // y = s − x
NIMDE_PARAM_RULE(MulScalar, "mul_scalar", x * param<B>(p.s), g * param<B>(p.s))   // y = s·x
NIMDE_PARAM_RULE(DivScalar, "div_scalar", x / param<B>(p.s), g / param<B>(p.s))   // y = x / s
NIMDE_PARAM_RULE(ScalarDiv, "rdiv_scalar", param<B>(p.s) / x, -g * y / x)         // y = s / x: ȳ·(−s/x²) = −ȳ·y/x
NIMDE_PARAM_RULE(PowInt, "pow", powi(x, p.k),                                    // k x^{k−1}
                 p.k == 0 ? B(0) : g * (param<B>(p.k) * powi(x, p.k - 1)))
#undef NIMDE_PARAM_RULE

/// value and grad of a unary rule, with its parameters if it takes any.
template <class Rule, class B, class P>
B value_with(B x, const P& p) {
  if constexpr (requires { Rule::value(x, p); }) return Rule::value(x, p); else return Rule::value(x);
}
template <class Rule, class B, class P>
B grad_with(B x, B y, B g, const P& p) {
  if constexpr (requires { Rule::grad(x, y, g, p); }) return Rule::grad(x, y, g, p); else return grad<Rule>(x, y, g);
}

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

}  // namespace nimde::autodiff::detail
