#include "nn/mlp_jets.hpp"

#include <utility>
#include <vector>

#include "autodiff/gemm.hpp"
#include "nn/mlp.hpp"

namespace nimde::nn {

using autodiff::Activation;
using autodiff::JetBatch;
using autodiff::JetShape;

namespace {

/// The hidden layers' coefficient matrices, kept per thread from call to call: allocated afresh,
/// megabytes of them would be paged in (and zeroed) again on every call.
struct Workspace {
  std::vector<std::vector<double, autodiff::AlignedAllocator<double>>> buffers;
  double* get(std::size_t i, std::size_t size) {
    if (buffers.size() <= i) buffers.resize(i + 1);
    if (buffers[i].size() < size) buffers[i].resize(size);
    return buffers[i].data();
  }
};
thread_local Workspace work;

/// z = x Wᵀ + b for `rows` = size·n coefficient rows: linear, so x_β Wᵀ for every coefficient β
/// at once, one GEMM; the bias is a constant and enters coefficient 0 (the first n rows) alone.
void dense(const double* x, std::size_t rows, std::size_t points, const Tensor<double>& W, const Tensor<double>& b,
           double* z) {
  const std::size_t out = W.shape()[0], in = W.shape()[1];
  autodiff::gemm<double>(rows, out, in, x, in, false, W.data(), in, true, z, out, false);
  for (std::size_t p = 0; p < points; ++p)
    for (std::size_t i = 0; i < out; ++i) z[p * out + i] += b(0, i);
}

/// f_θ: layer after layer, act(x Wᵀ + b), the hidden ones in the workspace.
JetBatch forward(const MlpParams& p, const JetBatch& y) {
  const JetShape& s = y.shape();
  const std::size_t n = y.points(), rows = y.matrix().shape()[0], L = p.layers();
  JetBatch out(s, n, p.weights.back().shape()[0]);
  const double* x = y.matrix().data();
  for (std::size_t l = 0; l < L; ++l) {
    const std::size_t width = p.weights[l].shape()[0];
    double* z = l + 1 == L ? out.matrix().data() : work.get(l % 2, rows * width);
    dense(x, rows, n, p.weights[l], p.biases[l], z);
    autodiff::activate(p.activations[l], s, n * width, z);
    x = z;
  }
  return out;
}

/// J⁻¹∇H_θ: the forward pass keeping each layer's z and act(z), then the backward pass of
/// mlp.cpp's Point version on whole batches: g ← g·act'(z) is a product of jets, g ← g W is
/// linear (one GEMM over the coefficient rows; W is out × in).
JetBatch hamiltonian_field(const MlpParams& p, const JetBatch& y) {
  const JetShape& s = y.shape();
  const std::size_t n = y.points(), rows = y.matrix().shape()[0], L = p.layers();
  std::size_t widest = y.cols();
  for (const Tensor<double>& W : p.weights) widest = std::max(widest, W.shape()[0]);
  // Buffers: z_l at 2l, a_{l+1} = act(z_l) at 2l + 1, then g, the layer below and act'(z).
  std::vector<const double*> a{y.matrix().data()};
  std::vector<double*> z;
  for (std::size_t l = 0; l < L; ++l) {
    const std::size_t width = p.weights[l].shape()[0];
    z.push_back(work.get(2 * l, rows * width));
    double* act = work.get(2 * l + 1, rows * width);
    dense(a.back(), rows, n, p.weights[l], p.biases[l], z.back());
    std::copy(z.back(), z.back() + rows * width, act);
    autodiff::activate(p.activations[l], s, n * width, act);
    a.push_back(act);
  }
  double* g = work.get(2 * L, rows * widest);
  double* below = work.get(2 * L + 1, rows * widest);
  double* slope = work.get(2 * L + 2, rows * widest);
  std::fill(g, g + rows, 0.0);  // ∂H/∂H = 1, a constant: coefficient 0 is 1, the others 0
  std::fill(g, g + n, 1.0);
  for (std::size_t l = L; l-- > 0;) {
    const Tensor<double>& W = p.weights[l];
    const std::size_t out = W.shape()[0], in = W.shape()[1];
    if (p.activations[l] != Activation::identity) {
      autodiff::derivative(p.activations[l], s, n * out, z[l], a[l + 1], slope);
      autodiff::multiply(s, n * out, g, slope);
    }
    autodiff::gemm<double>(rows, in, out, g, out, false, W.data(), in, false, below, in, false);
    std::swap(g, below);
  }
  // J⁻¹ ∇H = (−∂H/∂q, ∂H/∂p)
  const std::size_t d = y.cols(), m = d / 2;
  JetBatch f(s, n, d);
  double* fm = f.matrix().data();
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < m; ++k) {
      fm[r * d + k] = -g[r * d + m + k];
      fm[r * d + m + k] = g[r * d + k];
    }
  return f;
}

}  // namespace

JetBatch field_jets(const MlpParams& p, const JetBatch& y) {
  return p.kind == ModelKind::hnn ? hamiltonian_field(p, y) : forward(p, y);
}

}  // namespace nimde::nn
