#include "nn/mlp.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include "autodiff/array.hpp"
#include "autodiff/ops.hpp"
#include "nn/mlp_jets.hpp"

namespace nimde::nn {

using autodiff::Array;
using ode::SettingError;
using autodiff::Tape;
using autodiff::Var;

namespace {

using autodiff::Activation;

// ---- one layer, act(W·x + b), per kind of state --------------------------------------
/// On a batch or a tape: one fused kernel (linear's W is out × in, as here).
template <class State, class P>
State dense(const State& x, const P& W, const P& b, Activation a) {
  return autodiff::linear(x, W, b, a);
}

template <class S>
ode::Point<S> dense(const ode::Point<S>& x, const Tensor<double>& W, const Tensor<double>& b, Activation a) {
  const std::size_t out = W.shape()[0], in = W.shape()[1];
  ode::Point<S> y;
  y.x.reserve(out);
  for (std::size_t i = 0; i < out; ++i) {
    S acc = x.x[0] * W(i, 0) + b(0, i);
    for (std::size_t j = 1; j < in; ++j) acc = acc + x.x[j] * W(i, j);
    y.x.push_back(autodiff::activate(a, acc));  // the batch kernels' rule, on one number or jet
  }
  return y;
}

/// The forward pass, once for every state: layer after layer.
template <class State, class P>
State forward(const State& x, const std::vector<P>& W, const std::vector<P>& b, const std::vector<Activation>& acts) {
  State h = dense(x, W[0], b[0], acts[0]);
  for (std::size_t l = 1; l < W.size(); ++l) h = dense(h, W[l], b[l], acts[l]);
  return h;
}

template <class T>
Array<T> as_array(const Tensor<double>& t) {
  Tensor<T> c(t.shape());
  std::copy(t.begin(), t.end(), c.begin());
  return Array<T>(std::move(c));
}

/// The network's output on a batch, in the batch's precision.
template <class T>
Array<T> forward_batch(const Array<T>& y, const MlpParams& p) {
  std::vector<Array<T>> W, B;
  for (std::size_t l = 0; l < p.layers(); ++l) {
    W.push_back(as_array<T>(p.weights[l]));
    B.push_back(as_array<T>(p.biases[l]));
  }
  return forward(y, W, B, p.activations);
}

/// The parameters as constants on `tape` (a network evaluated, not trained, there).
template <class T>
TapeParams<T> constants(Tape<T>& tape, const MlpParams& p) {
  TapeParams<T> c;
  for (std::size_t l = 0; l < p.layers(); ++l) {
    c.weights.push_back(tape.constant(as_array<T>(p.weights[l]).value()));
    c.biases.push_back(tape.constant(as_array<T>(p.biases[l]).value()));
  }
  return c;
}

// ---- a Hamiltonian network's field, J⁻¹∇H_θ -------------------------------------------
/// J⁻¹ g for g = ∇H = (∂H/∂p, ∂H/∂q): (−∂H/∂q, ∂H/∂p).
template <class State>
State symplectic(const State& g) {
  const std::size_t m = g.cols() / 2;
  return ode::glue(-ode::part(g, m, m), ode::part(g, 0, m));
}

/// J⁻¹∇H_θ on a tape: ∇ₓH_θ of every row as an operation that training can differentiate again.
template <class T>
Var<T> hamiltonian_field(const Var<T>& y, const TapeParams<T>& p, const std::vector<Activation>& acts) {
  return symplectic(autodiff::network_gradient(y, std::span<const Var<T>>(p.weights),
                                               std::span<const Var<T>>(p.biases), std::span<const Activation>(acts)));
}

/// The same for a batch: recorded the same way on a scratch tape, so that a plain evaluation
/// and a taped one (training without gradients, Backprop::recompute's forward pass) agree to
/// the bit.
template <class T>
Array<T> hamiltonian_field(const Array<T>& y, const MlpParams& p) {
  thread_local Tape<T> tape;
  tape.clear();
  return Array<T>(hamiltonian_field(tape.leaf(y.value(), true), constants(tape, p), p.activations).value());
}

/// act'(z) from z and y = act(z), in any scalar type (a number, a jet).
template <class S>
S slope(Activation a, const S& z, const S& y) {
  using std::cos;
  using std::exp;
  switch (a) {
    case Activation::tanh: return 1.0 - y * y;
    case Activation::sigmoid: return y * (1.0 - y);
    case Activation::softplus: return 1.0 - exp(-y);
    case Activation::sin: return cos(z);
    case Activation::identity: return y * 0.0 + 1.0;
    default: throw std::logic_error("a Hamiltonian network with a non-smooth activation");
  }
}

/// J⁻¹∇H_θ at one point of any scalar type: the forward pass keeping each layer's input and
/// output, then the backward pass written out (W is out × in, so ∇ passes through Wᵀ).
template <class S>
ode::Point<S> hamiltonian_field(const ode::Point<S>& y, const MlpParams& p) {
  const std::size_t L = p.layers();
  std::vector<ode::Point<S>> z(L), a(L + 1);  // pre-activations, outputs (a[0] = y)
  a[0] = y;
  for (std::size_t l = 0; l < L; ++l) {
    const Tensor<double>& W = p.weights[l];
    const std::size_t out = W.shape()[0], in = W.shape()[1];
    for (std::size_t i = 0; i < out; ++i) {
      S acc = a[l].x[0] * W(i, 0) + p.biases[l](0, i);
      for (std::size_t j = 1; j < in; ++j) acc = acc + a[l].x[j] * W(i, j);
      z[l].x.push_back(acc);
      a[l + 1].x.push_back(autodiff::activate(p.activations[l], acc));
    }
  }
  std::vector<S> g{a[L].x[0] * 0.0 + 1.0};  // ∂H/∂H
  for (std::size_t l = L; l-- > 0;) {
    const Tensor<double>& W = p.weights[l];
    const std::size_t out = W.shape()[0], in = W.shape()[1];
    for (std::size_t i = 0; i < out; ++i) g[i] = g[i] * slope(p.activations[l], z[l].x[i], a[l + 1].x[i]);
    std::vector<S> below;
    below.reserve(in);
    for (std::size_t j = 0; j < in; ++j) {
      S acc = g[0] * W(0, j);
      for (std::size_t i = 1; i < out; ++i) acc = acc + g[i] * W(i, j);
      below.push_back(acc);
    }
    g = std::move(below);
  }
  return symplectic(ode::Point<S>{std::move(g)});
}

// ---- initialisers ----------------------------------------------------------------------
/// Standard normal numbers by Box–Muller, so a seed gives the same weights everywhere.
struct Normal {
  std::mt19937_64 rng;
  bool has_spare = false;
  double spare = 0;
  double operator()() {
    if (has_spare) {
      has_spare = false;
      return spare;
    }
    const double u1 = (double(rng() >> 11) + 0.5) * 0x1.0p-53, u2 = double(rng() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2 * std::log(u1)), t = 2 * M_PI * u2;
    spare = r * std::sin(t);
    has_spare = true;
    return r * std::cos(t);
  }
};

/// A rows × cols matrix with orthonormal rows or columns (whichever are fewer): the Q of a
/// QR factorisation of a Gaussian matrix, signs fixed by R's diagonal (as torch does).
Tensor<double> orthogonal(std::size_t rows, std::size_t cols, Normal& normal) {
  const bool tall = rows >= cols;
  const std::size_t m = tall ? rows : cols, n = tall ? cols : rows;  // Q is m × n, m ≥ n
  std::vector<double> q(m * n);
  for (double& v : q) v = normal();
  // Modified Gram–Schmidt on the n columns; r_jj's sign is folded into q_j.
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t k = 0; k < j; ++k) {
      double dot = 0;
      for (std::size_t i = 0; i < m; ++i) dot += q[i * n + k] * q[i * n + j];
      for (std::size_t i = 0; i < m; ++i) q[i * n + j] -= dot * q[i * n + k];
    }
    double norm = 0;
    for (std::size_t i = 0; i < m; ++i) norm += q[i * n + j] * q[i * n + j];
    norm = std::sqrt(norm);
    for (std::size_t i = 0; i < m; ++i) q[i * n + j] /= norm;
  }
  Tensor<double> W = autodiff::zeros<double>(rows, cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) W(i, j) = tall ? q[i * n + j] : q[j * n + i];
  return W;
}

Tensor<double> init_weight(std::size_t out, std::size_t in, Init init, Normal& normal) {
  if (init == Init::orthogonal) return orthogonal(out, in, normal);
  Tensor<double> W = autodiff::zeros<double>(out, in);
  const double fan_sum = double(in + out);
  for (double& w : W) {
    switch (init) {
      case Init::glorot_uniform: {
        const double a = std::sqrt(6.0 / fan_sum);
        w = a * (2 * (double(normal.rng() >> 11) * 0x1.0p-53) - 1);
        break;
      }
      case Init::glorot_normal: w = std::sqrt(2.0 / fan_sum) * normal(); break;
      default: w = std::sqrt(2.0 / double(in)) * normal(); break;
    }
  }
  return W;
}

/// A network's callable for its Field: every state through `f`, batches of jets by GEMMs.
template <class F>
struct WithJets {
  F f;
  std::shared_ptr<const MlpParams> params;
  template <class State>
  State operator()(const State& y) const { return f(y); }
  autodiff::JetBatch jets(const autodiff::JetBatch& y) const { return field_jets(*params, y); }
};
template <class F>
WithJets<F> with_jets(F f, std::shared_ptr<const MlpParams> params) {
  return {std::move(f), std::move(params)};
}

}  // namespace

Init parse_init(std::string_view name) {
  if (name == "orthogonal") return Init::orthogonal;
  if (name == "glorot-uniform") return Init::glorot_uniform;
  if (name == "glorot-normal") return Init::glorot_normal;
  if (name == "he-normal") return Init::he_normal;
  throw std::invalid_argument("unknown initialiser '" + std::string(name) +
                              "' (known: orthogonal, glorot-uniform, glorot-normal, he-normal)");
}

std::size_t MlpParams::count() const {
  std::size_t n = 0;
  for (std::size_t l = 0; l < layers(); ++l) n += weights[l].size() + biases[l].size();
  return n;
}

void check_model_kind(ModelKind kind, std::size_t dim, Activation act) {
  if (kind != ModelKind::hnn) return;
  if (dim % 2 != 0)
    throw SettingError("model", "hnn", "needs canonical coordinates (p, q), of even dimension; this system has " +
                                           std::to_string(dim));
  if (act != Activation::tanh && act != Activation::sigmoid && act != Activation::softplus && act != Activation::sin)
    throw SettingError("activation", std::string(autodiff::activation_name(act)),
                       "a Hamiltonian network needs a twice differentiable one: tanh, sigmoid, softplus or sin");
}

MlpParams make_mlp(std::size_t dim, std::size_t width, std::size_t depth, Activation act, Init init,
                   std::uint64_t seed, ModelKind kind) {
  if (dim == 0 || width == 0) throw std::invalid_argument("network: dimension and width must be positive");
  check_model_kind(kind, dim, act);
  Normal normal{std::mt19937_64(seed)};
  MlpParams p;
  p.kind = kind;
  std::size_t in = dim;
  for (std::size_t l = 0; l <= depth; ++l) {
    const std::size_t out = l == depth ? (kind == ModelKind::hnn ? 1 : dim) : width;
    p.weights.push_back(init_weight(out, in, init, normal));
    p.biases.push_back(autodiff::zeros<double>(1, out));
    p.activations.push_back(l == depth ? Activation::identity : act);
    in = out;
  }
  return p;
}

// ---- the field --------------------------------------------------------------------------
struct MlpField::Shared {
  std::shared_ptr<MlpParams> params;
  TapeParams<float> bound_f;
  TapeParams<double> bound_d;
  template <class T> TapeParams<T>& bound() {
    if constexpr (std::is_same_v<T, float>) return bound_f; else return bound_d;
  }
  /// The parameters on `tape`: the leaves bound there, or constants when none are.
  template <class T> TapeParams<T> on_tape(Tape<T>& tape) {
    const TapeParams<T>& b = bound<T>();
    return b.weights.empty() || !tape.valid(b.weights[0]) ? constants(tape, *params) : b;
  }
};

MlpField::MlpField(std::shared_ptr<MlpParams> params) : params_(params), shared_(std::make_shared<Shared>()) {
  shared_->params = std::move(params);
}

template <class T>
const TapeParams<T>& MlpField::bind(Tape<T>& tape) {
  TapeParams<T>& b = shared_->bound<T>();
  b.weights.clear();
  b.biases.clear();
  for (std::size_t l = 0; l < params_->layers(); ++l) {
    b.weights.push_back(tape.leaf(as_array<T>(params_->weights[l]).value()));
    b.biases.push_back(tape.leaf(as_array<T>(params_->biases[l]).value()));
  }
  return b;
}

ode::Field MlpField::field(std::string name, std::vector<std::string> names) const {
  if (names.size() != params_->weights.front().shape()[1])
    throw std::invalid_argument("network field: " + std::to_string(names.size()) + " names for a network of input dimension " +
                                std::to_string(params_->weights.front().shape()[1]));
  auto shared = shared_;
  if (params_->kind == ModelKind::hnn) {
    if (params_->weights.back().shape()[0] != 1 || names.size() % 2 != 0)
      throw std::invalid_argument("Hamiltonian network: needs an even dimension and one output, H");
    for (std::size_t l = 0; l + 1 < params_->layers(); ++l)  // the output layer's is linear
      check_model_kind(ModelKind::hnn, names.size(), params_->activations[l]);
    auto f = [shared](const auto& y) {
      using State = std::decay_t<decltype(y)>;
      const MlpParams& p = *shared->params;
      if constexpr (ode::kIsTaped<State>) {
        using T = std::decay_t<decltype(y.value()(0, 0))>;
        Tape<T>& tape = y.tape();
        if (!tape.grad_enabled())  // a forward pass only: evaluated aside, entered as a constant
          return tape.constant(hamiltonian_field(Array<T>(y.value()), p).value());
        return hamiltonian_field(y, shared->on_tape(tape), p.activations);
      } else {
        return hamiltonian_field(y, p);
      }
    };
    return ode::Field(std::move(name), std::move(names), with_jets(f, shared->params));
  }
  auto f = [shared](const auto& y) {
    using State = std::decay_t<decltype(y)>;
    const MlpParams& p = *shared->params;
    if constexpr (ode::kIsTaped<State>) {
      using T = std::decay_t<decltype(y.value()(0, 0))>;
      const TapeParams<T> on = shared->on_tape(y.tape());
      return forward(y, on.weights, on.biases, p.activations);
    } else if constexpr (std::is_same_v<State, Array<float>> || std::is_same_v<State, Array<double>>) {
      return forward_batch(y, p);
    } else {
      return forward(y, p.weights, p.biases, p.activations);
    }
  };
  return ode::Field(std::move(name), std::move(names), with_jets(f, shared->params));
}

Tensor<double> hamiltonian(const MlpParams& p, const Tensor<double>& y) {
  if (p.kind != ModelKind::hnn) throw std::invalid_argument("H_theta: the network is not a Hamiltonian network");
  return forward_batch(Array<double>(y), p).value();
}

ParametricField parametric_field(MlpField net, std::string name, std::vector<std::string> names) {
  ParametricField pf;
  pf.field = net.field(std::move(name), std::move(names));
  pf.bind = [net](Tape<double>& tape) mutable {
    const TapeParams<double>& b = net.bind(tape);
    std::vector<Var<double>> theta;
    for (std::size_t l = 0; l < b.weights.size(); ++l) {
      theta.push_back(b.weights[l]);
      theta.push_back(b.biases[l]);
    }
    return theta;
  };
  pf.params = [net]() mutable {
    std::vector<Tensor<double>*> theta;
    for (std::size_t l = 0; l < net.params().layers(); ++l) {
      theta.push_back(&net.params().weights[l]);
      theta.push_back(&net.params().biases[l]);
    }
    return theta;
  };
  return pf;
}

template const TapeParams<float>& MlpField::bind(Tape<float>&);
template const TapeParams<double>& MlpField::bind(Tape<double>&);

}  // namespace nimde::nn
