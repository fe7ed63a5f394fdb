// The three kinds of state a field is evaluated on and a method steps, and the two
// operations generic code needs to take them apart: split into components and join back.
//
//   Array<T>  a batch of points, rows × d, computed eagerly   (data, reference flows, evaluation)
//   Var<T>    the same on a tape                             (training: backprop through steps)
//   Point<S>  one point, d numbers of any scalar type S      (double, forward-mode jets)
//
// All three support y + z, y − z, −y, y·s and s·y for a double s, which is all a
// Runge–Kutta step needs (axpy below fuses y + z·s); components support the elementary
// functions besides.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/array.hpp"
#include "autodiff/jet.hpp"
#include "autodiff/ops.hpp"

namespace nimde::ode {

using autodiff::Array;
using autodiff::Var;

/// One point of dimension d with coordinates of scalar type S.
template <class S>
struct Point {
  std::vector<S> x;
  std::size_t cols() const { return x.size(); }
};

template <class S> Point<S> operator+(const Point<S>& a, const Point<S>& b) {
  Point<S> r = a;
  for (std::size_t i = 0; i < r.x.size(); ++i) r.x[i] = r.x[i] + b.x[i];
  return r;
}
template <class S> Point<S> operator-(const Point<S>& a, const Point<S>& b) {
  Point<S> r = a;
  for (std::size_t i = 0; i < r.x.size(); ++i) r.x[i] = r.x[i] - b.x[i];
  return r;
}
template <class S> Point<S> operator-(const Point<S>& a) {
  Point<S> r = a;
  for (S& v : r.x) v = -v;
  return r;
}
template <class S> Point<S> operator*(const Point<S>& a, double s) {
  Point<S> r = a;
  for (S& v : r.x) v = v * s;
  return r;
}
template <class S> Point<S> operator*(double s, const Point<S>& a) { return a * s; }

/// a + x·c, the product and the sum. On a tape, autodiff::axpy (found by argument-dependent
/// lookup, and more specialised) records them as one operation with the same bits, which
/// keeps one value per update where two nodes kept two.
template <class State> State axpy(const State& a, const State& x, double c) { return State(a + x * c); }

// ---- components ----
/// The d components of a state: columns (rows × 1) of a batch, coordinates of a point.
template <class T> std::vector<Array<T>> split(const Array<T>& y) {
  std::vector<Array<T>> c;
  for (std::size_t j = 0; j < y.cols(); ++j) c.push_back(slice_cols(y, j, 1));
  return c;
}
template <class T> std::vector<Var<T>> split(const Var<T>& y) {
  std::vector<Var<T>> c;
  for (std::size_t j = 0; j < y.cols(); ++j) c.push_back(slice_cols(y, j, 1));
  return c;
}
template <class S> const std::vector<S>& split(const Point<S>& y) { return y.x; }

/// The state made of components (inverse of split).
template <class T> Array<T> join(const std::vector<Array<T>>& c) { return autodiff::concat_cols(std::span<const Array<T>>(c)); }
template <class T> Var<T> join(const std::vector<Var<T>>& c) { return autodiff::concat_cols(std::span<const Var<T>>(c)); }
template <class S> Point<S> join(std::vector<S> c) { return Point<S>{std::move(c)}; }

/// Columns [start, start + count) as a state of its own (the p or q half of y = (p, q)).
template <class T> Array<T> part(const Array<T>& y, std::size_t start, std::size_t count) { return slice_cols(y, start, count); }
template <class T> Var<T> part(const Var<T>& y, std::size_t start, std::size_t count) { return slice_cols(y, start, count); }
template <class S> Point<S> part(const Point<S>& y, std::size_t start, std::size_t count) {
  return Point<S>{std::vector<S>(y.x.begin() + start, y.x.begin() + start + count)};
}
/// (a, b) side by side.
template <class T> Array<T> glue(const Array<T>& a, const Array<T>& b) { return autodiff::concat_cols({a, b}); }
template <class T> Var<T> glue(const Var<T>& a, const Var<T>& b) { return autodiff::concat_cols({a, b}); }
template <class S> Point<S> glue(const Point<S>& a, const Point<S>& b) {
  Point<S> r = a;
  r.x.insert(r.x.end(), b.x.begin(), b.x.end());
  return r;
}

// ---- convergence of fixed-point iterations ----
/// Taped states iterate a fixed number of times (the recorded graph must not depend on
/// values); the others iterate until the change is below a tolerance.
template <class State> inline constexpr bool kIsTaped = false;
template <class T> inline constexpr bool kIsTaped<Var<T>> = true;

/// The plain number inside a scalar. Forward-mode number types overload it in their own
/// namespace (autodiff::value_of for Jet), where argument-dependent lookup finds it.
inline double value_of(double v) { return v; }
inline double value_of(float v) { return v; }

/// max |a − b| for plain states (used only where kIsTaped is false).
template <class T> double max_change(const Array<T>& a, const Array<T>& b) { return max_abs_diff(a, b); }
template <class S> double max_change(const Point<S>& a, const Point<S>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.x.size(); ++i) {
    const double d = value_of(a.x[i]) - value_of(b.x[i]);
    m = std::max(m, d < 0 ? -d : d);
  }
  return m;
}

}  // namespace nimde::ode
