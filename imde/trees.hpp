// Unlabelled rooted trees: the index set of B-series.
//
// A tree τ is either the single node • or τ = [τ1 … τm], a root whose children are the
// subtrees τ1 … τm (an unordered multiset). Each tree stands for an elementary differential
// of the field f:  F(•) = f,   F([τ1 … τm]) = f^(m)(F(τ1), …, F(τm)).
//
//   order     |τ| = 1 + Σ |τk|                      (number of nodes)
//   density   γ(τ) = |τ| · Π γ(τk)                  (γ(•) = 1)
//   symmetry  σ(τ) = Π over distinct children u of σ(u)^m · m!,   u repeated m times
//
// Canonical form: a tree is the sorted list of its children's ids, so equal trees have equal
// ids. Ids are dense and grouped by order, and within one order trees are sorted "bushy first"
// (more children first, then by children lists compared lexicographically):
//   order 3:  [ττ] f''(f,f),  [[τ]] f'f'f
//   order 4:  [τττ] f'''(f,f,f),  [[τ]τ] f''(f'f,f),  [[ττ]] f'f''(f,f),  [[[τ]]] f'f'f'f
// Children are listed by decreasing id, i.e. higher order first: f''(f'f,f), never f''(f,f'f).
// The trees of a smaller set are a prefix of those of a larger one, so a coefficient vector
// indexed by id keeps its meaning when the truncation order grows.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace nimde::imde {

/// One rooted tree of a RootedTrees set, with its precomputed numbers.
struct Tree {
  int order = 1;              ///< |τ|, the number of nodes
  std::vector<int> children;  ///< ids of the root's subtrees, decreasing
  int left = -1, right = -1;  ///< Butcher decomposition τ = left ∘ right (-1 for •): see graft()
  std::int64_t sigma = 1;     ///< symmetry σ(τ)
  std::int64_t gamma = 1;     ///< density γ(τ)
};

/// All rooted trees with at most max_order nodes, indexed by dense ids (• is id 0).
class RootedTrees {
 public:
  static constexpr int kMaxOrder = 16;
  /// Generates the trees; throws std::invalid_argument unless 1 ≤ max_order ≤ kMaxOrder.
  explicit RootedTrees(int max_order);

  int max_order() const { return max_order_; }
  int size() const { return static_cast<int>(trees_.size()); }
  const Tree& operator[](int id) const { return trees_[id]; }

  int begin(int order) const { return first_[order]; }  ///< first id of the given order
  int end(int order) const { return first_[order + 1]; }  ///< one past the last id of that order
  int count(int order) const { return end(order) - begin(order); }

  /// The id of the tree with these children (any order), or -1 if it is larger than max_order.
  int find(std::vector<int> children) const;
  /// a ∘ b (Butcher product): b attached as one more child of a's root; -1 if too large.
  int graft(int a, int b) const;
  /// a × b (merging product): one root carrying the children of both; -1 if too large.
  int merge(int a, int b) const;

  std::string bracket(int id) const;             ///< "τ", "[τ]", "[[τ]τ]"
  std::string differential(int id) const;        ///< "f", "f'f", "f''(f'f,f)", "f^(4)(f,f,f,f)"
  std::string differential_latex(int id) const;  ///< "f", "f^{\prime}f", "f^{\prime\prime}(f^{\prime}f,f)"

 private:
  struct ChildrenHash {
    std::size_t operator()(const std::vector<int>& v) const;
  };

  int max_order_;
  std::vector<Tree> trees_;
  std::vector<int> first_;                 // first_[k] = first id of order k; first_[max+1] = size
  std::vector<std::vector<int>> grafts_;   // grafts_[a][b] = a ∘ b for every b that fits
  std::unordered_map<std::vector<int>, int, ChildrenHash> index_;
};

}  // namespace nimde::imde
