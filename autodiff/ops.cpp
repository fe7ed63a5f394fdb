// The operation table. Each operation is one block: its value rule and, beside it, its
// backward rule (x̄ += ȳ ∂y/∂x) twice: as a kernel for `backward`, and as a graph rule, the same
// chain rule in operations on Vars, for `grad(..., create_graph)`. Elementwise rules are written
// once, generically, in detail/rules.hpp: run through detail::map on SIMD batches they are the
// kernels; evaluated on Taped numbers (below) they are the graph rules. Structural and
// linear-algebra operations have their own small kernels and write their graph rules in the
// operations of this table.
#include "autodiff/ops.hpp"

#include <algorithm>
#include <cstring>

#include "autodiff/detail/map.hpp"
#include "autodiff/detail/rules.hpp"
#include "autodiff/gemm.hpp"

namespace nimde::autodiff {
namespace {

using detail::map;
using detail::map_to;
using namespace detail;  // the rules

/// The operands' tape, after checking that every operand is alive and on it.
template <class T, class... More>
Tape<T>& tape_of(const char* op, const Var<T>& first, const More&... more) {
  Tape<T>& tape = first.tape();
  tape.check(first, op);
  (tape.check(more, op), ...);
  return tape;
}

template <class Rule, class T> Var<T> unary(const Var<T>& x, OpParams p, const char* name);

// ======================================================================================
// Taped numbers: the generic rules evaluated as operations
// ======================================================================================
// The rules state derivatives in generic operations (1 − y², cos x, 1 / (1 + x²), choose(y > 0,
// 1, y + 1), ȳ·b, −ȳ·y / b, ...) that serve batches, numbers and jets. On Taped numbers they
// record those operations, each with a graph rule of its own: that is what makes every
// elementwise backward differentiable to any order, with nothing written twice. A Taped number
// is a Var, or a plain constant until it meets one (X(1), X(2), a parameter s).

/// The rule's function name, for the nodes a Taped number records.
template <class Rule>
constexpr const char* function_name() {
#define NIMDE_FUNCTION_NAME(name, R, domain) \
  if constexpr (std::is_same_v<Rule, detail::R>) return #name; else
  NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_NAME)
#undef NIMDE_FUNCTION_NAME
  return "function";
}

template <class T> struct TapedMask;

template <class T>
struct Taped {
  using value_type = T;
  Var<T> var;
  double c = 0;
  bool is_var = false;

  template <class S> requires std::is_arithmetic_v<S> Taped(S s) : c(static_cast<double>(s)) {}
  Taped(const Var<T>& v) : var(v), is_var(true) {}

  /// As a Var of shape rows × cols (a constant fills it).
  Var<T> to_var(Tape<T>& tape, std::size_t rows, std::size_t cols) const {
    return is_var ? var : tape.constant(rows, cols, static_cast<T>(c));
  }
  template <class Rule> static Taped apply_rule(const Taped& x) {
    if (!x.is_var) return Taped(Rule::value(static_cast<T>(x.c)));
    return Taped(unary<Rule>(x.var, OpParams{}, function_name<Rule>()));
  }
#define NIMDE_TAPED_FUNCTION(name, Rule, domain) \
  friend Taped name(const Taped& x) { return apply_rule<detail::Rule>(x); }
  NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_TAPED_FUNCTION)
#undef NIMDE_TAPED_FUNCTION

  // Constants fold; 0 and 1 leave the other operand as it is (exactly what the operation gives).
  friend Taped operator+(const Taped& a, const Taped& b) {
    if (!a.is_var) return !b.is_var ? Taped(a.c + b.c) : a.c == 0 ? b : Taped(b.var + a.c);
    return !b.is_var ? (b.c == 0 ? a : Taped(a.var + b.c)) : Taped(a.var + b.var);
  }
  friend Taped operator-(const Taped& a, const Taped& b) {
    if (!a.is_var) return !b.is_var ? Taped(a.c - b.c) : Taped(a.c - b.var);
    return !b.is_var ? (b.c == 0 ? a : Taped(a.var - b.c)) : Taped(a.var - b.var);
  }
  friend Taped operator*(const Taped& a, const Taped& b) {
    if (!a.is_var) return !b.is_var ? Taped(a.c * b.c) : a.c == 1 ? b : Taped(b.var * a.c);
    return !b.is_var ? (b.c == 1 ? a : Taped(a.var * b.c)) : Taped(a.var * b.var);
  }
  friend Taped operator/(const Taped& a, const Taped& b) {
    if (!a.is_var) return !b.is_var ? Taped(a.c / b.c) : Taped(a.c / b.var);
    return !b.is_var ? (b.c == 1 ? a : Taped(a.var / b.c)) : Taped(a.var / b.var);
  }
  friend Taped operator-(const Taped& a) { return a.is_var ? Taped(-a.var) : Taped(-a.c); }
  Taped& operator*=(const Taped& b) { return *this = *this * b; }
  friend TapedMask<T> operator>(const Taped& a, const Taped& b) { return TapedMask<T>::of(a, b); }
  friend TapedMask<T> operator<(const Taped& a, const Taped& b) { return TapedMask<T>::of(b, a); }
};

/// Where a comparison of Taped numbers holds (1) or not (0), as constants: a piecewise rule
/// takes the piece its value lies in, and the choice itself has no derivative.
template <class T>
struct TapedMask {
  Var<T> on, off;  // the mask and its complement

  /// a > b, lane by lane (one of them a Var, the other a Var or a constant).
  static TapedMask of(const Taped<T>& a, const Taped<T>& b) {
    const Var<T>& shape = a.is_var ? a.var : b.var;
    Tape<T>& tape = shape.tape();
    TapedMask m{tape.constant(shape.rows(), shape.cols(), T(0)), tape.constant(shape.rows(), shape.cols(), T(0))};
    const std::size_t n = shape.value().size();
    const T* av = a.is_var ? a.var.value().data() : nullptr;
    const T* bv = b.is_var ? b.var.value().data() : nullptr;
    T* on = tape.node(m.on).value.data();
    T* off = tape.node(m.off).value.data();
    for (std::size_t i = 0; i < n; ++i) {
      const bool hit = (av ? av[i] : static_cast<T>(a.c)) > (bv ? bv[i] : static_cast<T>(b.c));
      on[i] = hit ? T(1) : T(0);
      off[i] = hit ? T(0) : T(1);
    }
    return m;
  }
  /// m ? a : b as a·m + b·(1 − m), exact for finite a and b.
  friend Taped<T> select(const TapedMask& m, const Taped<T>& a, const Taped<T>& b) {
    return Taped<T>(m.on) * a + Taped<T>(m.off) * b;
  }
};

/// x̄ = ȳ·g'(x) on the tape: the parameter rules' own generic gradient, else the derivative in x,
/// else in y, as detail::grad prefers them (Rule::grad and Rule::output_grad of the functions
/// are batch-only shortcuts of the same formula).
template <class Rule, class X>
X graph_grad(const X& x, const X& y, const X& g, const OpParams& p) {
  if constexpr (requires { Rule::grad(x, y, g, p); }) return Rule::grad(x, y, g, p);
  else if constexpr (kHasDerivative<Rule, X>) return g * Rule::derivative(x);
  else return g * Rule::output_derivative(y);
}

/// v summed over the dimensions in which `like` was broadcast to v's shape.
template <class T>
Var<T> sum_to(const Var<T>& v, const Var<T>& like) {
  if (v.rows() == like.rows() && v.cols() == like.cols()) return v;
  if (like.rows() == 1 && like.cols() == 1) return sum(v);
  return like.rows() == 1 ? sum(v, 0) : sum(v, 1);
}

/// v (1×1, 1×cols or rows×1) repeated to rows × cols, as an operation (adding it to zeros).
template <class T>
Var<T> broadcast_to(const Var<T>& v, std::size_t rows, std::size_t cols) {
  if (v.rows() == rows && v.cols() == cols) return v;
  return v.tape().constant(rows, cols, T(0)) + v;
}

template <class T, class Rule>
void unary_graph(GradGraph<T>& g) {
  using X = Taped<T>;
  const Var<T> x = g.input(0);
  g.add(0, graph_grad<Rule>(X(x), X(g.output()), X(g.output_grad()), g.params()).to_var(g.tape(), x.rows(), x.cols()));
}

template <class T, class Rule>
void unary_backward(Tape<T>& tape, Node<T>& n) {
  if (!tape.input(n, 0).requires_grad) return;
  bool fresh;
  Tensor<T>& gx = tape.input_grad(n, 0, fresh);
  const OpParams p = n.params;
  map_to(!fresh, gx.data(), gx.size(), [&p](auto x, auto y, auto g) { return grad_with<Rule>(x, y, g, p); },
         tape.input(n, 0).value.data(), n.value.data(), n.grad.data());
}

/// y = g(x) for a rule g (of a function of the list, named `name`, or with parameters p).
template <class Rule, class T>
Var<T> unary(const Var<T>& x, OpParams p, const char* name) {
  Tape<T>& tape = tape_of(name, x);
  const Var<T> in[] = {x};
  Var<T> y = tape.record(name, x.rows(), x.cols(), in, &unary_backward<T, Rule>, p, &unary_graph<T, Rule>);
  Node<T>& n = tape.node(y);
  map(n.value.data(), n.value.size(), [&p](auto v) { return value_with<Rule>(v, p); }, tape.node(x).value.data());
  return y;
}

/// act(z) as an operation of its own, for the activations `linear` cannot fuse.
template <class T>
Var<T> apply_activation(const Var<T>& z, Activation act) {
  switch (act) {
#define NIMDE_ACTIVATION_OP(name, Rule) \
  case Activation::name: return unary<detail::Rule>(z, OpParams{}, #name);
    NIMDE_ACTIVATIONS(NIMDE_ACTIVATION_OP)
#undef NIMDE_ACTIVATION_OP
  }
  return z;
}

/// Backward of a binary op. At most one operand is broadcast; its expanded copy sits in aux.
template <class T, class Rule>
void binary_backward(Tape<T>& tape, Node<T>& n) {
  Node<T>& a = tape.input(n, 0);
  Node<T>& b = tape.input(n, 1);
  const std::size_t size = n.value.size(), rows = n.value.shape()[0], cols = n.value.shape()[1];
  const bool a_full = same_shape(a.value, n.value), b_full = same_shape(b.value, n.value);
  const T* av = a_full ? a.value.data() : n.aux.data();
  const T* bv = b_full ? b.value.data() : n.aux.data();
  auto ga = [](auto x, auto y, auto v, auto g) { return Rule::grad_a(x, y, v, g); };
  auto gb = [](auto x, auto y, auto v, auto g) { return Rule::grad_b(x, y, v, g); };
  // Full-shape operands first: the broadcast operand's contribution then overwrites aux.
  bool fresh;
  if (a.requires_grad && a_full) {
    Tensor<T>& g = tape.input_grad(n, 0, fresh);
    map_to(!fresh, g.data(), size, ga, av, bv, n.value.data(), n.grad.data());
  }
  if (b.requires_grad && b_full) {
    Tensor<T>& g = tape.input_grad(n, 1, fresh);
    map_to(!fresh, g.data(), size, gb, av, bv, n.value.data(), n.grad.data());
  }
  if (a.requires_grad && !a_full) {
    map(n.aux.data(), size, ga, av, bv, n.value.data(), n.grad.data());
    Tensor<T>& g = tape.input_grad(n, 0, fresh);
    reduce_to(n.aux.data(), rows, cols, g, !fresh);
  }
  if (b.requires_grad && !b_full) {
    map(n.aux.data(), size, gb, av, bv, n.value.data(), n.grad.data());
    Tensor<T>& g = tape.input_grad(n, 1, fresh);
    reduce_to(n.aux.data(), rows, cols, g, !fresh);
  }
}

// The partial rules grad_a, grad_b on Taped numbers, broadcasting as the operation did, then
// summed back to the operand's shape.
template <class T, class Rule>
void binary_graph(GradGraph<T>& g) {
  using X = Taped<T>;
  const Var<T> a = g.input(0), b = g.input(1);
  const X av(a), bv(b), y(g.output()), gy(g.output_grad());
  if (g.needs(0)) g.add(0, sum_to(Rule::grad_a(av, bv, y, gy).to_var(g.tape(), y.var.rows(), y.var.cols()), a));
  if (g.needs(1)) g.add(1, sum_to(Rule::grad_b(av, bv, y, gy).to_var(g.tape(), y.var.rows(), y.var.cols()), b));
}

template <class Rule, class T>
Var<T> binary(const Var<T>& a, const Var<T>& b) {
  Tape<T>& tape = tape_of(Rule::name, a, b);
  const std::size_t rows = broadcast_dim(a.rows(), b.rows()), cols = broadcast_dim(a.cols(), b.cols());
  const bool a_full = a.rows() == rows && a.cols() == cols, b_full = b.rows() == rows && b.cols() == cols;
  if (rows == 0 || cols == 0 || (!a_full && !b_full))
    throw std::invalid_argument(std::string(Rule::name) + ": shapes " + shape_string(a.value()) + " and " +
                                shape_string(b.value()) + " do not broadcast");
  const Var<T> in[] = {a, b};
  Var<T> y = tape.record(Rule::name, rows, cols, in, &binary_backward<T, Rule>, {}, &binary_graph<T, Rule>);
  Node<T>& n = tape.node(y);
  const Node<T>& an = tape.node(a);
  const Node<T>& bn = tape.node(b);
  const T* av = an.value.data();
  const T* bv = bn.value.data();
  if (!a_full || !b_full) {
    n.aux.resize({rows, cols});
    expand(a_full ? bn.value : an.value, n.aux.data(), rows, cols);
    (a_full ? bv : av) = n.aux.data();
  }
  map(n.value.data(), n.value.size(), [](auto x, auto z) { return Rule::value(x, z); }, av, bv);
  return y;
}

// y = a + c·x, one node for a step's update y + h·k:  ā = ȳ,  x̄ = c·ȳ. The same roundings as
// the product and the sum recorded apart, in forward and backward, so a solver step gives the
// same bits either way; no rule reads a value, and the tape keeps one value where it kept two.
template <class T>
void axpy_backward(Tape<T>& tape, Node<T>& n) {
  using B = detail::Batch<T>;
  const B c = detail::param<B>(n.params.s);
  bool fresh;
  if (tape.input(n, 0).requires_grad) {
    Tensor<T>& g = tape.input_grad(n, 0, fresh);
    map_to(!fresh, g.data(), g.size(), [](auto gy) { return gy; }, n.grad.data());
  }
  if (tape.input(n, 1).requires_grad) {
    Tensor<T>& g = tape.input_grad(n, 1, fresh);
    map_to(!fresh, g.data(), g.size(), [c](auto gy) { return gy * c; }, n.grad.data());
  }
}

template <class T>
void axpy_graph(GradGraph<T>& g) {
  if (g.needs(0)) g.add(0, g.output_grad());
  if (g.needs(1)) g.add(1, g.output_grad() * g.params().s);
}

// ======================================================================================
// Linear algebra
// ======================================================================================
// y = op(A)·op(B):  d op(A) = ȳ·op(B)ᵀ,  d op(B) = op(A)ᵀ·ȳ; a transposed operand takes the
// transpose of its rule, which the GEMM's transpose flags express without copies.
template <class T>
void matmul_backward(Tape<T>& tape, Node<T>& n) {
  const bool ta = n.params.flags & 1, tb = n.params.flags & 2;
  const Node<T>& A = tape.input(n, 0);
  const Node<T>& Bn = tape.input(n, 1);
  const std::size_t ca = A.value.shape()[1], cb = Bn.value.shape()[1];
  const std::size_t M = n.value.shape()[0], N = n.value.shape()[1], K = ta ? A.value.shape()[0] : ca;
  const T* g = n.grad.data();
  bool fresh;
  if (A.requires_grad) {
    T* dA = tape.input_grad(n, 0, fresh).data();
    if (!ta)
      gemm(M, K, N, g, N, false, Bn.value.data(), cb, !tb, dA, ca, !fresh);
    else
      gemm(K, M, N, Bn.value.data(), cb, tb, g, N, true, dA, ca, !fresh);
  }
  if (Bn.requires_grad) {
    T* dB = tape.input_grad(n, 1, fresh).data();
    if (!tb)
      gemm(K, N, M, A.value.data(), ca, !ta, g, N, false, dB, cb, !fresh);
    else
      gemm(N, K, M, g, N, true, A.value.data(), ca, ta, dB, cb, !fresh);
  }
}

template <class T>
void matmul_graph(GradGraph<T>& g) {
  const bool ta = g.params().flags & 1, tb = g.params().flags & 2;
  const Var<T> A = g.input(0), B = g.input(1), gy = g.output_grad();
  if (g.needs(0)) g.add(0, !ta ? matmul(gy, B, false, !tb) : matmul(B, gy, tb, true));
  if (g.needs(1)) g.add(1, !tb ? matmul(A, gy, !ta, false) : matmul(gy, A, true, ta));
}

// y = act(z), z = x·Wᵀ + b:  z̄ = ȳ ⊙ act'(y),  x̄ = z̄·W,  W̄ = z̄ᵀ·x,  b̄ = Σ_rows z̄.
template <class T>
void linear_backward(Tape<T>& tape, Node<T>& n) {
  const Activation act = static_cast<Activation>(n.params.k);
  const Node<T>& x = tape.input(n, 0);
  const Node<T>& W = tape.input(n, 1);
  const std::size_t batch = n.value.shape()[0], out = n.value.shape()[1], in = x.value.shape()[1];
  const T* dz = n.grad.data();
  bool fresh;
  const bool bias_grad = tape.input(n, 2).requires_grad;
  bool bias_done = false;
  if (act != Activation::identity) {
    // dz = act'(y) ⊙ dy, with the bias gradient Σ_rows dz taken in the same pass. It overwrites
    // dy, which nothing reads after this rule, unless the node's gradient is to be kept.
    T* out_dz = n.grad.data();
    if (n.keeps_grad()) {
      n.aux.resize(n.value.shape());
      out_dz = n.aux.data();
    }
    auto rule = [act](auto y, auto g) { return detail::activation_grad(act, y, g); };
    if (bias_grad) {
      Tensor<T>& db = tape.input_grad(n, 2, fresh);
      detail::map_and_column_sums(out_dz, batch, out, db.data(), !fresh, rule, n.value.data(), n.grad.data());
      bias_done = true;
    } else {
      map(out_dz, n.value.size(), rule, n.value.data(), n.grad.data());
    }
    dz = out_dz;
  }
  tape.value_read(n);  // x̄ may take y's buffer: one layer-sized buffer fewer at backward's peak
  if (x.requires_grad) {
    Tensor<T>& dx = tape.input_grad(n, 0, fresh);
    gemm(batch, in, out, dz, out, false, W.value.data(), in, false, dx.data(), in, !fresh);
  }
  if (W.requires_grad) {
    Tensor<T>& dW = tape.input_grad(n, 1, fresh);
    gemm(out, in, batch, dz, out, true, x.value.data(), in, false, dW.data(), in, !fresh);
  }
  if (bias_grad && !bias_done) {
    Tensor<T>& db = tape.input_grad(n, 2, fresh);
    detail::column_sums(dz, batch, out, db.data(), !fresh);
  }
}

// dz = ȳ ⊙ φ(y), φ(y) = act'(x) the activation's output derivative, as one operation: what the
// fused linear's graph rule records in place of three elementwise ones, with the first-order
// kernel's bits. Its backward:  ∂dz/∂ȳ = φ(y),  ∂dz/∂y = ȳ ⊙ φ'(y), φ' by a dual number
// through φ's line (detail::Dual); its graph rule is the same in Taped numbers.
template <class T, class Rule>
void activation_grad_backward(Tape<T>& tape, Node<T>& n) {
  const T* y = tape.input(n, 0).value.data();
  const T* gy = tape.input(n, 1).value.data();
  auto d_gy = [](auto yv, auto w) { return output_grad<Rule>(yv, w); };
  auto d_y = [](auto yv, auto gv, auto w) { return w * gv * output_derivative_dual<Rule>(yv).d; };
  const bool want_y = tape.input(n, 0).requires_grad, want_gy = tape.input(n, 1).requires_grad;
  bool fresh_y, fresh_gy;
  if (want_y && want_gy) {  // both in one pass over y, ȳ and the incoming gradient
    Tensor<T>& g_y = tape.input_grad(n, 0, fresh_y);
    Tensor<T>& g_gy = tape.input_grad(n, 1, fresh_gy);
    map_two(!fresh_y, !fresh_gy, g_y.data(), g_gy.data(), g_y.size(),
            [&](auto yv, auto gv, auto w) { return std::pair(d_y(yv, gv, w), d_gy(yv, w)); }, y, gy, n.grad.data());
  } else if (want_gy) {
    Tensor<T>& g = tape.input_grad(n, 1, fresh_gy);
    map_to(!fresh_gy, g.data(), g.size(), d_gy, y, n.grad.data());
  } else if (want_y) {
    Tensor<T>& g = tape.input_grad(n, 0, fresh_y);
    map_to(!fresh_y, g.data(), g.size(), d_y, y, gy, n.grad.data());
  }
}

template <class T, class Rule>
void activation_grad_graph(GradGraph<T>& g) {
  using X = Taped<T>;
  const Var<T> y = g.input(0);
  const X w(g.output_grad());
  const Dual<X> phi = output_derivative_dual<Rule>(X(y));
  if (g.needs(1)) g.add(1, (w * phi.v).to_var(g.tape(), y.rows(), y.cols()));
  if (g.needs(0)) g.add(0, (w * X(g.input(1)) * phi.d).to_var(g.tape(), y.rows(), y.cols()));
}

template <class Rule, class T>
Var<T> activation_grad(const Var<T>& y, const Var<T>& gy) {
  Tape<T>& tape = y.tape();
  const Var<T> in[] = {y, gy};
  Var<T> dz = tape.record("activation_grad", y.rows(), y.cols(), in, &activation_grad_backward<T, Rule>, {},
                          &activation_grad_graph<T, Rule>);
  map(tape.node(dz).value.data(), y.value().size(), [](auto yv, auto w) { return output_grad<Rule>(yv, w); },
      tape.node(y).value.data(), tape.node(gy).value.data());
  return dz;
}

/// z̄ = ȳ ⊙ act'(z) on the tape for linear's graph rule: one operation when act' is a function of
/// y (tanh: 1 − y²), as in the kernel; for an activation whose rule states its derivative in z
/// (softplus: σ(z)), from z recomputed.
template <class Rule, class T>
Var<T> fused_grad(GradGraph<T>& g) {
  using X = Taped<T>;
  if constexpr (kOutputDerivativeOnly<Rule>)
    return activation_grad<Rule>(g.output(), g.output_grad());
  else
    return (X(g.output_grad()) * Rule::derivative(X(linear(g.input(0), g.input(1), g.input(2))))).var;
}

template <class T>
void linear_graph(GradGraph<T>& g) {
  const Activation act = static_cast<Activation>(g.params().k);
  const Var<T> x = g.input(0), W = g.input(1);
  Var<T> dz = g.output_grad();
  if (act != Activation::identity) switch (act) {
#define NIMDE_FUSED_GRAD(name, Rule) \
  case Activation::name: dz = fused_grad<detail::Rule>(g); break;
    NIMDE_ACTIVATIONS(NIMDE_FUSED_GRAD)
#undef NIMDE_FUSED_GRAD
  }
  if (g.needs(0)) g.add(0, matmul(dz, W));
  if (g.needs(1)) g.add(1, matmul(dz, x, true, false));
  if (g.needs(2)) g.add(2, sum(dz, 0));
}

// ======================================================================================
// Reductions: y = Σ x / count over all elements, over rows (axis 0) or over columns (axis 1).
// x̄ = ȳ / count repeated over the summed dimension.
// ======================================================================================
template <class T>
void reduce_backward(Tape<T>& tape, Node<T>& n) {
  if (!tape.input(n, 0).requires_grad) return;
  bool fresh;
  Tensor<T>& gx = tape.input_grad(n, 0, fresh);
  const std::size_t rows = gx.shape()[0], cols = gx.shape()[1];
  const T count = static_cast<T>(n.params.s);
  const int axis = n.params.k;
  using B = detail::Batch<T>;
  for (std::size_t i = 0; i < rows; ++i) {
    T* row = gx.data() + i * cols;
    if (axis == 0) {
      map_to(!fresh, row, cols, [count](auto g) { return g / decltype(g)(count); }, n.grad.data());
    } else {
      const T gi = n.grad.data()[axis == 1 ? i : 0] / count;
      map_to(!fresh, row, cols, [gi]() { return B(gi); });
    }
  }
}

template <class T>
void reduce_graph(GradGraph<T>& g) {
  const Var<T> x = g.input(0);
  const double count = g.params().s;
  g.add(0, broadcast_to(count == 1 ? g.output_grad() : g.output_grad() / count, x.rows(), x.cols()));
}

/// axis −1: everything; `divide` selects mean over sum.
template <class T>
Var<T> reduce(const Var<T>& x, int axis, bool divide, const char* name) {
  if (axis < -1 || axis > 1)
    throw std::invalid_argument(std::string(name) + ": axis " + std::to_string(axis) + " for a tensor of shape " +
                                shape_string(x.value()) + " (use 0 or 1)");
  Tape<T>& tape = tape_of(name, x);
  const std::size_t rows = x.rows(), cols = x.cols();
  const std::size_t out_rows = axis == 1 ? rows : 1, out_cols = axis == 0 ? cols : 1;
  const double count = !divide ? 1.0 : axis == 0 ? double(rows) : axis == 1 ? double(cols) : double(rows * cols);
  const Var<T> in[] = {x};
  Var<T> y = tape.record(name, out_rows, out_cols, in, &reduce_backward<T>, OpParams{count, axis, 0}, &reduce_graph<T>);
  Node<T>& n = tape.node(y);
  const T* xv = tape.node(x).value.data();
  if (axis == -1)
    n.value(0, 0) = detail::sum_all(xv, rows * cols);
  else if (axis == 0)
    detail::column_sums(xv, rows, cols, n.value.data(), false);
  else
    detail::row_sums(xv, rows, cols, n.value.data(), false);
  if (divide) {
    const T c = static_cast<T>(count);
    map(n.value.data(), n.value.size(), [c](auto v) { return v / decltype(v)(c); }, n.value.data());
  }
  return y;
}

// mse = Σ (a − b)² / n:  ā = ȳ · 2 (a − b) / n,  b̄ = −ā. aux keeps a − b.
template <class T>
void mse_backward(Tape<T>& tape, Node<T>& n) {
  const T scale = n.grad(0, 0) * T(2) / static_cast<T>(n.aux.size());
  auto rule = [scale](auto d) { return d * decltype(d)(scale); };
  auto neg_rule = [scale](auto d) { return d * decltype(d)(-scale); };
  bool fresh;
  if (tape.input(n, 0).requires_grad) {
    Tensor<T>& g = tape.input_grad(n, 0, fresh);
    map_to(!fresh, g.data(), g.size(), rule, n.aux.data());
  }
  if (tape.input(n, 1).requires_grad) {
    Tensor<T>& g = tape.input_grad(n, 1, fresh);
    map_to(!fresh, g.data(), g.size(), neg_rule, n.aux.data());
  }
}

template <class T>
void mse_graph(GradGraph<T>& g) {
  const Var<T> a = g.input(0), b = g.input(1);
  const Var<T> ga = (a - b) * (g.output_grad() * (2.0 / static_cast<double>(a.value().size())));
  if (g.needs(0)) g.add(0, ga);
  if (g.needs(1)) g.add(1, -ga);
}

// ======================================================================================
// Structure: column slices and concatenation move values; gradients move back the same way.
// ======================================================================================
/// dst[i][dst_col + j] (+)= src[i][src_col + j] for j < count.
template <class T>
void copy_cols(const T* src, std::size_t src_ld, std::size_t src_col, T* dst, std::size_t dst_ld,
               std::size_t dst_col, std::size_t rows, std::size_t count, bool accumulate) {
#pragma omp parallel for schedule(static) if (rows * count > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(rows); ++i) {
    const T* s = src + i * src_ld + src_col;
    T* d = dst + i * dst_ld + dst_col;
    for (std::size_t j = 0; j < count; ++j) d[j] = accumulate ? d[j] + s[j] : s[j];
  }
}

template <class T>
void slice_backward(Tape<T>& tape, Node<T>& n) {
  if (!tape.input(n, 0).requires_grad) return;
  bool fresh;
  Tensor<T>& gx = tape.input_grad(n, 0, fresh);
  if (fresh) gx.fill(T(0));
  const std::size_t rows = gx.shape()[0], cols = gx.shape()[1], count = n.value.shape()[1];
  copy_cols(n.grad.data(), count, 0, gx.data(), cols, static_cast<std::size_t>(n.params.k), rows, count, true);
}

// x̄ = ȳ between columns of zeros; the parts of a concatenation get their slices of ȳ.
template <class T>
void slice_graph(GradGraph<T>& g) {
  const Var<T> x = g.input(0), gy = g.output_grad();
  const std::size_t start = static_cast<std::size_t>(g.params().k), count = gy.cols(), rest = x.cols() - start - count;
  Tape<T>& tape = g.tape();
  std::vector<Var<T>> parts;
  if (start) parts.push_back(tape.constant(x.rows(), start, T(0)));
  parts.push_back(gy);
  if (rest) parts.push_back(tape.constant(x.rows(), rest, T(0)));
  g.add(0, parts.size() == 1 ? gy : concat_cols(std::span<const Var<T>>(parts)));
}

template <class T>
void concat_graph(GradGraph<T>& g) {
  const Var<T> gy = g.output_grad();
  std::size_t offset = 0;
  for (std::uint32_t p = 0; p < g.input_count(); ++p) {
    const std::size_t c = g.input(p).cols();
    if (g.needs(p)) g.add(p, slice_cols(gy, offset, c));
    offset += c;
  }
}

template <class T>
void concat_backward(Tape<T>& tape, Node<T>& n) {
  const std::size_t rows = n.value.shape()[0], cols = n.value.shape()[1];
  std::size_t offset = 0;
  for (std::uint32_t p = 0; p < n.input_count; ++p) {
    const Node<T>& part = tape.input(n, p);
    const std::size_t c = part.value.shape()[1];
    if (part.requires_grad) {
      bool fresh;
      Tensor<T>& g = tape.input_grad(n, p, fresh);
      copy_cols(n.grad.data(), cols, offset, g.data(), c, 0, rows, c, !fresh);
    }
    offset += c;
  }
}

}  // namespace

// ---- arithmetic ----
template <class T> Var<T> operator+(const Var<T>& a, const Var<T>& b) { return binary<Add>(a, b); }
template <class T> Var<T> operator-(const Var<T>& a, const Var<T>& b) { return binary<Sub>(a, b); }
template <class T> Var<T> operator*(const Var<T>& a, const Var<T>& b) { return binary<Mul>(a, b); }
template <class T> Var<T> operator/(const Var<T>& a, const Var<T>& b) { return binary<Div>(a, b); }
template <class T> Var<T> operator-(const Var<T>& a) { return unary<Neg>(a, {}, Neg::name); }
template <class T> Var<T> operator+(const Var<T>& a, double s) { return unary<AddScalar>(a, {s}, AddScalar::name); }
template <class T> Var<T> operator+(double s, const Var<T>& a) { return unary<AddScalar>(a, {s}, AddScalar::name); }
template <class T> Var<T> operator-(const Var<T>& a, double s) { return unary<AddScalar>(a, {-s}, AddScalar::name); }
template <class T> Var<T> operator-(double s, const Var<T>& a) { return unary<SubFromScalar>(a, {s}, SubFromScalar::name); }
template <class T> Var<T> operator*(const Var<T>& a, double s) { return unary<MulScalar>(a, {s}, MulScalar::name); }
template <class T> Var<T> operator*(double s, const Var<T>& a) { return unary<MulScalar>(a, {s}, MulScalar::name); }
template <class T> Var<T> operator/(const Var<T>& a, double s) { return unary<DivScalar>(a, {s}, DivScalar::name); }
template <class T> Var<T> operator/(double s, const Var<T>& a) { return unary<ScalarDiv>(a, {s}, ScalarDiv::name); }

template <class T>
Var<T> axpy(const Var<T>& a, const Var<T>& x, double c) {
  Tape<T>& tape = tape_of("axpy", a, x);
  if (!same_shape(a.value(), x.value()))
    throw std::invalid_argument("axpy: shapes " + shape_string(a.value()) + " and " + shape_string(x.value()) +
                                " differ");
  const Var<T> in[] = {a, x};
  Var<T> y = tape.record("axpy", a.rows(), a.cols(), in, &axpy_backward<T>, OpParams{c}, &axpy_graph<T>);
  using B = detail::Batch<T>;
  const B cb = detail::param<B>(c);
  map(tape.node(y).value.data(), a.value().size(), [cb](auto av, auto xv) { return av + xv * cb; },
      tape.node(a).value.data(), tape.node(x).value.data());
  return y;
}

// ---- elementary functions: the list, each with its rule ----
#define NIMDE_DEFINE_VAR_FUNCTION(name, Rule, domain)                                        \
  template <class T> Var<T> name(const Var<T>& x) { return unary<detail::Rule>(x, OpParams{}, #name); } \
  template Var<float> name(const Var<float>&);                                               \
  template Var<double> name(const Var<double>&);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DEFINE_VAR_FUNCTION)
#undef NIMDE_DEFINE_VAR_FUNCTION
template <class T> Var<T> pow(const Var<T>& x, int k) { return unary<PowInt>(x, {0, k}, PowInt::name); }

// ---- linear algebra ----
template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b, bool trans_a, bool trans_b) {
  Tape<T>& tape = tape_of("matmul", a, b);
  const std::size_t M = trans_a ? a.cols() : a.rows(), K = trans_a ? a.rows() : a.cols();
  const std::size_t Kb = trans_b ? b.cols() : b.rows(), N = trans_b ? b.rows() : b.cols();
  if (K != Kb)
    throw std::invalid_argument("matmul: shapes " + shape_string(a.value()) + (trans_a ? "ᵀ" : "") + " and " +
                                shape_string(b.value()) + (trans_b ? "ᵀ" : "") + " do not match");
  const Var<T> in[] = {a, b};
  Var<T> y = tape.record("matmul", M, N, in, &matmul_backward<T>, OpParams{0, 0, (trans_a ? 1 : 0) | (trans_b ? 2 : 0)},
                         &matmul_graph<T>);
  Node<T>& n = tape.node(y);
  gemm(M, N, K, tape.node(a).value.data(), a.cols(), trans_a, tape.node(b).value.data(), b.cols(), trans_b,
       n.value.data(), N, false);
  return y;
}

template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& W, const Var<T>& b, Activation act) {
  if (!detail::fusable(act)) return apply_activation(linear(x, W, b), act);
  Tape<T>& tape = tape_of("linear", x, W, b);
  const std::size_t batch = x.rows(), in = x.cols(), out = W.rows();
  if (W.cols() != in || b.rows() != 1 || b.cols() != out)
    throw std::invalid_argument("linear: x " + shape_string(x.value()) + ", W " + shape_string(W.value()) + ", b " +
                                shape_string(b.value()) + " (expected x [n x in], W [out x in], b [1 x out])");
  const Var<T> inputs[] = {x, W, b};
  Var<T> y = tape.record("linear", batch, out, inputs, &linear_backward<T>, OpParams{0, static_cast<int>(act), 0},
                         &linear_graph<T>);
  Node<T>& n = tape.node(y);
  gemm(batch, out, in, tape.node(x).value.data(), in, false, tape.node(W).value.data(), in, true, n.value.data(), out,
       false, GemmEpilogue<T>{tape.node(b).value.data(), act});
  return y;
}

// ---- reductions ----
template <class T> Var<T> sum(const Var<T>& x) { return reduce(x, -1, false, "sum"); }
template <class T> Var<T> sum(const Var<T>& x, int axis) { return reduce(x, axis, false, "sum"); }
template <class T> Var<T> mean(const Var<T>& x) { return reduce(x, -1, true, "mean"); }
template <class T> Var<T> mean(const Var<T>& x, int axis) { return reduce(x, axis, true, "mean"); }

template <class T>
Var<T> mse_loss(const Var<T>& a, const Var<T>& b) {
  Tape<T>& tape = tape_of("mse_loss", a, b);
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw std::invalid_argument("mse_loss: shapes " + shape_string(a.value()) + " and " + shape_string(b.value()) +
                                " differ");
  const Var<T> in[] = {a, b};
  Var<T> y = tape.record("mse_loss", 1, 1, in, &mse_backward<T>, {}, &mse_graph<T>);
  Node<T>& n = tape.node(y);
  n.aux.resize(tape.node(a).value.shape());
  map(n.aux.data(), n.aux.size(), [](auto x, auto z) { return x - z; }, tape.node(a).value.data(),
      tape.node(b).value.data());
  n.value(0, 0) = detail::sum_all(n.aux.data(), n.aux.size(), [](auto d) { return d * d; }) /
                  static_cast<T>(n.aux.size());
  return y;
}

// ---- structure ----
template <class T>
Var<T> slice_cols(const Var<T>& x, std::size_t start, std::size_t count) {
  Tape<T>& tape = tape_of("slice_cols", x);
  if (count == 0 || start + count > x.cols())
    throw std::invalid_argument("slice_cols: columns [" + std::to_string(start) + ", " + std::to_string(start + count) +
                                ") of a tensor of shape " + shape_string(x.value()));
  const Var<T> in[] = {x};
  Var<T> y = tape.record("slice_cols", x.rows(), count, in, &slice_backward<T>, OpParams{0, static_cast<int>(start), 0},
                         &slice_graph<T>);
  copy_cols(tape.node(x).value.data(), x.cols(), start, tape.node(y).value.data(), count, 0, x.rows(), count, false);
  return y;
}

template <class T>
Var<T> concat_cols(std::span<const Var<T>> parts) {
  if (parts.empty()) throw std::invalid_argument("concat_cols: no parts");
  Tape<T>& tape = tape_of("concat_cols", parts[0]);
  std::size_t cols = 0;
  for (const Var<T>& p : parts) {
    tape.check(p, "concat_cols");
    if (p.rows() != parts[0].rows())
      throw std::invalid_argument("concat_cols: parts of shapes " + shape_string(parts[0].value()) + " and " +
                                  shape_string(p.value()) + " have different row counts");
    cols += p.cols();
  }
  const std::size_t rows = parts[0].rows();
  Var<T> y = tape.record("concat_cols", rows, cols, parts, &concat_backward<T>, {}, &concat_graph<T>);
  std::size_t offset = 0;
  for (const Var<T>& p : parts) {
    copy_cols(tape.node(p).value.data(), p.cols(), 0, tape.node(y).value.data(), cols, offset, rows, p.cols(), false);
    offset += p.cols();
  }
  return y;
}

template <class T>
Var<T> detach(const Var<T>& x) {
  Tape<T>& tape = tape_of("detach", x);
  Var<T> y = tape.record("detach", x.rows(), x.cols(), {}, nullptr);
  const Tensor<T>& v = tape.node(x).value;
  std::copy(v.begin(), v.end(), tape.node(y).value.begin());
  return y;
}

// ---- explicit instantiations for float and double ----
#define NIMDE_INSTANTIATE_OPS(T)                                                              \
  template Var<T> operator+(const Var<T>&, const Var<T>&);                                    \
  template Var<T> operator-(const Var<T>&, const Var<T>&);                                    \
  template Var<T> operator*(const Var<T>&, const Var<T>&);                                    \
  template Var<T> operator/(const Var<T>&, const Var<T>&);                                    \
  template Var<T> operator-(const Var<T>&);                                                   \
  template Var<T> operator+(const Var<T>&, double);                                           \
  template Var<T> operator+(double, const Var<T>&);                                           \
  template Var<T> operator-(const Var<T>&, double);                                           \
  template Var<T> operator-(double, const Var<T>&);                                           \
  template Var<T> operator*(const Var<T>&, double);                                           \
  template Var<T> operator*(double, const Var<T>&);                                           \
  template Var<T> operator/(const Var<T>&, double);                                           \
  template Var<T> operator/(double, const Var<T>&);                                           \
  template Var<T> pow(const Var<T>&, int);                                                    \
  template Var<T> axpy(const Var<T>&, const Var<T>&, double);                                 \
  template Var<T> matmul(const Var<T>&, const Var<T>&, bool, bool);                           \
  template Var<T> linear(const Var<T>&, const Var<T>&, const Var<T>&, Activation);            \
  template Var<T> sum(const Var<T>&);                                                         \
  template Var<T> sum(const Var<T>&, int);                                                    \
  template Var<T> mean(const Var<T>&);                                                        \
  template Var<T> mean(const Var<T>&, int);                                                   \
  template Var<T> mse_loss(const Var<T>&, const Var<T>&);                                     \
  template Var<T> slice_cols(const Var<T>&, std::size_t, std::size_t);                        \
  template Var<T> concat_cols(std::span<const Var<T>>);                                       \
  template Var<T> detach(const Var<T>&);

NIMDE_INSTANTIATE_OPS(float)
NIMDE_INSTANTIATE_OPS(double)
#undef NIMDE_INSTANTIATE_OPS

}  // namespace nimde::autodiff
