// The tape (a Wengert list) and Var, the handle users compute with.
//
// Every operation on Vars appends one node to the tape: the operation's backward rule, the
// indices of its inputs, its few parameters and its output value. `backward(loss)` walks
// the nodes from the loss down to the first one and lets each node add its inputs'
// gradients (the chain rule, x̄ += ȳ ∂y/∂x). Nodes and their buffers outlive `clear()`:
// a loop that records the same graph every iteration reuses every buffer and, after its
// first pass, allocates nothing.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace nimde::autodiff {

template <class T> class Tape;
template <class T> struct Node;

/// A node's backward rule: reads the node's gradient and adds to its inputs' gradients.
template <class T>
using BackwardFn = void (*)(Tape<T>& tape, Node<T>& node);

/// Parameters an operation keeps for its backward rule (a scalar, an integer, flags).
struct OpParams {
  double s = 0;
  int k = 0;
  int flags = 0;
};

/// One recorded operation: its value, its gradient and what backward needs.
template <class T>
struct Node {
  Tensor<T> value;
  Tensor<T> grad;
  Tensor<T> aux;             ///< scratch an operation keeps between forward and backward
  const char* op = "";       ///< operation name, for error messages
  BackwardFn<T> backward = nullptr;
  OpParams params;
  std::uint32_t first_input = 0, input_count = 0;  ///< a range of Tape::inputs_
  bool requires_grad = false;
  bool grad_fresh = true;    ///< no gradient has reached this node yet in this backward pass
  bool grad_preset = false;  ///< a leaf whose backward starts from the gradient it holds (start_grad)
};

/// A handle to a node: cheap to copy, valid until its tape is cleared.
template <class T>
class Var {
 public:
  Var() = default;
  const Tensor<T>& value() const;   ///< the node's value
  const Tensor<T>& grad() const;    ///< its gradient after Tape::backward (zeros if unreached)
  std::size_t rows() const { return value().shape()[0]; }
  std::size_t cols() const { return value().shape()[1]; }
  bool requires_grad() const;
  Tape<T>& tape() const;           ///< the tape it was recorded on (not checked for validity)
  std::uint32_t index() const { return index_; }

 private:
  friend class Tape<T>;
  Var(Tape<T>* tape, std::uint32_t index, std::uint64_t epoch) : tape_(tape), index_(index), epoch_(epoch) {}
  Node<T>& node() const;
  Tape<T>* tape_ = nullptr;
  std::uint32_t index_ = 0;
  std::uint64_t epoch_ = 0;
};

/// A Wengert list over Tensor<T> values, T = float or double. Not thread-safe: one tape per
/// thread of training; the kernels themselves run on OpenMP threads.
template <class T>
class Tape {
 public:
  Tape() = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  /// A leaf holding a copy of `value`; its gradient is kept after backward if requires_grad.
  Var<T> leaf(const Tensor<T>& value, bool requires_grad = true);
  /// A leaf that takes no gradient.
  Var<T> constant(const Tensor<T>& value) { return leaf(value, false); }
  /// A rows × cols leaf filled with `fill`, taking no gradient.
  Var<T> constant(std::size_t rows, std::size_t cols, T fill);

  /// Reverse sweep from a 1×1 output, seeded with 1.
  void backward(const Var<T>& output);
  /// Reverse sweep from any output, seeded with `seed` (same shape as the output).
  void backward(const Var<T>& output, const Tensor<T>& seed);

  /// The next backward adds `leaf`'s gradient onto `start` instead of starting from zero, in
  /// the order a longer recording would have added it: a backward split into pieces (one step
  /// of an unrolled loop at a time) then sums the same terms in the same order, to the bit.
  void start_grad(const Var<T>& leaf, const Tensor<T>& start);

  /// Forget every node; buffers are kept for the next recording. Vars made before become invalid.
  void clear();
  std::size_t size() const { return size_; }
  /// Bytes of the buffers the tape holds (values, gradients, scratch of every node ever recorded).
  std::size_t bytes() const;
  /// True outside a NoGrad scope.
  bool grad_enabled() const { return grad_enabled_; }

  // ---- for operation implementations ----
  /// Append a node with output shape rows × cols, inputs `inputs`, and backward rule `fn`;
  /// its value buffer is resized (reused when the shape repeats) but not filled. The inputs
  /// must have passed check() (operations check them once, on entry).
  Var<T> record(const char* op, std::size_t rows, std::size_t cols, std::span<const Var<T>> inputs,
                BackwardFn<T> fn, OpParams params = {});
  Node<T>& node(std::uint32_t i) { return nodes_[i]; }
  Node<T>& node(const Var<T>& v) { check(v, "use"); return nodes_[v.index_]; }
  /// The i-th input of a node.
  Node<T>& input(const Node<T>& n, std::uint32_t i) { return nodes_[inputs_[n.first_input + i]]; }
  /// The gradient buffer of the i-th input, sized to its value; `fresh` tells the caller to
  /// overwrite it instead of adding (saves one pass over memory per node).
  Tensor<T>& input_grad(const Node<T>& n, std::uint32_t i, bool& fresh);
  /// True if v was recorded on this tape since its last clear().
  bool valid(const Var<T>& v) const { return v.tape_ == this && v.epoch_ == epoch_ && v.index_ < size_; }
  /// Throw if v belongs to another tape or to a recording that was cleared.
  void check(const Var<T>& v, const char* op) const {
    if (v.tape_ != this || v.epoch_ != epoch_ || v.index_ >= size_) [[unlikely]]
      fail_check(v, op);
  }

 private:
  friend class Var<T>;
  template <class> friend class NoGrad;
  void sweep(std::uint32_t output);
  [[noreturn]] void fail_check(const Var<T>& v, const char* op) const;

  std::vector<Node<T>> nodes_;
  std::vector<std::uint32_t> inputs_;
  std::size_t size_ = 0, inputs_size_ = 0;
  std::uint64_t epoch_ = 1;
  bool grad_enabled_ = true;
};

/// Within its lifetime, operations on `tape` record values only: no node requires a
/// gradient, so a forward-only evaluation costs nothing in backward bookkeeping.
template <class T>
class NoGrad {
 public:
  explicit NoGrad(Tape<T>& tape) : tape_(tape), saved_(tape.grad_enabled_) { tape.grad_enabled_ = false; }
  ~NoGrad() { tape_.grad_enabled_ = saved_; }
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  Tape<T>& tape_;
  bool saved_;
};

template <class T>
inline Node<T>& Var<T>::node() const {
  if (!tape_) [[unlikely]]
    throw std::logic_error("empty Var used (default-constructed, never assigned)");
  return tape_->node(*this);
}

template <class T>
inline const Tensor<T>& Var<T>::value() const {
  return node().value;
}

extern template class Tape<float>;
extern template class Tape<double>;
extern template class Var<float>;
extern template class Var<double>;

}  // namespace nimde::autodiff
