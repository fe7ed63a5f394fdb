#include "autodiff/jet.hpp"

#include <cmath>
#include <string>

namespace nimde::autodiff {

// ---- the box and its multiplication table ------------------------------------------------------

JetShape::JetShape(std::vector<int> alpha) : alpha_(std::move(alpha)) {
  for (int a : alpha_) {
    if (a < 0) throw std::invalid_argument("jet box: negative exponent " + std::to_string(a));
    stride_.push_back(size_);
    size_ *= a + 1;
    if (size_ > kCapacity) {
      std::string box;
      for (int b : alpha_) box += (box.empty() ? "" : ",") + std::to_string(b);
      throw std::invalid_argument("jet box (" + box + ") needs more than " + std::to_string(kCapacity) +
                                  " coefficients");
    }
  }
  for (int i = 0; i < size_; ++i) {
    const std::vector<int> beta = multi_index(i);
    double deg = 0, fact = 1;
    for (int b : beta) {
      deg += b;
      for (int m = 2; m <= b; ++m) fact *= m;
    }
    degree_.push_back(deg);
    factorial_.push_back(fact);
  }
  // For each β, every γ ≤ β in ascending index order, with β − γ beside it.
  offsets_.push_back(0);
  for (int i = 0; i < size_; ++i) {
    const std::vector<int> beta = multi_index(i);
    for (int g = 0; g <= i; ++g) {
      const std::vector<int> gamma = multi_index(g);
      bool below = true;
      for (std::size_t k = 0; k < beta.size(); ++k) below = below && gamma[k] <= beta[k];
      if (below) pairs_.push_back({static_cast<std::uint8_t>(g), static_cast<std::uint8_t>(i - g)});
    }
    offsets_.push_back(static_cast<std::uint32_t>(pairs_.size()));
  }
}

int JetShape::index(std::span<const int> beta) const {
  if (beta.size() != alpha_.size()) return -1;
  int idx = 0;
  for (std::size_t k = 0; k < beta.size(); ++k) {
    if (beta[k] < 0 || beta[k] > alpha_[k]) return -1;
    idx += beta[k] * stride_[k];
  }
  return idx;
}

std::vector<int> JetShape::multi_index(int index) const {
  std::vector<int> beta(alpha_.size());
  for (std::size_t k = 0; k < alpha_.size(); ++k) {
    beta[k] = index % (alpha_[k] + 1);
    index /= alpha_[k] + 1;
  }
  return beta;
}

// ---- the recurrences -----------------------------------------------------------------------------
namespace {

/// Σ_{γ≤β} a_γ b_{β−γ}: coefficient β of the product.
inline double product(std::span<const JetShape::Pair> pairs, const Jet& a, const Jet& b) {
  double s = 0;
  for (const JetShape::Pair& p : pairs) s += a.c[p.left] * b.c[p.right];
  return s;
}

/// (1/|β|) Σ_{0<γ≤β} |γ| a_γ u_{β−γ}: coefficient β of b = g(a) when E b = u E a (γ = 0 has
/// weight |0| = 0, so it may stay in the sum).
inline double chain(const JetShape& s, int beta, const Jet& a, const Jet& u) {
  double acc = 0;
  for (const JetShape::Pair& p : s.pairs(beta)) acc += s.degree(p.left) * a.c[p.left] * u.c[p.right];
  return acc / s.degree(beta);
}

/// A result of `a`'s shape with b_0 = value.
inline Jet start(const Jet& a, double value) {
  Jet r;
  r.shape = a.shape;
  r.c[0] = value;
  return r;
}

/// b = g(a) and u = g'(a) with E b = u E a and u_β given by `next_u` once b_β is known.
template <class NextU>
Jet chain_rule(const Jet& a, double b0, double u0, NextU next_u) {
  Jet b = start(a, b0), u = start(a, u0);
  if (!a.shape) return b;
  const JetShape& s = *a.shape;
  for (int i = 1; i < s.size(); ++i) {
    b.c[i] = chain(s, i, a, u);
    u.c[i] = next_u(s, i, b);
  }
  return b;
}

}  // namespace

// ---- arithmetic ---------------------------------------------------------------------------------

Jet operator*(const Jet& a, const Jet& b) {
  const JetShape* shape = detail::common_shape(a, b);
  if (!a.shape) return b * a.c[0];
  if (!b.shape) return a * b.c[0];
  Jet r;
  r.shape = shape;
  for (int i = 0; i < shape->size(); ++i) r.c[i] = product(shape->pairs(i), a, b);  // Σ a_γ b_{β−γ}
  return r;
}

Jet operator/(const Jet& a, const Jet& b) {
  const JetShape* shape = detail::common_shape(a, b);
  if (!b.shape) return a / b.c[0];
  Jet r;
  r.shape = shape;
  r.c[0] = a.c[0] / b.c[0];
  for (int i = 1; i < shape->size(); ++i) {  // c_β = (a_β − Σ_{0<γ≤β} b_γ c_{β−γ}) / b_0
    double s = a.c[i];
    for (const JetShape::Pair& p : shape->pairs(i))
      if (p.left != 0) s -= b.c[p.left] * r.c[p.right];
    r.c[i] = s / b.c[0];
  }
  return r;
}

Jet operator/(double s, const Jet& a) { return Jet(s) / a; }

// ---- exponential and logarithm ------------------------------------------------------------------

Jet exp(const Jet& a) {  // E b = b E a: u = b
  Jet b = start(a, std::exp(a.c[0]));
  if (!a.shape) return b;
  for (int i = 1; i < a.shape->size(); ++i) b.c[i] = chain(*a.shape, i, a, b);
  return b;
}

Jet log(const Jet& a) {  // |β| a_0 b_β = |β| a_β − Σ_{0<γ<β} |γ| b_γ a_{β−γ}
  Jet b = start(a, std::log(a.c[0]));
  if (!a.shape) return b;
  const JetShape& s = *a.shape;
  for (int i = 1; i < s.size(); ++i) {
    double acc = s.degree(i) * a.c[i];
    for (const JetShape::Pair& p : s.pairs(i))
      if (p.left != i) acc -= s.degree(p.left) * b.c[p.left] * a.c[p.right];
    b.c[i] = acc / (s.degree(i) * a.c[0]);
  }
  return b;
}

Jet sqrt(const Jet& a) {  // 2 b_0 b_β = a_β − Σ_{0<γ<β} b_γ b_{β−γ}
  Jet b = start(a, std::sqrt(a.c[0]));
  if (!a.shape) return b;
  const JetShape& s = *a.shape;
  for (int i = 1; i < s.size(); ++i) {
    double acc = a.c[i];
    for (const JetShape::Pair& p : s.pairs(i))
      if (p.left != 0 && p.left != i) acc -= b.c[p.left] * b.c[p.right];
    b.c[i] = acc / (2 * b.c[0]);
  }
  return b;
}

// ---- trigonometric and hyperbolic ---------------------------------------------------------------
namespace {
/// sin a and cos a together: each is the other's derivative (up to sign).
void sin_cos(const Jet& a, Jet& s, Jet& c) {
  s = start(a, std::sin(a.c[0]));
  c = start(a, std::cos(a.c[0]));
  if (!a.shape) return;
  for (int i = 1; i < a.shape->size(); ++i) {
    s.c[i] = chain(*a.shape, i, a, c);   // E s = c E a
    c.c[i] = -chain(*a.shape, i, a, s);  // E c = −s E a
  }
}
}  // namespace

Jet sin(const Jet& a) {
  Jet s, c;
  sin_cos(a, s, c);
  return s;
}

Jet cos(const Jet& a) {
  Jet s, c;
  sin_cos(a, s, c);
  return c;
}

Jet tan(const Jet& a) {  // u = 1 + t²: u_β = Σ_{γ≤β} t_γ t_{β−γ} for β > 0
  const double t0 = std::tan(a.c[0]);
  return chain_rule(a, t0, 1 + t0 * t0, [](const JetShape& s, int i, const Jet& t) { return product(s.pairs(i), t, t); });
}

Jet tanh(const Jet& a) {  // u = 1 − t²: u_β = −Σ_{γ≤β} t_γ t_{β−γ} for β > 0
  const double t0 = std::tanh(a.c[0]);
  return chain_rule(a, t0, 1 - t0 * t0, [](const JetShape& s, int i, const Jet& t) { return -product(s.pairs(i), t, t); });
}

// ---- piecewise ----------------------------------------------------------------------------------

Jet abs(const Jet& a) { return a.c[0] < 0 ? -a : a; }

}  // namespace nimde::autodiff
