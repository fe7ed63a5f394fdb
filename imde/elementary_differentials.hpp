// Elementary differentials F(τ)(y) by forward-mode AD, for any ode::Field:
//
//     F(•) = f,     F([τ1 … τm]) = f^(m)(F(τ1), …, F(τm)).
//
// Group the children of a tree by kind: τ = [u_1^β_1 … u_k^β_k], child u_i repeated β_i times.
// Then F(τ) is a mixed derivative of f in the directions F(u_i), which one evaluation of f on
// jets delivers (autodiff/jet.hpp):
//
//     f(y + Σ_i ε_i F(u_i)) = Σ_β f^(|β|)(y)(F(u)^β) / β!,   so   F([u^β]) = β! · (coefficient of ε^β).
//
// One evaluation in the box α yields every tree whose children form a sub-multiset of
// {u_1^α_1, …, u_k^α_k}. Trees are therefore computed in rounds: a tree is ready once its
// children are known, and the ready trees of a round are packed into as few boxes as fit a jet.
// Every F(τ) is computed once per point, exactly to rounding. All 17 trees up to 5 nodes take one
// plain and five jet evaluations of f:
//     round 1  box (•⁴)                   [•] [••] [•••] [••••]
//     round 2  box (•², [•], [••])        [[•]] [[•]•] [[•]••] [[••]] [[••]•]
//              box ([•]², [•••])          [[•][•]] [[•••]]
//     round 3  box (•, [[•]], [[•]•], [[••]])   [[[•]]] [[[•]]•] [[[•]•]] [[[••]]]
//     round 4  box ([[[•]]])              [[[[•]]]]
//
// Each evaluation is made on a batch of points at once (autodiff/jet_batch.hpp): the points are
// taken in chunks of a fixed size, and f(y) and every box are one call of the field on the
// chunk's jets. A network answers it with one GEMM per layer over every coefficient of every
// point; other fields go point by point. A single point is a chunk of one. The chunks do not
// depend on the thread count, so neither does any bit of the results.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "autodiff/tensor.hpp"
#include "imde/trees.hpp"
#include "ode/field.hpp"

namespace nimde::imde {

namespace detail {
struct DifferentialPlan;  // the rounds of jet evaluations (elementary_differentials.cpp)
}

/// A plan for computing F(τ)(y) for the trees of a set, then its evaluation for any field at
/// single points or batches of points. Copies share the plan; evaluation is thread-safe.
class ElementaryDifferentials {
 public:
  /// Every tree up to this many nodes fits one jet box.
  static constexpr int kMaxOrder = 9;

  /// All trees with at most max_order nodes (1 ≤ max_order ≤ kMaxOrder).
  explicit ElementaryDifferentials(int max_order);
  /// Only the trees marked in `wanted` (by id of `trees`) and those they are built from.
  ElementaryDifferentials(const RootedTrees& trees, const std::vector<bool>& wanted);

  const RootedTrees& trees() const;
  /// True if F(tree) is computed (results for other trees are zero).
  bool computes(int tree) const;
  /// Evaluations of f on jets per point (besides one plain evaluation for F(•) = f).
  int jet_evaluations() const;
  /// The box α of each jet evaluation, in the order they run.
  std::vector<std::vector<int>> boxes() const;

  /// F(τ)(y) at one point: entry [τ][k] is component k of F(τ).
  std::vector<std::vector<double>> at(const ode::Field& f, std::span<const double> y) const;
  /// F(τ) at every row of `points` (n × d): one n × d tensor per tree id.
  std::vector<autodiff::Tensor<double>> operator()(const ode::Field& f, const autodiff::Tensor<double>& points) const;

  /// Σ_τ w[τ] F(τ)(y), a B-series field, at one point (w by tree id; missing entries count as 0).
  std::vector<double> combine(const ode::Field& f, std::span<const double> w, std::span<const double> y) const;
  /// The same at every row of `points`.
  autodiff::Tensor<double> combine(const ode::Field& f, std::span<const double> w,
                                   const autodiff::Tensor<double>& points) const;

 private:
  std::shared_ptr<const detail::DifferentialPlan> plan_;
};

/// F(τ)(y) for every tree with at most max_order nodes at every row of `points` (n × d), one
/// n × d tensor per tree id of RootedTrees(max_order).
std::vector<autodiff::Tensor<double>> elementary_differentials(const ode::Field& f, int max_order,
                                                               const autodiff::Tensor<double>& points);

}  // namespace nimde::imde
