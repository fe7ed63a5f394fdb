#include "autodiff/tape.hpp"

#include <algorithm>

#include "autodiff/ops.hpp"

namespace nimde::autodiff {
namespace {
template <class T>
bool same_shape(const Tensor<T>& a, const Tensor<T>& b) {
  return a.shape()[0] == b.shape()[0] && a.shape()[1] == b.shape()[1];
}
}  // namespace

template <class T>
const Tensor<T>& Var<T>::grad() const {
  const Node<T>& n = node();
  if (!n.requires_grad) throw std::logic_error(std::string("grad: the ") + n.op + " node of shape " +
                                               shape_string(n.value) + " does not require a gradient");
  if (!n.keeps_grad())
    throw std::logic_error(std::string("grad: the ") + n.op + " node of shape " + shape_string(n.value) +
                           " is an intermediate result, whose gradient backward does not keep; use Tape::grad");
  if (n.grad.size() != n.value.size())
    throw std::logic_error(std::string("grad: no backward pass has reached the ") + n.op + " node of shape " +
                           shape_string(n.value));
  return n.grad;
}

template <class T>
bool Var<T>::requires_grad() const { return node().requires_grad; }

template <class T>
Tape<T>& Var<T>::tape() const {
  if (!tape_) throw std::logic_error("empty Var used (default-constructed, never assigned)");
  return *tape_;
}

template <class T>
void Tape<T>::fail_check(const Var<T>& v, const char* op) const {
  if (v.tape_ == nullptr) throw std::logic_error(std::string(op) + ": empty Var (default-constructed)");
  if (v.tape_ != this) throw std::logic_error(std::string(op) + ": Var belongs to another tape");
  if (v.epoch_ != epoch_ || v.index_ >= size_)
    throw std::logic_error(std::string(op) + ": Var from a cleared tape (recorded before Tape::clear())");
  if (nodes_[v.index_].released)
    throw std::logic_error(std::string(op) + ": the value of this " + nodes_[v.index_].op +
                           " node was released by backward(..., Values::release); keep values to use it after backward");
  throw std::logic_error(std::string(op) + ": invalid Var");
}

template <class T>
Var<T> Tape<T>::record(const char* op, std::size_t rows, std::size_t cols, std::span<const Var<T>> inputs,
                       BackwardFn<T> fn, OpParams params, GraphFn<T> graph) {
  bool any_grad = false;
  for (const Var<T>& v : inputs) any_grad = any_grad || nodes_[v.index_].requires_grad;
  if (size_ == nodes_.size()) nodes_.emplace_back();
  if (inputs_size_ + inputs.size() > inputs_.size()) inputs_.resize(std::max(2 * inputs_.size(), inputs_size_ + inputs.size()));

  Node<T>& n = nodes_[size_];
  take_buffer(n.value, {rows, cols});  // its own buffer, or a released one from the pool
  n.released = false;
  n.op = op;
  n.backward = fn;
  n.graph = graph;
  n.params = params;
  n.first_input = static_cast<std::uint32_t>(inputs_size_);
  n.input_count = static_cast<std::uint32_t>(inputs.size());
  n.requires_grad = grad_enabled_ && any_grad;
  n.grad_fresh = true;
  n.grad_preset = false;
  n.retain_grad = false;
  for (const Var<T>& v : inputs) inputs_[inputs_size_++] = v.index_;
  return Var<T>(this, static_cast<std::uint32_t>(size_++), epoch_);
}

template <class T>
Var<T> Tape<T>::leaf(const Tensor<T>& value, bool requires_grad) {
  Var<T> v = record("leaf", value.shape()[0], value.shape()[1], {}, nullptr);
  Node<T>& n = nodes_[v.index_];
  std::copy(value.begin(), value.end(), n.value.begin());
  n.requires_grad = grad_enabled_ && requires_grad;
  return v;
}

template <class T>
Var<T> Tape<T>::constant(std::size_t rows, std::size_t cols, T fill) {
  Var<T> v = record("constant", rows, cols, {}, nullptr);
  nodes_[v.index_].value.fill(fill);
  return v;
}

template <class T>
Tensor<T>& Tape<T>::input_grad(const Node<T>& n, std::uint32_t i, bool& fresh) {
  Node<T>& in = input(n, i);
  fresh = in.grad_fresh;
  if (fresh) {
    take_buffer(in.grad, in.value.shape());
    in.grad_fresh = false;
  }
  return in.grad;
}

// Last in, first out by size: a recording that repeats asks for the same sizes in the same
// order every time, so after the first backward every request finds its buffer. The pool holds
// bare storage: moving whole containers (shape, strides) cost a tape of small operations more
// than their arithmetic. A released gradient keeps its shape over empty storage, so size(),
// which is the storage's, says whether it holds a buffer.
template <class T>
void Tape<T>::take_buffer(Tensor<T>& grad, const typename Tensor<T>::shape_type& shape) {
  const std::size_t size = shape[0] * shape[1];
  if (grad.size() != size)
    for (std::size_t k = spare_grads_.size(); k-- > 0;)
      if (spare_grads_[k].size() == size) {
        grad.storage().swap(spare_grads_[k]);  // slot k now holds grad's old storage
        if (spare_grads_[k].size() == 0) {
          spare_grads_[k].swap(spare_grads_.back());
          spare_grads_.pop_back();
        }
        break;
      }
  // Forced when the storage is not yet of the shape's size; no allocation when only the shape differs.
  if (grad.shape() != shape || grad.size() != size) grad.resize(shape, grad.size() != size);
}

template <class T>
void Tape<T>::release_buffer(Tensor<T>& grad) {
  if (grad.size() == 0) return;
  spare_grads_.emplace_back();
  spare_grads_.back().swap(grad.storage());
}

template <class T>
void Tape<T>::release_value(Node<T>& n) {
  if (n.released || n.is_leaf()) return;
  release_buffer(n.value);
  n.released = true;
}

template <class T>
void Tape<T>::value_read(Node<T>& n) {
  if (&n - nodes_.data() < releasing_below_) release_value(n);  // −1 outside a releasing sweep
}

template <class T>
void Tape<T>::backward(const Var<T>& output, Values values) {
  check(output, "backward");
  const Node<T>& n = nodes_[output.index_];
  if (n.value.size() != 1)
    throw std::invalid_argument("backward: the output (" + std::string(n.op) + ") has shape " + shape_string(n.value) +
                                "; a non-scalar output needs a seed of the same shape");
  Tensor<T>& g = nodes_[output.index_].grad;
  take_buffer(g, {1, 1});
  g(0, 0) = T(1);
  sweep(output.index_, values);
}

template <class T>
void Tape<T>::backward(const Var<T>& output, const Tensor<T>& seed, Values values) {
  check(output, "backward");
  const Node<T>& n = nodes_[output.index_];
  if (seed.shape() != n.value.shape())
    throw std::invalid_argument("backward: seed of shape " + shape_string(seed) + " for an output (" +
                                std::string(n.op) + ") of shape " + shape_string(n.value));
  Tensor<T>& g = nodes_[output.index_].grad;
  take_buffer(g, seed.shape());
  std::copy(seed.begin(), seed.end(), g.begin());
  sweep(output.index_, values);
}

template <class T>
void Tape<T>::start_grad(const Var<T>& leaf, const Tensor<T>& start) {
  check(leaf, "start_grad");
  Node<T>& n = nodes_[leaf.index_];
  if (n.backward || !n.requires_grad)
    throw std::invalid_argument("start_grad: only a leaf that requires a gradient can start from one");
  if (start.shape() != n.value.shape())
    throw std::invalid_argument("start_grad: a gradient of shape " + shape_string(start) + " for a leaf of shape " +
                                shape_string(n.value));
  n.grad.resize(start.shape(), n.grad.size() != start.size());
  std::copy(start.begin(), start.end(), n.grad.begin());
  n.grad_preset = true;
}

template <class T>
void Tape<T>::sweep(std::uint32_t output, Values values) {
  if (!nodes_[output].requires_grad)
    throw std::invalid_argument(std::string("backward: the output (") + nodes_[output].op +
                                ") does not depend on any leaf that requires a gradient");
  for (std::size_t i = 0; i < size_; ++i) nodes_[i].grad_fresh = !nodes_[i].grad_preset;
  nodes_[output].grad_fresh = false;
  // A node's value is read by its own rule and by its consumers' rules, which come later on the
  // tape and so have run before it: after its rule, nothing reads it.
  const bool release = values == Values::release;
  struct Releasing {  // value_read's window, closed however the sweep ends
    std::int64_t& below;
    ~Releasing() { below = -1; }
  } window{releasing_below_};
  if (release) releasing_below_ = output;
  for (std::size_t i = output + 1; i-- > 0;) {
    Node<T>& n = nodes_[i];
    if (n.requires_grad && !n.grad_fresh && n.backward) {
      n.backward(*this, n);
      if (!n.retain_grad) release_buffer(n.grad);
      if (release && i != output) release_value(n);
    }
  }
  // Kept gradients the sweep never reached (or recorded after the output) are zero.
  for (std::size_t i = 0; i < size_; ++i) {
    Node<T>& n = nodes_[i];
    n.grad_preset = false;  // a start applies to one backward
    if (n.requires_grad && n.grad_fresh && n.keeps_grad()) {
      take_buffer(n.grad, n.value.shape());
      n.grad.fill(T(0));
    }
  }
}

template <class T>
std::size_t Tape<T>::bytes() const {
  std::size_t elements = 0;
  for (const Node<T>& n : nodes_) elements += n.value.size() + n.grad.size() + n.aux.size();
  for (const auto& g : spare_grads_) elements += g.size();
  return elements * sizeof(T);
}

template <class T>
std::vector<Var<T>> Tape<T>::grad(const Var<T>& output, std::span<const Var<T>> inputs, bool create_graph) {
  check(output, "grad");
  const Node<T>& n = nodes_[output.index_];
  if (n.value.size() != 1)
    throw std::invalid_argument("grad: the output (" + std::string(n.op) + ") has shape " + shape_string(n.value) +
                                "; a non-scalar output needs a seed of the same shape");
  return grad(output, inputs, constant(1, 1, T(1)), create_graph);
}

template <class T>
std::vector<Var<T>> Tape<T>::grad(const Var<T>& output, std::span<const Var<T>> inputs, const Var<T>& seed,
                                  bool create_graph) {
  check(output, "grad");
  check(seed, "grad");
  if (!same_shape(nodes_[seed.index_].value, nodes_[output.index_].value))
    throw std::invalid_argument("grad: seed of shape " + shape_string(nodes_[seed.index_].value) +
                                " for an output (" + std::string(nodes_[output.index_].op) + ") of shape " +
                                shape_string(nodes_[output.index_].value));
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    check(inputs[k], "grad");
    const Node<T>& in = nodes_[inputs[k].index_];
    if (!in.requires_grad)
      throw std::invalid_argument("grad: input " + std::to_string(k) + " (" + in.op + ", shape " +
                                  shape_string(in.value) + ") does not require a gradient");
  }
  if (!nodes_[output.index_].requires_grad)
    throw std::invalid_argument(std::string("grad: the output (") + nodes_[output.index_].op +
                                ") does not depend on any leaf that requires a gradient");
  if (create_graph) return grad_graph(output, inputs, seed);

  for (const Var<T>& in : inputs) nodes_[in.index_].retain_grad = true;
  backward(output, nodes_[seed.index_].value);
  std::vector<Var<T>> result;
  for (const Var<T>& in : inputs) {
    const auto shape = nodes_[in.index_].value.shape();
    Var<T> c = record("constant", shape[0], shape[1], {}, nullptr);  // may move the nodes: copy after
    const Tensor<T>& g = nodes_[in.index_].grad;
    std::copy(g.begin(), g.end(), nodes_[c.index_].value.begin());
    result.push_back(c);
  }
  return result;
}

// The sweep of `backward` with Vars for gradients. Only nodes between the lowest input and the
// output that depend on an input (`wanted`) run their graph rule: the gradient of H with respect
// to x alone records no weight gradients. Node indices are a topological order, so one pass up
// marks the wanted nodes and one pass down applies the rules.
template <class T>
std::vector<Var<T>> Tape<T>::grad_graph(const Var<T>& output, std::span<const Var<T>> inputs, const Var<T>& seed) {
  const std::uint32_t top = output.index_;
  std::uint32_t lo = top;
  for (const Var<T>& in : inputs) lo = std::min(lo, in.index_);
  // A graph rule may take a gradient of its own (network_gradient's differentiates the
  // computation it fuses): a nested sweep works on buffers of its own, the outer one keeps these.
  const bool nested = graph_depth_ > 0;
  std::vector<std::uint8_t> own_wanted;
  std::vector<Var<T>> own_grads;
  std::vector<std::uint8_t>& wanted = nested ? own_wanted : graph_wanted_;
  wanted.assign(top - lo + 1, 0);
  for (const Var<T>& in : inputs)
    if (in.index_ <= top) wanted[in.index_ - lo] = 1;
  for (std::uint32_t i = lo; i <= top; ++i) {
    const Node<T>& n = nodes_[i];
    if (wanted[i - lo] || !n.requires_grad) continue;
    for (std::uint32_t k = 0; k < n.input_count && !wanted[i - lo]; ++k) {
      const std::uint32_t j = inputs_[n.first_input + k];
      wanted[i - lo] = j >= lo && wanted[j - lo];
    }
  }
  std::vector<Var<T>>& grads = nested ? own_grads : graph_grads_;
  grads.assign(top - lo + 1, Var<T>());
  grads[top - lo] = seed;
  GradGraph<T> g(*this, grads, wanted, lo);
  struct Depth {
    int& d;
    explicit Depth(int& depth) : d(++depth) {}
    ~Depth() { --d; }
  } depth(graph_depth_);
  for (std::uint32_t i = top + 1; i-- > lo;) {
    if (!wanted[i - lo] || grads[i - lo].tape_ == nullptr || nodes_[i].input_count == 0) continue;
    if (!nodes_[i].graph)
      throw std::logic_error(std::string("grad: the ") + nodes_[i].op + " operation has no graph rule (create_graph)");
    g.node_ = i;
    nodes_[i].graph(g);
  }
  std::vector<Var<T>> result;
  for (const Var<T>& in : inputs) {
    if (in.index_ <= top && grads[in.index_ - lo].tape_) {
      result.push_back(grads[in.index_ - lo]);
    } else {
      const auto shape = nodes_[in.index_].value.shape();
      result.push_back(constant(shape[0], shape[1], T(0)));
    }
  }
  return result;
}

template <class T>
bool GradGraph<T>::needs(std::uint32_t i) const {
  const std::uint32_t j = input_index(i);
  return j >= lo_ && wanted_[j - lo_];
}

template <class T>
void GradGraph<T>::add(std::uint32_t i, const Var<T>& g) {
  const std::uint32_t j = input_index(i);
  if (j < lo_ || !wanted_[j - lo_]) return;
  if (!same_shape(tape_.nodes_[j].value, g.value()))
    throw std::logic_error(std::string("grad: the graph rule of ") + tape_.nodes_[node_].op + " gave a gradient of shape " +
                           shape_string(g.value()) + " for an input of shape " + shape_string(tape_.nodes_[j].value));
  Var<T>& slot = grads_[j - lo_];
  slot = tape_.valid(slot) ? slot + g : g;
}

template <class T>
void Tape<T>::clear() {
  size_ = 0;
  inputs_size_ = 0;
  ++epoch_;
}

template class Tape<float>;
template class Tape<double>;
template class Var<float>;
template class Var<double>;
template class GradGraph<float>;
template class GradGraph<double>;

}  // namespace nimde::autodiff
