// JetBatch: n points × m components of jets over one box (jet.hpp), stored coefficient-major so
// that linear maps act on every coefficient of every point by one matrix product.
//
// Layout. Coefficient c of component k at point p sits at row c·n + p, column k, of one
// (size·n) × m matrix. A linear map acts coefficient by coefficient, (x Wᵀ)_β = x_β Wᵀ, so a
// network layer's product for the whole batch is one GEMM of (size·n) × in by in × out; only
// the bias (coefficient 0 alone) and the nonlinear functions need the jet structure. Those act
// jet by jet with the recurrences of jet.hpp, and since the same sums are made for every jet of
// the batch, each term of a recurrence is one vectorised pass over the n·m entries of its
// coefficients (in cache-sized blocks):
//     (a b)_β = Σ_{γ≤β} a_γ b_{β−γ},      |β| b_β = Σ_{0<γ≤β} |γ| a_γ u_{β−γ}   for b = g(a), u = g'(a).
#pragma once

#include <cstddef>

#include "autodiff/activation.hpp"
#include "autodiff/jet.hpp"
#include "autodiff/tensor.hpp"

namespace nimde::autodiff {

/// n × m jets of one shape, as a (size·n) × m coefficient matrix.
class JetBatch {
 public:
  /// n × m jets of shape s, all zero; s must outlive the batch.
  JetBatch(const JetShape& s, std::size_t points, std::size_t cols);

  const JetShape& shape() const { return *shape_; }
  std::size_t points() const { return points_; }              ///< n
  std::size_t cols() const { return coefficients_.shape()[1]; }  ///< m
  /// Coefficient c (of ε^β for c = index(β)) of component k at point p.
  double& operator()(int c, std::size_t p, std::size_t k) { return coefficients_(c * points_ + p, k); }
  double operator()(int c, std::size_t p, std::size_t k) const { return coefficients_(c * points_ + p, k); }
  /// The (size·n) × m matrix; rows c·n … c·n + n − 1 hold coefficient c of every point.
  Tensor<double>& matrix() { return coefficients_; }
  const Tensor<double>& matrix() const { return coefficients_; }

  /// Component k at point p as one Jet, and back.
  Jet jet(std::size_t p, std::size_t k) const;
  void set(std::size_t p, std::size_t k, const Jet& a);

 private:
  const JetShape* shape_;
  std::size_t points_;
  Tensor<double> coefficients_;
};

/// z ← act(z), jet by jet: the value by the activation's rule, the rest by its recurrence.
void activate(Activation act, JetBatch& z);
/// a ← a·b, jet by jet (the same shape and size).
void multiply(JetBatch& a, const JetBatch& b);
/// act'(z) as jets, from z and y = act(z): what a backward pass through the layer multiplies by.
JetBatch derivative(Activation act, const JetBatch& z, const JetBatch& y);

// The same on bare coefficient matrices of `entries` jets of shape s (coefficient c of jet e at
// c·entries + e; a JetBatch's matrix with entries = n·m), for callers that reuse their buffers.
void activate(Activation act, const JetShape& s, std::size_t entries, double* z);
void multiply(const JetShape& s, std::size_t entries, double* a, const double* b);
void derivative(Activation act, const JetShape& s, std::size_t entries, const double* z, const double* y, double* d);

}  // namespace nimde::autodiff
