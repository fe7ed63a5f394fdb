// ∇ₓH of a network with one output, as one operation over blocks of rows.
//
//   y_0 = x,   y_l = σ(y_{l−1}·W_lᵀ + b_l)  (l < L),   H = y_{L−1}·W_Lᵀ + b_L.
//
// Its gradient in x is the backward pass seeded with 1, with φ(y) = σ'(z) stated in y (tanh:
// 1 − y²):
//   u_{L−1} = 1·W_L (W_L on every row),   δ_l = u_l ⊙ φ(y_l),   u_{l−1} = δ_l·W_l,   ∇ₓH = u_0.
// The operation keeps y_1 … y_{L−1} and u_1 … u_{L−2}, except y_1 of a network with few
// inputs (a Hamiltonian's d = 2 … 4), which the backward recomputes from x. Its backward, from
// ū_0 (the gradient of ∇ₓH), goes up the gradient's layers, then down the forward pass's:
//   up,   l = 1 … L−1:  δ̄_l = ū_{l−1}·W_lᵀ,   W̄_l += δ_lᵀ·ū_{l−1},
//                       ū_l = δ̄_l ⊙ φ(y_l),    ȳ_l = δ̄_l ⊙ u_l ⊙ φ'(y_l);     then W̄_L = Σ_rows ū_{L−1},
//   down, l = L−1 … 1:  ā_l = ȳ_l ⊙ φ(y_l),    b̄_l = Σ_rows ā_l,   W̄_l += ā_lᵀ·y_{l−1},
//                       ȳ_{l−1} += ā_l·W_l     (at l = 1, x̄).
//
// Recorded as operations (linear layers, then grad with create_graph), the same computation
// passes some forty times over arrays of rows × width: 5 MB each for 10,000 rows of 128 floats,
// more than a core's cache holds, so each pass waits on memory. Here a block of kBlockRows rows
// goes up and down every layer while its arrays stay in L2; only y_l and u_l travel to memory,
// once each way. The weights are packed once per call for the GEMMs of every block, and the
// weight gradients' second operands are written in the packed layout by the passes that
// compute them.
//
// The rows are cut into chunks of kChunkRows, a constant: one thread sums a chunk's parameter
// gradients block after block, and the chunks' sums are added in chunk order, so the bits do
// not depend on the thread count. The graph rule records the unfused computation and
// differentiates that.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "autodiff/detail/map.hpp"
#include "autodiff/detail/rules.hpp"
#include "autodiff/gemm.hpp"
#include "autodiff/ops.hpp"

namespace nimde::autodiff {
namespace {

using detail::Batch;
using detail::map_range;
using detail::Scratch;

constexpr std::size_t kBlockRows = 192;
constexpr std::size_t kChunkRows = 960;
static_assert(kChunkRows % kBlockRows == 0);

/// The layers and their gradient in x recorded as operations: the computation the operation
/// fuses, and what it does for the networks it does not fuse.
template <class T>
Var<T> recorded_gradient(const Var<T>& x, std::span<const Var<T>> W, std::span<const Var<T>> b,
                         std::span<const Activation> acts) {
  Tape<T>& tape = x.tape();
  const Var<T> leaf = x.requires_grad() ? x : tape.leaf(x.value(), true);  // ∇ needs something to act on
  Var<T> h = leaf;
  for (std::size_t l = 0; l < W.size(); ++l) h = linear(h, W[l], b[l], acts[l]);
  return tape.grad(h, std::span<const Var<T>>(&leaf, 1), tape.constant(x.rows(), 1, T(1)), true).front();
}

/// A first layer with at most this many inputs is recomputed from x where the passes need it,
/// not kept: its 2·d flops and an activation per output cost less than the output's round
/// trip through memory (written in the forward pass, read back in the backward).
constexpr std::size_t kRecomputedInputs = 4;

/// One recording's network: the inputs' values and the arrays the operation keeps.
template <class T>
struct Net {
  std::size_t n = 0, L = 0;    ///< rows, layers
  std::vector<std::size_t> w;  ///< w[0] = d, w[l] = width of layer l < L
  const T* x = nullptr;
  std::vector<const T*> W, b;  ///< W[1 … L], b[1 … L−1]
  std::vector<T*> y, u;        ///< y[1 … L−1] (y[1] null if recomputed), u[1 … L−2]: n × w[l] each
  std::size_t widest() const { return *std::max_element(w.begin() + 1, w.end()); }
  bool recomputes_first() const { return w[0] <= kRecomputedInputs; }
};

/// Inputs of the node: x, then W_1, b_1, …, W_{L−1}, b_{L−1}, then W_L.
template <class T>
Net<T> net_of(Tape<T>& tape, Node<T>& node) {
  Net<T> net;
  const Tensor<T>& x = tape.input(node, 0).value;
  net.L = node.input_count / 2;
  net.n = x.shape()[0];
  net.x = x.data();
  net.w = {x.shape()[1]};
  net.W.assign(net.L + 1, nullptr);
  net.b.assign(net.L, nullptr);
  for (std::size_t l = 1; l <= net.L; ++l) {
    net.W[l] = tape.input(node, static_cast<std::uint32_t>(2 * l - 1)).value.data();
    if (l == net.L) break;
    net.b[l] = tape.input(node, static_cast<std::uint32_t>(2 * l)).value.data();
    net.w.push_back(tape.input(node, static_cast<std::uint32_t>(2 * l - 1)).value.shape()[0]);
  }
  auto keeps_y = [&](std::size_t l) { return l > 1 || !net.recomputes_first(); };
  auto keeps_u = [&](std::size_t l) { return l + 1 < net.L; };
  std::size_t kept = 0;
  for (std::size_t l = 1; l < net.L; ++l) kept += net.w[l] * (std::size_t{keeps_y(l)} + std::size_t{keeps_u(l)});
  if (node.aux.size() != net.n * kept) node.aux.resize({net.n, kept});
  T* p = node.aux.data();
  net.y.assign(net.L, nullptr);
  net.u.assign(net.L, nullptr);
  for (std::size_t l = 1; l < net.L; ++l) {
    if (!keeps_y(l)) continue;
    net.y[l] = p;
    p += net.n * net.w[l];
  }
  for (std::size_t l = 1; keeps_u(l); ++l) {
    net.u[l] = p;
    p += net.n * net.w[l];
  }
  return net;
}

/// The weights packed once for every block: W_lᵀ for y_{l−1}·W_lᵀ and ū_{l−1}·W_lᵀ (l < L),
/// and W_l for δ_l·W_l and ā_l·W_l (1 < l < L; W_1 has the input's few columns, for gemm's
/// narrow path).
template <class T>
struct Packed {
  std::vector<PackedB<T>> fwd, back;
  void pack(const Net<T>& net) {
    fwd.resize(net.L);
    back.resize(net.L);
    for (std::size_t l = 1; l < net.L; ++l) {
      fwd[l].pack(net.w[l - 1], net.w[l], net.W[l], net.w[l - 1], true);
      if (l > 1) back[l].pack(net.w[l], net.w[l - 1], net.W[l], net.w[l - 1], false);
    }
  }
};

/// The calling thread's packed weights, kept for their capacity. (A reference to them is what
/// the parallel loops share: there, the name of a thread_local would mean each thread's own.)
template <class T>
Packed<T>& packed_weights(const Net<T>& net) {
  thread_local Packed<T> pk;
  pk.pack(net);
  return pk;
}

/// f(i, j, n) over the batches of an m × cols block: row i, columns [j, j + n), n ≤ W. A last,
/// partial batch of a row goes through `load` and `store` like a whole one.
template <class T, class F>
void over_batches(std::size_t m, std::size_t cols, F f) {
  constexpr std::size_t W = Batch<T>::size;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < cols; j += W) f(i, j, std::min(W, cols - j));
}

template <class T>
Batch<T> load(const T* p, std::size_t n) {
  return n == Batch<T>::size ? Batch<T>::load_unaligned(p) : detail::load_padded(p, n);
}

template <class T>
void store(T* p, Batch<T> v, std::size_t n) {
  if (n == Batch<T>::size) {
    v.store_unaligned(p);
    return;
  }
  alignas(kAlignment) T lanes[Batch<T>::size];
  v.store_aligned(lanes);
  detail::copy_few<Batch<T>::size>(p, lanes, n);
}

/// A block's rows [r0, r0 + m) of y_l: x's, a kept array's, or, for a recomputed first
/// layer, `first`'s (a block of scratch).
template <class T>
struct BlockRows {
  const Net<T>& net;
  std::size_t r0;
  T* first;
  T* out(std::size_t l) const {  ///< l ≥ 1
    return l == 1 && net.recomputes_first() ? first : net.y[l] + r0 * net.w[l];
  }
  const T* y(std::size_t l) const { return l == 0 ? net.x + r0 * net.w[0] : out(l); }
  /// Computes y_l = σ(y_{l−1}·W_lᵀ + b_l) into out(l).
  void layer(const Packed<T>& pk, Activation act, std::size_t l, std::size_t m) const {
    gemm(m, y(l - 1), net.w[l - 1], false, pk.fwd[l], out(l), net.w[l], false, GemmEpilogue<T>{net.b[l], act});
  }
};

/// ∇ₓH of rows [r0, r0 + m) into out, keeping y_l and u_l.
template <class T, class Rule>
void forward_rows(const Net<T>& net, const Packed<T>& pk, Activation act, std::size_t r0, std::size_t m, T* out) {
  const std::vector<std::size_t>& w = net.w;
  const std::size_t L = net.L, top = L - 1, wide = m * net.widest();
  auto phi_times = [](auto y, auto g) { return detail::output_grad<Rule>(y, g); };
  T* delta = detail::scratch<T>(2 * wide, Scratch::network_rows);
  const BlockRows<T> rows{net, r0, delta + wide};
  for (std::size_t l = 1; l < L; ++l) rows.layer(pk, act, l, m);
  const T* y_top = rows.y(top);
  over_batches<T>(m, w[top], [&](std::size_t i, std::size_t j, std::size_t n) {  // δ_{L−1} = W_L ⊙ φ(y_{L−1})
    store(delta + i * w[top] + j, phi_times(load(y_top + i * w[top] + j, n), load(net.W[L] + j, n)), n);
  });
  for (std::size_t l = top; l > 1; --l) {
    T* u = net.u[l - 1] + r0 * w[l - 1];
    gemm(m, delta, w[l], false, pk.back[l], u, w[l - 1], false);
    map_range<false>(delta, 0, m * w[l - 1], phi_times, rows.y(l - 1),
                     static_cast<const T*>(u));
  }
  gemm<T>(m, w[0], w[1], delta, w[1], false, net.W[1], w[0], false, out + r0 * w[0], w[0], false);
}

/// Where a chunk's parameter gradients go, within one buffer: W̄_l transposed (in × out) at W[l]
/// (W̄_L, a row, as it is), b̄_l at b[l].
template <class T>
struct ParamGrads {
  std::vector<T*> W, b;
};

/// Where a pass stores an m × cols operand: row-major with row stride `stride`, or, with
/// `column` (the offset of each batch of columns within a row), PackedB's layout with sliver
/// width `stride`. A plain value, so that a pass's inner loop keeps it in registers.
template <class T>
struct Destination {
  T* base;
  std::size_t stride;
  const std::size_t* column = nullptr;
  T* at(std::size_t i, std::size_t j) const {
    return column ? base + column[j / Batch<T>::size] + i * stride : base + i * stride + j;
  }
};

/// An m-row operand written straight into PackedB's layout as a pass produces it: the weight
/// gradients take it as their packed B, with no packing pass of their own.
template <class T>
struct PackedRows {
  PackedB<T> b;
  std::vector<std::size_t> column;
  Destination<T> shape(std::size_t m, std::size_t cols) {
    const std::size_t sliver = b.shape(m, cols);
    column.clear();
    for (std::size_t j = 0; j < cols; j += Batch<T>::size) column.push_back(j / sliver * sliver * m + j % sliver);
    return {b.data(), sliver, column.data()};
  }
};

/// Rows [r0, r0 + m) of kept array `kept[l]` (none past the last row, none if not kept), for a
/// product to prefetch while it computes.
template <class T>
Prefetch kept_rows(const Net<T>& net, const std::vector<T*>& kept, std::size_t l, std::size_t r0, std::size_t m) {
  if (!kept[l] || r0 >= net.n) return {};
  return {kept[l] + r0 * net.w[l], (std::min(net.n, r0 + m) - r0) * net.w[l] * sizeof(T)};
}

/// The backward pass of rows [r0, r0 + m) from their ū_0 (`g`): adds to the chunk's parameter
/// gradients (W̄_l transposed: the products Xᵀ·Y take their Y, which a pass here computes,
/// already packed) and, if x̄ is wanted, writes (or adds to) its rows. Each layer's elementwise
/// rules run as one pass over the block: up, (δ, ū, ȳ) from (y, u, δ̄); at the top, where ȳ has
/// no other part (H itself is not differentiated), (δ, ā) and the sums W̄_L and b̄ at once.
/// The passes read the kept y_l and u_l, which come from memory; the products before them
/// prefetch those rows: δ̄_l's product the block's y_l, the last products the next block's u_l.
template <class T, class Rule>
void backward_rows(const Net<T>& net, const Packed<T>& pk, Activation act, std::size_t r0, std::size_t m, const T* g,
                   const ParamGrads<T>& pg, T* xbar, bool xbar_add) {
  using B = Batch<T>;
  const std::vector<std::size_t>& w = net.w;
  const std::size_t L = net.L, top = L - 1, wide = m * net.widest();
  T* buf = detail::scratch<T>(wide * (L + 4), Scratch::network_rows);
  const BlockRows<T> rows{net, r0, buf + (L + 3) * wide};
  if (net.recomputes_first()) rows.layer(pk, act, 1, m);
  T *dbar = buf, *ubar[2] = {buf + wide, buf + 2 * wide}, *delta_rows = buf + 3 * wide;  // ū_l, ū_{l−1} alternate
  auto ybar = [&](std::size_t l) { return buf + (3 + l) * wide; };  // l = 1 … L−1; then ā_l in place
  // A layer with at most four inputs (the first) takes its weight gradient as outer products of
  // rows (gemm's narrow path), from row-major operands; the others from packed ones.
  auto narrow = [&](std::size_t l) { return w[l - 1] <= 4; };
  auto y = [&](std::size_t l) { return rows.y(l); };
  thread_local PackedRows<T> delta, abar;  // δ_l, and ā_l from its pass to its weight gradient
  const T* ubar_in = g;  // ū_{l−1}
  for (std::size_t l = 1; l < L; ++l) {
    const std::size_t cols = w[l];
    const T* yl = y(l);
    T* yb = ybar(l);
    gemm(m, ubar_in, w[l - 1], false, pk.fwd[l], dbar, cols, false, {}, kept_rows(net, net.y, l, r0, m));  // δ̄_l
    const Destination<T> d = narrow(l) ? Destination<T>{delta_rows, cols} : delta.shape(m, cols);
    if (l == top) {
      const T* wl = net.W[L];
      T *wbar = pg.W[L], *bbar = pg.b[l];
      const Destination<T> ab = narrow(l) ? Destination<T>{nullptr, 0} : abar.shape(m, cols);
      over_batches<T>(m, cols, [&](std::size_t i, std::size_t j, std::size_t n) {
        const std::size_t k = i * cols + j;
        const auto phi = detail::output_derivative_dual<Rule>(load(yl + k, n));
        const B dv = load<T>(dbar + k, n), u = load(wl + j, n);
        const B a = dv * u * phi.d * phi.v;
        store(d.at(i, j), u * phi.v, n);
        store(yb + k, a, n);
        if (ab.base) store(ab.at(i, j), a, n);
        store(wbar + j, load<T>(wbar + j, n) + dv * phi.v, n);
        store(bbar + j, load<T>(bbar + j, n) + a, n);
      });
    } else {
      const T* ul = net.u[l] + r0 * cols;
      T* ub = ubar[l % 2];
      over_batches<T>(m, cols, [&](std::size_t i, std::size_t j, std::size_t n) {
        const std::size_t k = i * cols + j;
        const auto phi = detail::output_derivative_dual<Rule>(load(yl + k, n));
        const B dv = load<T>(dbar + k, n), u = load(ul + k, n);
        store(d.at(i, j), u * phi.v, n);
        store(ub + k, dv * phi.v, n);
        store(yb + k, dv * u * phi.d, n);
      });
    }
    if (narrow(l))  // W̄_lᵀ += ū_{l−1}ᵀ·δ_l
      gemm<T>(w[l - 1], cols, m, ubar_in, w[l - 1], true, delta_rows, cols, false, pg.W[l], cols, true);
    else
      gemm(w[l - 1], ubar_in, w[l - 1], true, delta.b, pg.W[l], cols, true);
    ubar_in = ubar[l % 2];
  }
  for (std::size_t l = top; l >= 1; --l) {
    const std::size_t cols = w[l];
    T* a = ybar(l);
    if (l < top) {
      const T* yl = y(l);
      T* bbar = pg.b[l];
      const Destination<T> ab = narrow(l) ? Destination<T>{nullptr, 0} : abar.shape(m, cols);
      over_batches<T>(m, cols, [&](std::size_t i, std::size_t j, std::size_t n) {
        const std::size_t k = i * cols + j;
        const B av = detail::output_grad<Rule>(load(yl + k, n), load<T>(a + k, n));
        store(a + k, av, n);
        if (ab.base) store(ab.at(i, j), av, n);
        store(bbar + j, load<T>(bbar + j, n) + av, n);
      });
    }
    if (narrow(l))  // W̄_lᵀ += y_{l−1}ᵀ·ā_l
      gemm<T>(w[l - 1], cols, m, y(l - 1), w[l - 1], true, a, cols, false, pg.W[l], cols, true);
    else
      gemm(w[l - 1], y(l - 1), w[l - 1], true, abar.b, pg.W[l], cols, true);
    if (l > 1)
      gemm(m, a, cols, false, pk.back[l], ybar(l - 1), w[l - 1], true, {}, kept_rows(net, net.u, l - 1, r0 + m, m));
    else if (xbar)
      gemm<T>(m, w[0], cols, a, cols, false, net.W[1], w[0], false, xbar + r0 * w[0], w[0], xbar_add);
  }
}

template <class T, class Rule>
void network_gradient_backward(Tape<T>& tape, Node<T>& node) {
  const Net<T> net = net_of(tape, node);
  const Packed<T>& pk = packed_weights(net);
  const Activation act = static_cast<Activation>(node.params.k);
  // Every parameter's gradient in one buffer per chunk, in the order of the inputs.
  const std::uint32_t count = node.input_count;
  std::vector<std::size_t> offset(count + 1, 0);
  for (std::uint32_t i = 1; i < count; ++i) offset[i + 1] = offset[i] + tape.input(node, i).value.size();
  const std::size_t params = offset[count], chunks = (net.n + kChunkRows - 1) / kChunkRows;
  T* partial = detail::scratch<T>(chunks * params, Scratch::network_partial);
  T* xbar = nullptr;
  bool fresh = true;
  if (tape.input(node, 0).requires_grad) xbar = tape.input_grad(node, 0, fresh).data();
  const bool xbar_add = !fresh;
  const T* g = node.grad.data();
  auto chunk = [&](std::size_t c) {
    T* p = partial + c * params;
    std::fill(p, p + params, T(0));
    ParamGrads<T> pg{std::vector<T*>(net.L + 1, nullptr), std::vector<T*>(net.L, nullptr)};
    for (std::size_t l = 1; l <= net.L; ++l) {
      pg.W[l] = p + offset[2 * l - 1];
      if (l < net.L) pg.b[l] = p + offset[2 * l];
    }
    const std::size_t end = std::min(net.n, (c + 1) * kChunkRows);
    for (std::size_t r0 = c * kChunkRows; r0 < end; r0 += kBlockRows)
      backward_rows<T, Rule>(net, pk, act, r0, std::min(kBlockRows, end - r0), g + r0 * net.w[0], pg, xbar, xbar_add);
  };
#pragma omp parallel for schedule(static) if (net.n * net.widest() > kParallelThreshold)
  for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(chunks); ++c) chunk(static_cast<std::size_t>(c));
  // The chunks' sums in chunk order, into the first chunk's buffer; a weight's partials are
  // transposed, in × out.
  for (std::size_t c = 1; c < chunks; ++c)
    detail::map_range<false>(partial, 0, params, detail::plus, static_cast<const T*>(partial),
                             static_cast<const T*>(partial + c * params));
  for (std::uint32_t i = 1; i < count; ++i) {
    if (!tape.input(node, i).requires_grad) continue;
    const auto shape = tape.input(node, i).value.shape();
    const bool weight = i % 2 == 1 && shape[0] > 1;
    T* out = tape.input_grad(node, i, fresh).data();
    for (std::size_t r = 0; r < shape[0]; ++r)
      for (std::size_t col = 0; col < shape[1]; ++col) {
        const T sum = partial[offset[i] + (weight ? col * shape[0] + r : r * shape[1] + col)];
        T& o = out[r * shape[1] + col];
        o = fresh ? sum : o + sum;
      }
  }
}

/// The graph rule: the unfused computation recorded from the same inputs, differentiated along ȳ.
template <class T>
void network_gradient_graph(GradGraph<T>& g) {
  Tape<T>& tape = g.tape();
  const std::uint32_t count = g.input_count();
  const std::size_t L = count / 2;
  std::vector<Var<T>> W, b;
  for (std::uint32_t l = 0; l < L; ++l) {
    W.push_back(g.input(2 * l + 1));
    b.push_back(l + 1 < L ? g.input(2 * l + 2) : tape.constant(1, 1, T(0)));  // b_L: no part of ∇ₓH
  }
  std::vector<Activation> acts(L, static_cast<Activation>(g.params().k));
  acts.back() = Activation::identity;
  std::vector<Var<T>> wanted;
  std::vector<std::uint32_t> which;
  for (std::uint32_t i = 0; i < count; ++i)
    if (g.needs(i)) {
      wanted.push_back(g.input(i));
      which.push_back(i);
    }
  if (wanted.empty()) return;
  const Var<T> u = recorded_gradient(g.input(0), std::span<const Var<T>>(W), std::span<const Var<T>>(b),
                                     std::span<const Activation>(acts));
  const std::vector<Var<T>> d = tape.grad(u, std::span<const Var<T>>(wanted), g.output_grad(), true);
  for (std::size_t k = 0; k < which.size(); ++k) g.add(which[k], d[k]);
}

/// The fused operation's backward kernel for act, or null if act's derivative is not a
/// function of its output.
template <class T>
BackwardFn<T> fused_backward(Activation act) {
  switch (act) {
#define NIMDE_NETWORK_BACKWARD(name, Rule)                                                       \
  case Activation::name:                                                                         \
    if constexpr (detail::kOutputDerivativeOnly<detail::Rule>) return &network_gradient_backward<T, detail::Rule>; \
    return nullptr;
    NIMDE_ACTIVATIONS(NIMDE_NETWORK_BACKWARD)
#undef NIMDE_NETWORK_BACKWARD
  }
  return nullptr;
}

template <class T>
void fused_forward(const Net<T>& net, Activation act, T* out) {
  const Packed<T>& pk = packed_weights(net);
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>((net.n + kBlockRows - 1) / kBlockRows);
  auto run = [&]<class Rule>() {
#pragma omp parallel for schedule(static) if (net.n * net.widest() > kParallelThreshold)
    for (std::ptrdiff_t bi = 0; bi < blocks; ++bi) {
      const std::size_t r0 = static_cast<std::size_t>(bi) * kBlockRows;
      forward_rows<T, Rule>(net, pk, act, r0, std::min(kBlockRows, net.n - r0), out);
    }
  };
  switch (act) {
#define NIMDE_NETWORK_FORWARD(name, Rule)                                                          \
  case Activation::name:                                                                            \
    if constexpr (detail::kOutputDerivativeOnly<detail::Rule>) run.template operator()<detail::Rule>(); \
    return;
    NIMDE_ACTIVATIONS(NIMDE_NETWORK_FORWARD)
#undef NIMDE_NETWORK_FORWARD
  }
}

}  // namespace

template <class T>
Var<T> network_gradient(const Var<T>& x, std::span<const Var<T>> weights, std::span<const Var<T>> biases,
                        std::span<const Activation> acts) {
  Tape<T>& tape = x.tape();
  tape.check(x, "network_gradient");
  const std::size_t L = weights.size();
  if (L == 0 || biases.size() != L || acts.size() != L)
    throw std::invalid_argument("network_gradient: " + std::to_string(L) + " weights, " + std::to_string(biases.size()) +
                                " biases and " + std::to_string(acts.size()) + " activations (expected one of each per layer)");
  std::size_t in = x.cols();
  for (std::size_t l = 0; l < L; ++l) {
    tape.check(weights[l], "network_gradient");
    tape.check(biases[l], "network_gradient");
    const std::size_t out = weights[l].rows();
    if (weights[l].cols() != in || biases[l].rows() != 1 || biases[l].cols() != out || (l + 1 == L && out != 1))
      throw std::invalid_argument("network_gradient: layer " + std::to_string(l + 1) + " has W " +
                                  shape_string(weights[l].value()) + " and b " + shape_string(biases[l].value()) +
                                  " after an input of width " + std::to_string(in) + " (the last layer has one output)");
    in = out;
  }
  const Activation act = acts[0];
  bool fused = L >= 2 && acts[L - 1] == Activation::identity && fused_backward<T>(act) != nullptr;
  for (std::size_t l = 0; l + 1 < L; ++l) fused = fused && acts[l] == act;
  if (!fused) return recorded_gradient(x, weights, biases, acts);

  std::vector<Var<T>> inputs{x};
  for (std::size_t l = 0; l < L; ++l) {
    inputs.push_back(weights[l]);
    if (l + 1 < L) inputs.push_back(biases[l]);
  }
  Var<T> grad_x = tape.record("network_gradient", x.rows(), x.cols(), inputs, fused_backward<T>(act),
                              OpParams{0, static_cast<int>(act), 0}, &network_gradient_graph<T>);
  Node<T>& node = tape.node(grad_x);
  fused_forward(net_of(tape, node), act, node.value.data());
  return grad_x;
}

template Var<float> network_gradient(const Var<float>&, std::span<const Var<float>>, std::span<const Var<float>>,
                                     std::span<const Activation>);
template Var<double> network_gradient(const Var<double>&, std::span<const Var<double>>, std::span<const Var<double>>,
                                      std::span<const Activation>);

}  // namespace nimde::autodiff
