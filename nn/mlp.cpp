#include "nn/mlp.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include "autodiff/array.hpp"
#include "autodiff/ops.hpp"

namespace nimde::nn {

using autodiff::Array;
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

MlpParams make_mlp(std::size_t dim, std::size_t width, std::size_t depth, Activation act, Init init,
                   std::uint64_t seed) {
  if (dim == 0 || width == 0) throw std::invalid_argument("network: dimension and width must be positive");
  Normal normal{std::mt19937_64(seed)};
  MlpParams p;
  std::size_t in = dim;
  for (std::size_t l = 0; l <= depth; ++l) {
    const std::size_t out = l == depth ? dim : width;
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
  auto f = [shared](const auto& y) {
    using State = std::decay_t<decltype(y)>;
    const MlpParams& p = *shared->params;
    if constexpr (ode::kIsTaped<State>) {
      using T = std::decay_t<decltype(y.value()(0, 0))>;
      Tape<T>& tape = y.tape();
      TapeParams<T>& b = shared->template bound<T>();
      if (b.weights.empty() || !tape.valid(b.weights[0])) {  // nothing bound here: constants
        TapeParams<T> c;
        for (std::size_t l = 0; l < p.layers(); ++l) {
          c.weights.push_back(tape.constant(as_array<T>(p.weights[l]).value()));
          c.biases.push_back(tape.constant(as_array<T>(p.biases[l]).value()));
        }
        return forward(y, c.weights, c.biases, p.activations);
      }
      return forward(y, b.weights, b.biases, p.activations);
    } else if constexpr (std::is_same_v<State, Array<float>> || std::is_same_v<State, Array<double>>) {
      using T = std::decay_t<decltype(y.value()(0, 0))>;
      std::vector<Array<T>> W, B;
      for (std::size_t l = 0; l < p.layers(); ++l) {
        W.push_back(as_array<T>(p.weights[l]));
        B.push_back(as_array<T>(p.biases[l]));
      }
      return forward(y, W, B, p.activations);
    } else {
      return forward(y, p.weights, p.biases, p.activations);
    }
  };
  return ode::Field(std::move(name), std::move(names), f);
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
