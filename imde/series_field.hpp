// The truncated series field of a method, made concrete for one field f and one step h:
//
//     f_h^[N](y) = Σ_{|τ| ≤ N+1} h^(|τ|−1) c(τ)/σ(τ) F(τ)(y),
//
// with c(τ) the exact coefficients of a FieldSeries (the IMDE, or the modified equation, of a
// Runge–Kutta method; imde/field_series.hpp) and F(τ) the elementary differentials of f by
// forward-mode AD (imde/elementary_differentials.hpp). For the IMDE, one step of the method
// applied to f_h^[N] reproduces the exact flow of f up to O(h^(N+2)):
//     Φ_h[f_h^[N]](y) = φ_h[f](y) + O(h^(N+2)).
// It is an ode::Field as well, so it can be integrated by any ode::Method and compared.
#pragma once

#include <span>
#include <vector>

#include "autodiff/tensor.hpp"
#include "imde/elementary_differentials.hpp"
#include "imde/field_series.hpp"
#include "ode/field.hpp"

namespace nimde::imde {

/// f_h^[N] for a series, a base field and a step size.
class SeriesField {
 public:
  /// Needs trees of at most ElementaryDifferentials::kMaxOrder nodes (series.order ≤ 8).
  SeriesField(const FieldSeries& series, ode::Field base, double h);

  /// f_h^[N](y) at one point.
  std::vector<double> operator()(std::span<const double> y) const;
  /// f_h^[N] at every row of `points` (n × d).
  autodiff::Tensor<double> operator()(const autodiff::Tensor<double>& points) const;

  /// The same as an ode::Field with the base's component names, evaluable on Array<double>,
  /// Array<float> and Point<double>; other states (tapes, jets) throw std::logic_error.
  ode::Field field() const;

  double h() const { return h_; }
  int order() const { return order_; }
  SeriesKind kind() const { return kind_; }
  const ode::Field& base() const { return base_; }
  /// h^(|τ|−1) c(τ)/σ(τ) by tree id.
  const std::vector<double>& weights() const { return weights_; }

 private:
  ode::Field base_;
  double h_;
  int order_;
  SeriesKind kind_;
  std::string method_;
  std::vector<double> weights_;
  ElementaryDifferentials differentials_;
};

/// SeriesField(series, base, h).field(): the truncated series field as an ode::Field.
ode::Field series_field(const FieldSeries& series, const ode::Field& base, double h);

}  // namespace nimde::imde
