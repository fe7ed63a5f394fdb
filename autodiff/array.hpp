// Array<T>: an eager tensor value with the same operations as Var<T> but no tape. It is the
// state type for plain batched computation (data generation, reference flows, evaluation);
// its operations run the very rules Var's do, so a computation gives the same bits on either.
#pragma once

#include <span>

#include "autodiff/activation.hpp"
#include "autodiff/functions.hpp"
#include "autodiff/tensor.hpp"

namespace nimde::autodiff {

/// A rank-2 tensor that computes eagerly.
template <class T>
class Array {
 public:
  Array() = default;
  explicit Array(Tensor<T> t) : t_(std::move(t)) {}
  Array(std::size_t rows, std::size_t cols, T fill) : t_(zeros<T>(rows, cols)) { t_.fill(fill); }

  const Tensor<T>& value() const { return t_; }
  Tensor<T>& value() { return t_; }
  std::size_t rows() const { return t_.shape()[0]; }
  std::size_t cols() const { return t_.shape()[1]; }

 private:
  Tensor<T> t_;
};

// ---- arithmetic (broadcasting as for Var) ----
template <class T> Array<T> operator+(const Array<T>& a, const Array<T>& b);
template <class T> Array<T> operator-(const Array<T>& a, const Array<T>& b);
template <class T> Array<T> operator*(const Array<T>& a, const Array<T>& b);
template <class T> Array<T> operator/(const Array<T>& a, const Array<T>& b);
template <class T> Array<T> operator-(const Array<T>& a);
template <class T> Array<T> operator+(const Array<T>& a, double s);
template <class T> Array<T> operator+(double s, const Array<T>& a);
template <class T> Array<T> operator-(const Array<T>& a, double s);
template <class T> Array<T> operator-(double s, const Array<T>& a);
template <class T> Array<T> operator*(const Array<T>& a, double s);
template <class T> Array<T> operator*(double s, const Array<T>& a);
template <class T> Array<T> operator/(const Array<T>& a, double s);
template <class T> Array<T> operator/(double s, const Array<T>& a);

// ---- elementary functions: the list of autodiff/functions.hpp ----
#define NIMDE_DECLARE_ARRAY_FUNCTION(name, Rule, domain) template <class T> Array<T> name(const Array<T>& x);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DECLARE_ARRAY_FUNCTION)
#undef NIMDE_DECLARE_ARRAY_FUNCTION
template <class T> Array<T> pow(const Array<T>& x, int k);

// ---- linear algebra and structure ----
template <class T> Array<T> matmul(const Array<T>& a, const Array<T>& b, bool trans_a = false, bool trans_b = false);
/// act(x·Wᵀ + b), as Var's linear.
template <class T> Array<T> linear(const Array<T>& x, const Array<T>& W, const Array<T>& b, Activation act = Activation::identity);
template <class T> Array<T> slice_cols(const Array<T>& x, std::size_t start, std::size_t count);
template <class T> Array<T> concat_cols(std::span<const Array<T>> parts);
template <class T> Array<T> concat_cols(std::initializer_list<Array<T>> parts) {
  return concat_cols(std::span<const Array<T>>(parts.begin(), parts.size()));
}
/// max |a − b| over all entries (shapes must agree).
template <class T> double max_abs_diff(const Array<T>& a, const Array<T>& b);

}  // namespace nimde::autodiff
