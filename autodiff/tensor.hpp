// Tensor<T>: the dense, row-major, 64-byte aligned container every value and gradient lives in.
// It is an ordinary xtensor container, so xtensor views and expressions work on it directly;
// the engine's kernels read and write its storage through raw pointers.
#pragma once

#include <cstddef>
#include <string>

#include <xsimd/memory/xsimd_aligned_allocator.hpp>
#include <xtensor/xtensor.hpp>

namespace nimde::autodiff {

/// Cache-line alignment: every row block the kernels touch starts on a fresh line.
inline constexpr std::size_t kAlignment = 64;

template <class T>
using AlignedAllocator = xsimd::aligned_allocator<T, kAlignment>;

/// Rank-2 tensor (batch × features). A scalar is 1×1, a row vector 1×n.
template <class T>
using Tensor = xt::xtensor_container<xt::uvector<T, AlignedAllocator<T>>, 2, xt::layout_type::row_major>;

/// Rank-1 tensor; `as_row` views it as a 1×n Tensor for the engine.
template <class T>
using Vector = xt::xtensor_container<xt::uvector<T, AlignedAllocator<T>>, 1, xt::layout_type::row_major>;

/// A rows × cols tensor of zeros.
template <class T>
Tensor<T> zeros(std::size_t rows, std::size_t cols) {
  Tensor<T> t(std::array<std::size_t, 2>{rows, cols});
  t.fill(T(0));
  return t;
}

/// A 1×n tensor holding the entries of v.
template <class T>
Tensor<T> as_row(const Vector<T>& v) {
  Tensor<T> t(std::array<std::size_t, 2>{1, v.size()});
  std::copy(v.begin(), v.end(), t.begin());
  return t;
}

/// "[rows x cols]", for error messages.
inline std::string shape_string(std::size_t rows, std::size_t cols) {
  return "[" + std::to_string(rows) + " x " + std::to_string(cols) + "]";
}

template <class T>
std::string shape_string(const Tensor<T>& t) {
  return shape_string(t.shape()[0], t.shape()[1]);
}

}  // namespace nimde::autodiff
