#include "imde/trees.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace nimde::imde {

std::size_t RootedTrees::ChildrenHash::operator()(const std::vector<int>& v) const {
  std::size_t h = v.size();
  for (int x : v) h = h * 1000003u ^ static_cast<std::size_t>(x);
  return h;
}

// Trees of order n are the multisets of smaller trees whose orders sum to n − 1. Choosing the
// children in decreasing id order enumerates each multiset once, already in canonical form.
RootedTrees::RootedTrees(int max_order) : max_order_(max_order) {
  if (max_order < 1 || max_order > kMaxOrder) {
    throw std::invalid_argument("rooted trees: order " + std::to_string(max_order) + " out of range 1.." +
                                std::to_string(kMaxOrder));
  }
  first_.assign(max_order + 2, 0);
  trees_.push_back(Tree{});  // •
  index_.emplace(std::vector<int>{}, 0);
  first_[2] = 1;

  for (int n = 2; n <= max_order; ++n) {
    std::vector<std::vector<int>> found;
    std::vector<int> chosen;
    std::function<void(int, int)> choose = [&](int remaining, int max_id) {
      if (remaining == 0) {
        found.push_back(chosen);
        return;
      }
      for (int id = max_id; id >= 0; --id) {
        if (trees_[id].order > remaining) continue;
        chosen.push_back(id);
        choose(remaining - trees_[id].order, id);
        chosen.pop_back();
      }
    };
    choose(n - 1, first_[n] - 1);
    // Bushy first: more children first, then the children lists lexicographically.
    std::sort(found.begin(), found.end(), [](const std::vector<int>& x, const std::vector<int>& y) {
      return x.size() != y.size() ? x.size() > y.size() : x < y;
    });
    for (auto& children : found) {
      Tree t;
      t.order = n;
      t.children = children;
      t.right = children.front();
      t.left = index_.at(std::vector<int>(children.begin() + 1, children.end()));
      // γ(τ) = |τ| Π γ(τk);  σ(τ) = Π σ(u)^m m! over runs of m equal children u.
      t.gamma = n;
      for (std::size_t k = 0; k < children.size();) {
        std::size_t run = 1;
        while (k + run < children.size() && children[k + run] == children[k]) ++run;
        for (std::size_t m = 1; m <= run; ++m) t.sigma *= trees_[children[k]].sigma * static_cast<std::int64_t>(m);
        k += run;
      }
      for (int c : children) t.gamma *= trees_[c].gamma;
      index_.emplace(std::move(children), static_cast<int>(trees_.size()));
      trees_.push_back(std::move(t));
    }
    first_[n + 1] = static_cast<int>(trees_.size());
  }

  grafts_.resize(trees_.size());
  for (int a = 0; a < size(); ++a) {
    const int fits = first_[max_order - trees_[a].order + 1];
    grafts_[a].resize(fits);
    for (int b = 0; b < fits; ++b) {
      std::vector<int> children = trees_[a].children;
      children.insert(std::upper_bound(children.begin(), children.end(), b, std::greater<int>()), b);
      grafts_[a][b] = index_.at(children);
    }
  }
}

int RootedTrees::find(std::vector<int> children) const {
  std::sort(children.begin(), children.end(), std::greater<int>());
  const auto it = index_.find(children);
  return it == index_.end() ? -1 : it->second;
}

int RootedTrees::graft(int a, int b) const {
  return b < static_cast<int>(grafts_[a].size()) ? grafts_[a][b] : -1;
}

int RootedTrees::merge(int a, int b) const {
  for (int child : trees_[b].children) {
    if (a < 0) return -1;
    a = graft(a, child);
  }
  return a;
}

std::string RootedTrees::bracket(int id) const {
  const Tree& t = trees_[id];
  if (t.order == 1) return "τ";
  std::string out = "[";
  for (int c : t.children) out += bracket(c);
  return out + "]";
}

namespace {

// f^(m)(u1, …, um), written f'u for one argument (the composition f'(u) is a product of a
// matrix and a vector, read right to left) and with primes up to the third derivative.
std::string write_derivative(const std::string& derivative, const std::vector<std::string>& args) {
  if (args.empty()) return "f";
  if (args.size() == 1) return derivative + args.front();
  std::string out = derivative + "(";
  for (std::size_t k = 0; k < args.size(); ++k) out += (k ? "," : "") + args[k];
  return out + ")";
}

}  // namespace

std::string RootedTrees::differential(int id) const {
  const Tree& t = trees_[id];
  const std::size_t m = t.children.size();
  std::vector<std::string> args;
  for (int c : t.children) args.push_back(differential(c));
  std::string derivative = "f";
  if (m <= 3) {
    derivative.append(m, '\'');
  } else {
    derivative += "^(" + std::to_string(m) + ")";
  }
  return write_derivative(derivative, args);
}

std::string RootedTrees::differential_latex(int id) const {
  const Tree& t = trees_[id];
  const std::size_t m = t.children.size();
  std::vector<std::string> args;
  for (int c : t.children) args.push_back(differential_latex(c));
  std::string primes;
  for (std::size_t k = 0; k < m; ++k) primes += "\\prime";
  return write_derivative(m <= 3 ? "f^{" + primes + "}" : "f^{(" + std::to_string(m) + ")}", args);
}

}  // namespace nimde::imde
