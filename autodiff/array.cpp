#include "autodiff/array.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autodiff/detail/map.hpp"
#include "autodiff/detail/rules.hpp"
#include "autodiff/gemm.hpp"
#include "autodiff/tape.hpp"  // OpParams

namespace nimde::autodiff {
namespace {

using namespace detail;

template <class Rule, class T>
Array<T> unary(const Array<T>& x, OpParams p = {}) {
  Tensor<T> y(x.value().shape());
  map(y.data(), y.size(), [&p](auto v) { return value_with<Rule>(v, p); }, x.value().data());
  return Array<T>(std::move(y));
}

template <class Rule, class T>
Array<T> binary(const Array<T>& a, const Array<T>& b) {
  const std::size_t rows = broadcast_dim(a.rows(), b.rows()), cols = broadcast_dim(a.cols(), b.cols());
  const bool a_full = a.rows() == rows && a.cols() == cols, b_full = b.rows() == rows && b.cols() == cols;
  if (rows == 0 || cols == 0 || (!a_full && !b_full))
    throw std::invalid_argument(std::string(Rule::name) + ": shapes " + shape_string(a.value()) + " and " +
                                shape_string(b.value()) + " do not broadcast");
  Tensor<T> y({rows, cols});
  const T* av = a.value().data();
  const T* bv = b.value().data();
  Tensor<T> expanded;
  if (!a_full || !b_full) {
    expanded.resize({rows, cols});
    expand(a_full ? b.value() : a.value(), expanded.data(), rows, cols);
    (a_full ? bv : av) = expanded.data();
  }
  map(y.data(), y.size(), [](auto x, auto z) { return Rule::value(x, z); }, av, bv);
  return Array<T>(std::move(y));
}

}  // namespace

template <class T> Array<T> operator+(const Array<T>& a, const Array<T>& b) { return binary<Add>(a, b); }
template <class T> Array<T> operator-(const Array<T>& a, const Array<T>& b) { return binary<Sub>(a, b); }
template <class T> Array<T> operator*(const Array<T>& a, const Array<T>& b) { return binary<Mul>(a, b); }
template <class T> Array<T> operator/(const Array<T>& a, const Array<T>& b) { return binary<Div>(a, b); }
template <class T> Array<T> operator-(const Array<T>& a) { return unary<Neg>(a); }
template <class T> Array<T> operator+(const Array<T>& a, double s) { return unary<AddScalar>(a, {s}); }
template <class T> Array<T> operator+(double s, const Array<T>& a) { return unary<AddScalar>(a, {s}); }
template <class T> Array<T> operator-(const Array<T>& a, double s) { return unary<AddScalar>(a, {-s}); }
template <class T> Array<T> operator-(double s, const Array<T>& a) { return unary<SubFromScalar>(a, {s}); }
template <class T> Array<T> operator*(const Array<T>& a, double s) { return unary<MulScalar>(a, {s}); }
template <class T> Array<T> operator*(double s, const Array<T>& a) { return unary<MulScalar>(a, {s}); }
template <class T> Array<T> operator/(const Array<T>& a, double s) { return unary<DivScalar>(a, {s}); }
template <class T> Array<T> operator/(double s, const Array<T>& a) { return unary<ScalarDiv>(a, {s}); }

#define NIMDE_DEFINE_ARRAY_FUNCTION(name, Rule, domain)                                 \
  template <class T> Array<T> name(const Array<T>& x) { return unary<detail::Rule>(x); } \
  template Array<float> name(const Array<float>&);                                     \
  template Array<double> name(const Array<double>&);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DEFINE_ARRAY_FUNCTION)
#undef NIMDE_DEFINE_ARRAY_FUNCTION
template <class T> Array<T> pow(const Array<T>& x, int k) { return unary<PowInt>(x, {0, k}); }

template <class T>
Array<T> matmul(const Array<T>& a, const Array<T>& b, bool trans_a, bool trans_b) {
  const std::size_t M = trans_a ? a.cols() : a.rows(), K = trans_a ? a.rows() : a.cols();
  const std::size_t Kb = trans_b ? b.cols() : b.rows(), N = trans_b ? b.rows() : b.cols();
  if (K != Kb)
    throw std::invalid_argument("matmul: shapes " + shape_string(a.value()) + (trans_a ? "ᵀ" : "") + " and " +
                                shape_string(b.value()) + (trans_b ? "ᵀ" : "") + " do not match");
  Tensor<T> y({M, N});
  gemm(M, N, K, a.value().data(), a.cols(), trans_a, b.value().data(), b.cols(), trans_b, y.data(), N, false);
  return Array<T>(std::move(y));
}

template <class T>
Array<T> linear(const Array<T>& x, const Array<T>& W, const Array<T>& b, Activation act) {
  const std::size_t batch = x.rows(), in = x.cols(), out = W.rows();
  if (W.cols() != in || b.rows() != 1 || b.cols() != out)
    throw std::invalid_argument("linear: x " + shape_string(x.value()) + ", W " + shape_string(W.value()) + ", b " +
                                shape_string(b.value()) + " (expected x [n x in], W [out x in], b [1 x out])");
  Tensor<T> y({batch, out});
  gemm(batch, out, in, x.value().data(), in, false, W.value().data(), in, true, y.data(), out, false,
       GemmEpilogue<T>{b.value().data(), act});
  return Array<T>(std::move(y));
}

template <class T>
Array<T> slice_cols(const Array<T>& x, std::size_t start, std::size_t count) {
  if (count == 0 || start + count > x.cols())
    throw std::invalid_argument("slice_cols: columns [" + std::to_string(start) + ", " + std::to_string(start + count) +
                                ") of a tensor of shape " + shape_string(x.value()));
  Tensor<T> y({x.rows(), count});
  for (std::size_t i = 0; i < x.rows(); ++i)
    std::copy_n(x.value().data() + i * x.cols() + start, count, y.data() + i * count);
  return Array<T>(std::move(y));
}

template <class T>
Array<T> concat_cols(std::span<const Array<T>> parts) {
  if (parts.empty()) throw std::invalid_argument("concat_cols: no parts");
  std::size_t cols = 0;
  for (const Array<T>& p : parts) {
    if (p.rows() != parts[0].rows())
      throw std::invalid_argument("concat_cols: parts of shapes " + shape_string(parts[0].value()) + " and " +
                                  shape_string(p.value()) + " have different row counts");
    cols += p.cols();
  }
  const std::size_t rows = parts[0].rows();
  Tensor<T> y({rows, cols});
  std::size_t offset = 0;
  for (const Array<T>& p : parts) {
    for (std::size_t i = 0; i < rows; ++i)
      std::copy_n(p.value().data() + i * p.cols(), p.cols(), y.data() + i * cols + offset);
    offset += p.cols();
  }
  return Array<T>(std::move(y));
}

template <class T>
double max_abs_diff(const Array<T>& a, const Array<T>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw std::invalid_argument("max_abs_diff: shapes " + shape_string(a.value()) + " and " + shape_string(b.value()) +
                                " differ");
  double m = 0;
  for (std::size_t i = 0; i < a.value().size(); ++i)
    m = std::max(m, std::abs(double(a.value().data()[i]) - double(b.value().data()[i])));
  return m;
}

#define NIMDE_INSTANTIATE_ARRAY(T)                                                               \
  template Array<T> operator+(const Array<T>&, const Array<T>&);                                 \
  template Array<T> operator-(const Array<T>&, const Array<T>&);                                 \
  template Array<T> operator*(const Array<T>&, const Array<T>&);                                 \
  template Array<T> operator/(const Array<T>&, const Array<T>&);                                 \
  template Array<T> operator-(const Array<T>&);                                                  \
  template Array<T> operator+(const Array<T>&, double);                                          \
  template Array<T> operator+(double, const Array<T>&);                                          \
  template Array<T> operator-(const Array<T>&, double);                                          \
  template Array<T> operator-(double, const Array<T>&);                                          \
  template Array<T> operator*(const Array<T>&, double);                                          \
  template Array<T> operator*(double, const Array<T>&);                                          \
  template Array<T> operator/(const Array<T>&, double);                                          \
  template Array<T> operator/(double, const Array<T>&);                                          \
  template Array<T> pow(const Array<T>&, int);                                                   \
  template Array<T> matmul(const Array<T>&, const Array<T>&, bool, bool);                        \
  template Array<T> linear(const Array<T>&, const Array<T>&, const Array<T>&, Activation);       \
  template Array<T> slice_cols(const Array<T>&, std::size_t, std::size_t);                       \
  template Array<T> concat_cols(std::span<const Array<T>>);                                      \
  template double max_abs_diff(const Array<T>&, const Array<T>&);

NIMDE_INSTANTIATE_ARRAY(float)
NIMDE_INSTANTIATE_ARRAY(double)
#undef NIMDE_INSTANTIATE_ARRAY

}  // namespace nimde::autodiff
