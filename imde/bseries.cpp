#include "imde/bseries.hpp"

#include <cstdint>
#include <stdexcept>
#include <unordered_map>

namespace nimde::imde {

// ---------------------------------------------------------------------------------------------
// Exact flow
// ---------------------------------------------------------------------------------------------
//
// The Taylor series of the flow, y(h) = y + h f + h²/2 f'f + …, is the B-series with e(τ) = 1/γ(τ).

Coefficients exact_flow(const RootedTrees& trees) {
  Coefficients e(trees.size());
  for (int id = 0; id < trees.size(); ++id) e[id] = Coefficient(ode::Rational(1, trees[id].gamma));
  return e;
}

// ---------------------------------------------------------------------------------------------
// Elementary weights
// ---------------------------------------------------------------------------------------------
//
// The stages Y_i = y + Σ_j a_ij h f(Y_j) are B-series, and so is h f(Y_i): if Y = B(g, y) then
// h f(Y) = B(g', y) with g'(•) = 1, g'([τ1 … τm]) = g(τ1) ⋯ g(τm) (Taylor-expand f around y).
// Writing u_i(τ) for the coefficients of h f(Y_i), the stage Y_i has g_i = Σ_j a_ij u_j = (A u)_i, so
//
//   u_i(•) = 1,      u_i([τ1 … τm]) = Π_k (A u(τk))_i,      Φ(τ) = Σ_i b_i u_i(τ).
//
// With the Butcher decomposition τ = left ∘ right this is one product per stage:
//   u(τ) = u(left) ⊙ A u(right).

Coefficients elementary_weights(const ode::Tableau& tableau, const RootedTrees& trees) {
  const int s = tableau.stages();
  std::vector<std::vector<Coefficient>> u(trees.size()), Au(trees.size());
  Coefficients phi(trees.size());
  for (int id = 0; id < trees.size(); ++id) {
    const Tree& t = trees[id];
    if (t.order == 1) {
      u[id].assign(s, Coefficient(1));
    } else {
      u[id] = u[t.left];
      for (int i = 0; i < s; ++i) u[id][i] *= Au[t.right][i];
    }
    Au[id].assign(s, Coefficient());
    for (int i = 0; i < s; ++i) {
      for (int j = 0; j < s; ++j) {
        if (!tableau.A_exact[i][j].is_zero()) Au[id][i] += tableau.A_exact[i][j] * u[id][j];
      }
      phi[id] += tableau.b_exact[i] * u[id][i];
    }
  }
  return phi;
}

std::vector<OrderCondition> order_conditions(const ode::Tableau& tableau, const RootedTrees& trees) {
  const Coefficients phi = elementary_weights(tableau, trees);
  const Coefficients e = exact_flow(trees);
  std::vector<OrderCondition> conditions;
  for (int id = 0; id < trees.size(); ++id) conditions.push_back({id, phi[id], e[id]});
  return conditions;
}

int method_order(const ode::Tableau& tableau, int max_order) {
  const RootedTrees trees(max_order);
  const Coefficients phi = elementary_weights(tableau, trees);
  for (int n = 1; n <= max_order; ++n) {
    for (int id = trees.begin(n); id < trees.end(n); ++id) {
      if (!(phi[id] == Coefficient(ode::Rational(1, trees[id].gamma)))) return n - 1;
    }
  }
  return max_order;
}

// ---------------------------------------------------------------------------------------------
// Substitution law
// ---------------------------------------------------------------------------------------------
//
// Apply an integrator with B-series a to a field that is itself a B-series with coefficients b
// (h f_h = Σ h^|θ|/σ(θ) b(θ) F(θ)). The result is again a B-series, b ⋆ a, with
// (Chartier–Hairer–Vilmart)
//
//   (b ⋆ a)(τ) = Σ_{E ⊆ edges(τ)} a(τ / E) · Π_{δ ∈ forest(E)} b(δ)
//
// summed over all subsets E of the edges of one labelled copy of τ: keeping only the edges in E
// splits τ into a forest of subtrees δ (each becomes one elementary differential of the field),
// and contracting every δ to a node leaves the skeleton τ / E (how a(·) combines them). With the
// σ-normalisation no further multiplicities appear. Two small cases by hand:
//
//   (b ⋆ a)([τ])   = a(•) b([τ]) + a([τ]) b(•)²
//   (b ⋆ a)([ττ])  = a(•) b([ττ]) + 2 a([τ]) b([τ]) b(•) + a([ττ]) b(•)³
//
// Enumerating the 2^(|τ|−1) subsets for every τ is wasteful; instead the sum is built up along the
// Butcher decomposition τ = L ∘ R (R hangs from L's root by one edge e). For a labelled tree call
// C the subtree of the kept edges that contains the root ("root part") and S the skeleton. Then
//
//   D(τ) = { (C, S) ↦ Σ Π_{δ ≠ C} b(δ) }                          (sum over the subsets giving C, S)
//   D(•) = { (•, •) ↦ 1 }
//   D(L ∘ R) ∋ keep e:  (C_L ∘ C_R,  S_L × S_R)  ↦  w_L w_R        the root parts join; the skeletons
//                                                                  share their root (merging product)
//              cut e:   (C_L,        S_L ∘ S_R)  ↦  w_L w_R b(C_R) C_R is finished; R's skeleton hangs
//                                                                  from the root of L's
//   (b ⋆ a)(τ) = Σ_{(C,S) ∈ D(τ)} D(τ)[C,S] · b(C) · a(S).
//
// D(τ) depends on b only through trees smaller than τ, so the same sweep solves x ⋆ outer = target
// order by order: the single term with C = τ (no edge cut, S = •) is outer(•)·x(τ), all else is known.

namespace {

struct Term {
  int part;      // C, the root part
  int skeleton;  // S
  Coefficient weight;
};

// Calls visit(C, S, w) for every (possibly repeated) term of D(L ∘ R). The two products live in
// scratch numbers reused across the loop: GMP allocation, not arithmetic, dominates otherwise.
template <class Visit>
void combine(const std::vector<Term>& left, const std::vector<Term>& right, const Coefficients& inner,
             const RootedTrees& trees, Visit&& visit) {
  Coefficient keep, cut;
  for (const Term& r : right) {
    const Coefficient& finished = inner[r.part];
    for (const Term& l : left) {
      keep = l.weight;
      keep *= r.weight;
      if (!finished.is_zero()) {
        cut = keep;
        cut *= finished;
        visit(l.part, trees.graft(l.skeleton, r.skeleton), cut);
      }
      visit(trees.graft(l.part, r.part), trees.merge(l.skeleton, r.skeleton), keep);
    }
  }
}

// One sweep over the orders. If `target` is null, returns inner ⋆ outer; otherwise overwrites
// inner(τ), order by order, so that inner ⋆ outer = target, and returns target.
Coefficients substitution_sweep(Coefficients& inner, const Coefficients& outer, const Coefficients* target,
                                const RootedTrees& trees) {
  const int n_trees = trees.size();
  if (static_cast<int>(inner.size()) < n_trees || static_cast<int>(outer.size()) < n_trees ||
      (target && static_cast<int>(target->size()) < n_trees)) {
    throw std::invalid_argument("B-series substitution: fewer coefficients than trees");
  }
  if (target && outer[0].is_zero()) {
    throw std::invalid_argument("B-series substitution: the outer series has a(•) = 0, nothing to solve for");
  }
  Coefficients result(n_trees);
  Coefficient term;  // scratch
  std::vector<std::vector<Term>> D(n_trees);
  D[0].push_back({0, 0, Coefficient(1)});
  std::unordered_map<std::uint64_t, std::size_t> slot;

  for (int id = 0; id < n_trees; ++id) {
    const Tree& t = trees[id];
    // Σ_{(C,S) ≠ (τ,•)} w b(C) a(S): everything but the term that carries inner(τ).
    Coefficient rest;
    if (t.order == 1) {
      // D(•) has only the term (•, •).
    } else if (t.order == trees.max_order()) {
      // Nothing is built on top of the largest trees: sum their terms without storing D.
      combine(D[t.left], D[t.right], inner, trees, [&](int C, int S, const Coefficient& w) {
        if (C == id || inner[C].is_zero() || outer[S].is_zero()) return;
        term = w;
        term *= inner[C];
        term *= outer[S];
        rest += term;
      });
    } else {
      std::vector<Term>& terms = D[id];
      slot.clear();
      combine(D[t.left], D[t.right], inner, trees, [&](int C, int S, const Coefficient& w) {
        const std::uint64_t key = (static_cast<std::uint64_t>(C) << 32) | static_cast<std::uint32_t>(S);
        const auto [it, fresh] = slot.try_emplace(key, terms.size());
        if (fresh) {
          terms.push_back({C, S, w});
        } else {
          terms[it->second].weight += w;
        }
      });
      std::erase_if(terms, [](const Term& x) { return x.weight.is_zero(); });
      for (const Term& x : terms) {
        if (x.part == id || inner[x.part].is_zero() || outer[x.skeleton].is_zero()) continue;
        term = x.weight;
        term *= inner[x.part];
        term *= outer[x.skeleton];
        rest += term;
      }
    }
    if (target) {
      inner[id] = ((*target)[id] - rest) / outer[0];
      result[id] = (*target)[id];
    } else {
      result[id] = rest + outer[0] * inner[id];
    }
  }
  return result;
}

}  // namespace

Coefficients substitute(const Coefficients& b, const Coefficients& a, const RootedTrees& trees) {
  Coefficients inner = b;
  return substitution_sweep(inner, a, nullptr, trees);
}

Coefficients solve_substitution(const Coefficients& outer, const Coefficients& target, const RootedTrees& trees) {
  Coefficients inner(trees.size());
  substitution_sweep(inner, outer, &target, trees);
  return inner;
}

}  // namespace nimde::imde
