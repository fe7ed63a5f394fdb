#include "imde/elementary_differentials.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>

#include "autodiff/jet_batch.hpp"
#include "autodiff/parallel.hpp"

namespace nimde::imde {

using autodiff::Jet;
using autodiff::JetShape;
using autodiff::Tensor;

// ---- the plan ---------------------------------------------------------------------------------

namespace detail {
struct DifferentialPlan {
  /// One evaluation of f at y + Σ_i ε_i F(directions[i]) in a box, and the trees it yields.
  struct Evaluation {
    std::unique_ptr<const JetShape> shape;
    std::vector<int> directions;  ///< tree ids u_i whose F seeds ε_i
    struct Harvest {
      int index;      ///< coefficient index of ε^β
      int tree;       ///< the tree [u^β]
      double factor;  ///< β!
    };
    std::vector<Harvest> harvest;
  };

  RootedTrees trees{1};
  std::vector<bool> computed;
  /// The box of no directions, whose jets are plain numbers: F(•) = f(y) is evaluated on it.
  JetShape plain{std::vector<int>{}};
  std::vector<Evaluation> evaluations;
};
}  // namespace detail

namespace {

/// The children of a tree as a multiset: child id → multiplicity.
using Multiset = std::map<int, int>;

Multiset children_of(const Tree& t) {
  Multiset m;
  for (int c : t.children) ++m[c];
  return m;
}

/// Π (α_i + 1): the coefficients of the box.
int box_size(const Multiset& alpha) {
  int n = 1;
  for (const auto& [u, a] : alpha) n *= a + 1;
  return n;
}

/// The smallest box holding both: componentwise maximum.
Multiset merged(Multiset a, const Multiset& b) {
  for (const auto& [u, m] : b) a[u] = std::max(a[u], m);
  return a;
}

using Plan = detail::DifferentialPlan;

std::unique_ptr<const Plan> make_plan(const RootedTrees& trees, const std::vector<bool>& wanted) {
  auto plan = std::make_unique<Plan>();
  plan->trees = trees;
  const int n = trees.size();
  // What is needed: the wanted trees and, recursively, their children (children have smaller ids).
  std::vector<bool> needed(static_cast<std::size_t>(n), false);
  needed[0] = true;
  for (int id = 0; id < n && id < static_cast<int>(wanted.size()); ++id) needed[id] = needed[id] || wanted[id];
  for (int id = n - 1; id > 0; --id)
    if (needed[id])
      for (int c : trees[id].children) needed[c] = true;

  std::vector<bool> known(static_cast<std::size_t>(n), false);
  known[0] = true;  // F(•) = f(y), a plain evaluation
  for (;;) {
    // The ready trees of this round, biggest boxes first.
    std::vector<std::pair<int, Multiset>> ready;
    for (int id = 1; id < n; ++id) {
      if (!needed[id] || known[id]) continue;
      const auto& ch = trees[id].children;
      if (!std::all_of(ch.begin(), ch.end(), [&](int c) { return bool(known[c]); })) continue;
      ready.emplace_back(id, children_of(trees[id]));
      if (box_size(ready.back().second) > JetShape::kCapacity)
        throw std::invalid_argument("elementary differential " + trees.differential(id) +
                                    " does not fit a jet (at most " + std::to_string(JetShape::kCapacity) +
                                    " coefficients); trees of up to " +
                                    std::to_string(ElementaryDifferentials::kMaxOrder) + " nodes always do");
    }
    if (ready.empty()) break;
    std::stable_sort(ready.begin(), ready.end(),
                     [](const auto& a, const auto& b) { return box_size(a.second) > box_size(b.second); });
    // First fit: each tree joins the first box that still fits a jet with it.
    std::vector<Multiset> boxes;
    for (const auto& [id, m] : ready) {
      auto fits = std::find_if(boxes.begin(), boxes.end(),
                               [&](const Multiset& b) { return box_size(merged(b, m)) <= JetShape::kCapacity; });
      if (fits != boxes.end())
        *fits = merged(*fits, m);
      else
        boxes.push_back(m);
    }
    // Each box yields every needed tree whose children it holds.
    for (const Multiset& box : boxes) {
      Plan::Evaluation e;
      std::vector<int> alpha;
      for (const auto& [u, a] : box) {
        e.directions.push_back(u);
        alpha.push_back(a);
      }
      e.shape = std::make_unique<const JetShape>(alpha);
      for (int i = 1; i < e.shape->size(); ++i) {
        const std::vector<int> beta = e.shape->multi_index(i);
        std::vector<int> children;
        for (std::size_t k = 0; k < beta.size(); ++k) children.insert(children.end(), beta[k], e.directions[k]);
        const int id = trees.find(children);
        if (id < 0 || !needed[id] || known[id]) continue;
        known[id] = true;
        e.harvest.push_back({i, id, e.shape->factorial(i)});
      }
      if (!e.harvest.empty()) plan->evaluations.push_back(std::move(e));
    }
  }
  plan->computed = std::move(known);
  return plan;
}

/// Points evaluated together: one batch of jets per box and chunk. A constant, never a function
/// of the thread count, so that every point's bits are the same for any number of threads. 64
/// points of a 16-coefficient box in a 128-wide layer are 1 MB of coefficients.
constexpr std::size_t kChunk = 64;

/// F(τ) for the plan's trees at the m points of y (m × d, row-major), into F: tree τ's m × d
/// values at F + τ·m·d (trees the plan does not compute are left alone). F(•) is f on the batch
/// as jets of no direction (plain numbers, through the same path as the boxes); then each box
/// is one evaluation on a batch of jets y + Σ_i ε_i F(u_i), whose coefficients ε^β, times β!,
/// are the box's trees.
void compute(const Plan& plan, const ode::Field& f, const double* y, std::size_t m, std::size_t d, double* F) {
  const std::size_t block = m * d;
  autodiff::JetBatch x(plan.plain, m, d);
  std::copy(y, y + block, x.matrix().data());
  const autodiff::JetBatch fy = f(x);
  std::copy(fy.matrix().data(), fy.matrix().data() + block, F);
  for (const Plan::Evaluation& e : plan.evaluations) {
    const JetShape& s = *e.shape;
    autodiff::JetBatch z(s, m, d);
    double* coefficients = z.matrix().data();  // coefficient c of all points: rows c·m … c·m + m − 1
    std::copy(y, y + block, coefficients);
    for (std::size_t i = 0; i < e.directions.size(); ++i)
      std::copy_n(F + static_cast<std::size_t>(e.directions[i]) * block, block,
                  coefficients + static_cast<std::size_t>(s.unit(static_cast<int>(i))) * block);
    const autodiff::JetBatch w = f(z);
    for (const Plan::Evaluation::Harvest& h : e.harvest) {
      const double* c = w.matrix().data() + static_cast<std::size_t>(h.index) * block;
      double* out = F + static_cast<std::size_t>(h.tree) * block;
      for (std::size_t j = 0; j < block; ++j) out[j] = h.factor * c[j];
    }
  }
}

void check_dimension(const ode::Field& f, std::size_t d) {
  if (d != f.dim())
    throw std::invalid_argument("elementary differentials of " + f.name() + ": points of dimension " + std::to_string(d) +
                                ", expected " + std::to_string(f.dim()));
}

/// Runs body(first_row, rows, F) for every chunk of kChunk rows, in parallel when there are
/// several, with per-thread scratch F of `buffer` numbers per row (zeroed for each chunk); the
/// first exception is rethrown on the calling thread.
template <class Body>
void for_each_chunk(std::size_t rows, std::size_t buffer, Body body) {
  const auto chunks = static_cast<std::ptrdiff_t>((rows + kChunk - 1) / kChunk);
  if (chunks == 1) {  // no parallel region for a single chunk: a rollout's point comes here
    std::vector<double> F(buffer * rows, 0.0);
    body(0, rows, F.data());
    return;
  }
  std::exception_ptr error;
#pragma omp parallel
  {
    std::vector<double> F(buffer * kChunk);
#pragma omp for schedule(static)
    for (std::ptrdiff_t c = 0; c < chunks; ++c) {
      const std::size_t r0 = static_cast<std::size_t>(c) * kChunk, m = std::min(kChunk, rows - r0);
      try {
        std::fill(F.begin(), F.end(), 0.0);
        body(r0, m, F.data());
      } catch (...) {
#pragma omp critical(nimde_elementary_differentials)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

/// Σ_τ w[τ] F(τ) at each of m points (F as in compute), smallest trees last (the terms come
/// roughly in decreasing powers of h), into out (m × d).
void weighted_sum(std::span<const double> w, const double* F, std::size_t trees, std::size_t m, std::size_t d,
                  double* out) {
  const std::size_t block = m * d;
  std::fill(out, out + block, 0.0);
  for (std::size_t t = std::min(trees, w.size()); t-- > 0;) {
    if (w[t] == 0) continue;
    for (std::size_t j = 0; j < block; ++j) out[j] += w[t] * F[t * block + j];
  }
}

}  // namespace

// ---- the public face ----------------------------------------------------------------------------

ElementaryDifferentials::ElementaryDifferentials(int max_order) {
  if (max_order < 1 || max_order > kMaxOrder)
    throw std::invalid_argument("elementary differentials: trees of up to " + std::to_string(max_order) +
                                " nodes requested, supported are 1 to " + std::to_string(kMaxOrder));
  const RootedTrees trees(max_order);
  plan_ = make_plan(trees, std::vector<bool>(static_cast<std::size_t>(trees.size()), true));
}

ElementaryDifferentials::ElementaryDifferentials(const RootedTrees& trees, const std::vector<bool>& wanted)
    : plan_(make_plan(trees, wanted)) {}

const RootedTrees& ElementaryDifferentials::trees() const { return plan_->trees; }

bool ElementaryDifferentials::computes(int tree) const {
  return tree >= 0 && tree < plan_->trees.size() && plan_->computed[static_cast<std::size_t>(tree)];
}

int ElementaryDifferentials::jet_evaluations() const { return static_cast<int>(plan_->evaluations.size()); }

std::vector<std::vector<int>> ElementaryDifferentials::boxes() const {
  std::vector<std::vector<int>> out;
  for (const Plan::Evaluation& e : plan_->evaluations) out.push_back(e.shape->box());
  return out;
}

std::vector<std::vector<double>> ElementaryDifferentials::at(const ode::Field& f, std::span<const double> y) const {
  const std::size_t d = y.size(), n = static_cast<std::size_t>(plan_->trees.size());
  check_dimension(f, d);
  std::vector<double> F(n * d, 0.0);
  compute(*plan_, f, y.data(), 1, d, F.data());
  std::vector<std::vector<double>> out(n);
  for (std::size_t t = 0; t < n; ++t) out[t].assign(F.begin() + static_cast<long>(t * d), F.begin() + static_cast<long>((t + 1) * d));
  return out;
}

std::vector<Tensor<double>> ElementaryDifferentials::operator()(const ode::Field& f, const Tensor<double>& points) const {
  const std::size_t rows = points.shape()[0], d = points.shape()[1], n = static_cast<std::size_t>(plan_->trees.size());
  check_dimension(f, d);
  std::vector<Tensor<double>> out(n, autodiff::zeros<double>(rows, d));
  for_each_chunk(rows, n * d, [&](std::size_t r0, std::size_t m, double* F) {
    compute(*plan_, f, &points(r0, 0), m, d, F);
    for (std::size_t t = 0; t < n; ++t) std::copy_n(F + t * m * d, m * d, &out[t](r0, 0));
  });
  return out;
}

std::vector<double> ElementaryDifferentials::combine(const ode::Field& f, std::span<const double> w,
                                                     std::span<const double> y) const {
  const std::size_t d = y.size(), n = static_cast<std::size_t>(plan_->trees.size());
  check_dimension(f, d);
  std::vector<double> F(n * d, 0.0), out(d);
  compute(*plan_, f, y.data(), 1, d, F.data());
  weighted_sum(w, F.data(), n, 1, d, out.data());
  return out;
}

Tensor<double> ElementaryDifferentials::combine(const ode::Field& f, std::span<const double> w,
                                                const Tensor<double>& points) const {
  const std::size_t rows = points.shape()[0], d = points.shape()[1], n = static_cast<std::size_t>(plan_->trees.size());
  check_dimension(f, d);
  Tensor<double> out = autodiff::zeros<double>(rows, d);
  for_each_chunk(rows, n * d, [&](std::size_t r0, std::size_t m, double* F) {
    compute(*plan_, f, &points(r0, 0), m, d, F);
    weighted_sum(w, F, n, m, d, &out(r0, 0));
  });
  return out;
}

std::vector<Tensor<double>> elementary_differentials(const ode::Field& f, int max_order, const Tensor<double>& points) {
  return ElementaryDifferentials(max_order)(f, points);
}

}  // namespace nimde::imde
