// SIMD building blocks shared by every kernel: the batch type of the host architecture and
// the activation functions on batches. Internal: include only from .cpp files.
#pragma once

#include <xsimd/xsimd.hpp>

#include "autodiff/activation.hpp"

namespace nimde::autodiff::detail {

/// xsimd's batch for the architecture the build targets (fma3<avx2> with -march=native here).
template <class T>
using Batch = xsimd::batch<T>;

// One definition of each activation, used by the elementwise operations and by the fused
// linear epilogue alike, so both give the same bits.
template <class B> B tanh_b(B x) { return xsimd::tanh(x); }
template <class B> B sigmoid_b(B x) { return B(1) / (B(1) + xsimd::exp(-x)); }
template <class B> B relu_b(B x) { return xsimd::max(x, B(0)); }
template <class B> B elu_b(B x) { return xsimd::select(x > B(0), x, xsimd::expm1(x)); }
// log(1 + e^x) = max(x, 0) + log1p(e^{−|x|}): no overflow for large x.
template <class B> B softplus_b(B x) { return xsimd::max(x, B(0)) + xsimd::log1p(xsimd::exp(-xsimd::abs(x))); }

template <class B>
B activate(Activation a, B x) {
  switch (a) {
    case Activation::identity: return x;
    case Activation::tanh: return tanh_b(x);
    case Activation::sigmoid: return sigmoid_b(x);
    case Activation::relu: return relu_b(x);
    case Activation::elu: return elu_b(x);
    case Activation::softplus: return softplus_b(x);
  }
  return x;
}

/// dL/dz from dL/dy and the activation's output y (see activation.hpp for the rules).
template <class B>
B activation_grad(Activation a, B y, B g) {
  switch (a) {
    case Activation::identity: return g;
    case Activation::tanh: return g * (B(1) - y * y);
    case Activation::sigmoid: return g * (y * (B(1) - y));
    case Activation::relu: return xsimd::select(y > B(0), g, B(0));
    case Activation::elu: return xsimd::select(y > B(0), g, g * (y + B(1)));
    case Activation::softplus: return g * -xsimd::expm1(-y);
  }
  return g;
}

}  // namespace nimde::autodiff::detail
