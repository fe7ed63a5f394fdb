// Differentiable operations on Var<T>. Each records one node on the operands' tape; the
// rules (value and backward) are in ops.cpp, one block per operation, and for the elementwise
// ones in detail/rules.hpp.
//
// Broadcasting: a binary elementwise operation accepts operands of equal shape, or one of
// them a 1×1 scalar, a 1×n row or an m×1 column that is repeated to the other's shape.
#pragma once

#include <span>
#include <vector>

#include "autodiff/activation.hpp"
#include "autodiff/functions.hpp"
#include "autodiff/tape.hpp"

namespace nimde::autodiff {

// ---- arithmetic -------------------------------------------------------------------------
template <class T> Var<T> operator+(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> operator-(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> operator*(const Var<T>& a, const Var<T>& b);  ///< elementwise
template <class T> Var<T> operator/(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> operator-(const Var<T>& a);
template <class T> Var<T> operator+(const Var<T>& a, double s);
template <class T> Var<T> operator+(double s, const Var<T>& a);
template <class T> Var<T> operator-(const Var<T>& a, double s);
template <class T> Var<T> operator-(double s, const Var<T>& a);
template <class T> Var<T> operator*(const Var<T>& a, double s);
template <class T> Var<T> operator*(double s, const Var<T>& a);
template <class T> Var<T> operator/(const Var<T>& a, double s);
template <class T> Var<T> operator/(double s, const Var<T>& a);
/// a + x·c as one operation (a and x of one shape), with the bits of the two it replaces: a
/// solver step's update y + h·k then keeps one value on the tape instead of two.
template <class T> Var<T> axpy(const Var<T>& a, const Var<T>& x, double c);

// ---- elementary functions ---------------------------------------------------------------
// One per function of autodiff/functions.hpp (tanh, sigmoid, relu, elu with α = 1, sin, exp,
// log, ...), where each stands with its derivative.
#define NIMDE_DECLARE_VAR_FUNCTION(name, Rule, domain) template <class T> Var<T> name(const Var<T>& x);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DECLARE_VAR_FUNCTION)
#undef NIMDE_DECLARE_VAR_FUNCTION
template <class T> Var<T> pow(const Var<T>& x, int k);  ///< integer power by repeated multiplication

// ---- linear algebra ---------------------------------------------------------------------
/// op(a)·op(b), op = transpose when the flag is set.
template <class T> Var<T> matmul(const Var<T>& a, const Var<T>& b, bool trans_a = false, bool trans_b = false);
/// act(x·Wᵀ + b): x is batch × in, W out × in, b 1 × out. One kernel forward, one backward,
/// keeping only the output; an activation whose derivative needs x·Wᵀ + b (sin) follows as an
/// operation of its own (activation.hpp).
template <class T> Var<T> linear(const Var<T>& x, const Var<T>& W, const Var<T>& b, Activation act = Activation::identity);

// ---- networks ---------------------------------------------------------------------------
/// ∇ₓH, row by row, of a network with one output H(x) = y_{L−1}·W_Lᵀ + b_L, y_l = act_l(y_{l−1}·W_lᵀ + b_l),
/// y_0 = x (weights[l] is out × in, W_L is 1 × width; acts one per layer, the last applied to H
/// and identity in a Hamiltonian network): a Hamiltonian network's gradient, b_L not entering it.
/// With one activation on every hidden layer whose derivative is a function of its output (tanh,
/// sigmoid) and an identity last layer, one operation that runs each block of rows through
/// every layer and back while it is in cache; otherwise the layers and their gradient as
/// operations. Either way it can be differentiated again, to any order.
template <class T>
Var<T> network_gradient(const Var<T>& x, std::span<const Var<T>> weights, std::span<const Var<T>> biases,
                        std::span<const Activation> acts);

// ---- reductions -------------------------------------------------------------------------
template <class T> Var<T> sum(const Var<T>& x);            ///< all elements, 1×1
template <class T> Var<T> sum(const Var<T>& x, int axis);  ///< axis 0: 1×cols, axis 1: rows×1
template <class T> Var<T> mean(const Var<T>& x);
template <class T> Var<T> mean(const Var<T>& x, int axis);
/// mean((a − b)²) over all elements (torch's MSELoss).
template <class T> Var<T> mse_loss(const Var<T>& a, const Var<T>& b);

// ---- structure --------------------------------------------------------------------------
/// Columns [start, start + count) of x.
template <class T> Var<T> slice_cols(const Var<T>& x, std::size_t start, std::size_t count);
/// The parts side by side (all with the same number of rows).
template <class T> Var<T> concat_cols(std::span<const Var<T>> parts);
template <class T> Var<T> concat_cols(std::initializer_list<Var<T>> parts) {
  return concat_cols(std::span<const Var<T>>(parts.begin(), parts.size()));
}
/// The same value, cut from the graph: no gradient flows through it.
template <class T> Var<T> detach(const Var<T>& x);

// ---- gradients as Vars ------------------------------------------------------------------
/// d output / d input (output 1×1) for each input, as Vars on their tape (Tape::grad). With
/// `create_graph` the backward pass is recorded as operations, so a gradient can enter a loss
/// that is differentiated again, to any order (torch.autograd.grad(..., create_graph=True)):
///
///   Var<double> H = sum(linear(tanh(linear(x, W1, b1)), W2, b2));    // a scalar network
///   Var<double> dH = grad(H, x, true);                                // ∇ₓH, a Var
///   tape.backward(mse_loss(dH, target));                              // W1.grad() = ∂loss/∂W1
template <class T>
std::vector<Var<T>> grad(const Var<T>& output, std::span<const Var<T>> inputs, bool create_graph = false) {
  return output.tape().grad(output, inputs, create_graph);
}
template <class T>
std::vector<Var<T>> grad(const Var<T>& output, std::initializer_list<Var<T>> inputs, bool create_graph = false) {
  return grad(output, std::span<const Var<T>>(inputs.begin(), inputs.size()), create_graph);
}
template <class T>
Var<T> grad(const Var<T>& output, const Var<T>& input, bool create_graph = false) {
  return grad(output, {input}, create_graph)[0];
}

}  // namespace nimde::autodiff
