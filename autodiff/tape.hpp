// The tape (a Wengert list) and Var, the handle users compute with.
//
// Every operation on Vars appends one node to the tape: the operation's backward rule, the
// indices of its inputs, its few parameters and its output value. `backward(loss)` walks
// the nodes from the loss down to the first one and lets each node add its inputs'
// gradients (the chain rule, x̄ += ȳ ∂y/∂x). Nodes and their buffers outlive `clear()`:
// a loop that records the same graph every iteration reuses every buffer and, after its
// first pass, allocates nothing.
//
// Gradients of gradients: `grad(output, inputs, create_graph = true)` walks the same nodes but
// lets each one record its backward rule as ordinary operations on this tape (its graph rule),
// so the gradients it returns are Vars like any other: they can enter a loss, and that loss can
// be differentiated again, by `backward` or by `grad`, to any order. `backward` itself keeps
// its fused first-order kernels and never records anything.
//
// Memory: `backward(loss, Values::release)` hands each intermediate value to the gradient pool
// once no rule still to run reads it (torch's default, retain_graph=False), so that backward's
// gradients live in the forward pass's buffers and the next recording takes them back.
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
template <class T> class GradGraph;

/// A node's backward rule: reads the node's gradient and adds to its inputs' gradients.
template <class T>
using BackwardFn = void (*)(Tape<T>& tape, Node<T>& node);
/// A node's graph rule: the same chain rule written in operations on Vars (see GradGraph).
template <class T>
using GraphFn = void (*)(GradGraph<T>& g);

/// What a backward sweep does with an intermediate node's value once its rule has run: keep it
/// (it stays readable and the tape can be swept again), or release its buffer to the gradient
/// pool. The output swept from and the leaves are always kept.
enum class Values { keep, release };

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
  GraphFn<T> graph = nullptr;  ///< its backward as operations, for Tape::grad(..., create_graph)
  OpParams params;
  std::uint32_t first_input = 0, input_count = 0;  ///< a range of Tape::inputs_
  bool requires_grad = false;
  bool grad_fresh = true;    ///< no gradient has reached this node yet in this backward pass
  bool grad_preset = false;  ///< a leaf whose backward starts from the gradient it holds (start_grad)
  bool retain_grad = false;  ///< an intermediate whose gradient outlives its backward (Tape::grad)
  bool released = false;     ///< its value's buffer went to the pool (backward with Values::release)
  bool is_leaf() const { return backward == nullptr; }
  /// Whether backward keeps this node's gradient after its rule has run (else its buffer may
  /// be overwritten by the rule, then returned to the pool).
  bool keeps_grad() const { return is_leaf() || retain_grad; }
};

/// A handle to a node: cheap to copy, valid until its tape is cleared.
template <class T>
class Var {
 public:
  Var() = default;
  const Tensor<T>& value() const;   ///< the node's value
  const Tensor<T>& grad() const;    ///< a leaf's gradient after Tape::backward (zeros if unreached)
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
  void backward(const Var<T>& output, Values values = Values::keep);
  /// Reverse sweep from any output, seeded with `seed` (same shape as the output).
  void backward(const Var<T>& output, const Tensor<T>& seed, Values values = Values::keep);

  /// The next backward adds `leaf`'s gradient onto `start` instead of starting from zero, in
  /// the order a longer recording would have added it: a backward split into pieces (one step
  /// of an unrolled loop at a time) then sums the same terms in the same order, to the bit.
  void start_grad(const Var<T>& leaf, const Tensor<T>& start);

  /// d output / d input for each input (output 1×1), as Vars on this tape, zeros for an input
  /// the output does not depend on. With `create_graph` the backward pass is recorded as
  /// operations, so the gradients can be differentiated again (torch.autograd.grad with
  /// create_graph=True); without, it is the `backward` sweep (which also sets grad()) and the
  /// gradients are constants. Every input must require a gradient (a leaf that does, or a Var
  /// computed from one): make a data point a `leaf` to differentiate in it.
  std::vector<Var<T>> grad(const Var<T>& output, std::span<const Var<T>> inputs, bool create_graph = false);
  /// The same for any output, seeded with `seed` (a Var of the output's shape): Σ seed ⊙ d output / d input.
  std::vector<Var<T>> grad(const Var<T>& output, std::span<const Var<T>> inputs, const Var<T>& seed,
                           bool create_graph = false);

  /// Forget every node; buffers are kept for the next recording. Vars made before become invalid.
  void clear();
  std::size_t size() const { return size_; }
  /// Bytes of the buffers the tape holds (values, gradients, scratch of every node ever recorded,
  /// and the pool of gradient buffers).
  std::size_t bytes() const;
  /// True outside a NoGrad scope.
  bool grad_enabled() const { return grad_enabled_; }

  // ---- for operation implementations ----
  /// Append a node with output shape rows × cols, inputs `inputs`, and backward rule `fn`;
  /// its value buffer is resized (reused when the shape repeats) but not filled. The inputs
  /// must have passed check() (operations check them once, on entry).
  Var<T> record(const char* op, std::size_t rows, std::size_t cols, std::span<const Var<T>> inputs,
                BackwardFn<T> fn, OpParams params = {}, GraphFn<T> graph = nullptr);
  Node<T>& node(std::uint32_t i) { return nodes_[i]; }
  Node<T>& node(const Var<T>& v) { check(v, "use"); return nodes_[v.index_]; }
  /// The i-th input of a node.
  Node<T>& input(const Node<T>& n, std::uint32_t i) { return nodes_[inputs_[n.first_input + i]]; }
  /// The gradient buffer of the i-th input, sized to its value; `fresh` tells the caller to
  /// overwrite it instead of adding (saves one pass over memory per node).
  Tensor<T>& input_grad(const Node<T>& n, std::uint32_t i, bool& fresh);
  /// Called by a backward rule that has read its node's value for the last time, before it asks
  /// for its inputs' gradients: in a releasing sweep the value's buffer can then serve one of
  /// them (the sweep releases every value after its rule in any case).
  void value_read(Node<T>& n);
  /// True if v was recorded on this tape since its last clear().
  bool valid(const Var<T>& v) const { return v.tape_ == this && v.epoch_ == epoch_ && v.index_ < size_; }
  /// Throw if v belongs to another tape or to a recording that was cleared.
  void check(const Var<T>& v, const char* op) const {
    if (v.tape_ != this || v.epoch_ != epoch_ || v.index_ >= size_ || nodes_[v.index_].released) [[unlikely]]
      fail_check(v, op);
  }

 private:
  friend class Var<T>;
  friend class GradGraph<T>;
  template <class> friend class NoGrad;
  void sweep(std::uint32_t output, Values values);
  void release_value(Node<T>& n);
  /// Makes `grad` a buffer of `shape`, from the pool when one of that size is free.
  void take_buffer(Tensor<T>& grad, const typename Tensor<T>::shape_type& shape);
  void release_buffer(Tensor<T>& grad);
  std::vector<Var<T>> grad_graph(const Var<T>& output, std::span<const Var<T>> inputs, const Var<T>& seed);
  Var<T> var(std::uint32_t i) { return Var<T>(this, i, epoch_); }
  [[noreturn]] void fail_check(const Var<T>& v, const char* op) const;

  std::vector<Node<T>> nodes_;
  std::vector<std::uint32_t> inputs_;
  std::vector<typename Tensor<T>::storage_type> spare_grads_;  ///< gradient storage of intermediates, free for reuse
  std::vector<Var<T>> graph_grads_;           ///< grad with create_graph: ȳ of each node from lo up
  std::vector<std::uint8_t> graph_wanted_;    ///< ... and whether it depends on a requested input
  std::size_t size_ = 0, inputs_size_ = 0;
  std::uint64_t epoch_ = 1;
  int graph_depth_ = 0;                       ///< grad_graph sweeps in progress (a graph rule may start one)
  std::int64_t releasing_below_ = -1;  ///< during a releasing sweep, its output's index; else −1
  bool grad_enabled_ = true;
};

/// What a node's graph rule sees during Tape::grad(..., create_graph = true): its output and
/// inputs as Vars, the output's gradient ȳ as a Var, and `add` for each input's share of the
/// chain rule, x̄ += ȳ ∂y/∂x, itself computed with Var operations. Holds indices, not
/// references: the operations a rule records may move the tape's nodes.
template <class T>
class GradGraph {
 public:
  Tape<T>& tape() const { return tape_; }
  OpParams params() const { return tape_.nodes_[node_].params; }  ///< a copy: a rule records, which moves nodes
  Var<T> output() const { return tape_.var(node_); }
  Var<T> output_grad() const { return grads_[node_ - lo_]; }
  std::uint32_t input_count() const { return tape_.nodes_[node_].input_count; }
  Var<T> input(std::uint32_t i) const { return tape_.var(input_index(i)); }
  /// Whether input i lies on a path to the inputs of Tape::grad (its gradient is wanted).
  bool needs(std::uint32_t i) const;
  /// x̄_i += g (g of input i's shape).
  void add(std::uint32_t i, const Var<T>& g);

 private:
  friend class Tape<T>;
  GradGraph(Tape<T>& tape, std::vector<Var<T>>& grads, const std::vector<std::uint8_t>& wanted, std::uint32_t lo)
      : tape_(tape), grads_(grads), wanted_(wanted), lo_(lo) {}
  std::uint32_t input_index(std::uint32_t i) const { return tape_.inputs_[tape_.nodes_[node_].first_input + i]; }
  Tape<T>& tape_;
  std::vector<Var<T>>& grads_;
  const std::vector<std::uint8_t>& wanted_;
  std::uint32_t lo_, node_ = 0;
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
