// Jet: truncated multivariate Taylor numbers, for exact derivatives of any order in forward mode.
//
// The algebra. Fix k infinitesimals ε_1 … ε_k and a box α = (α_1, …, α_k). A jet is an element of
//
//     J_α = R[ε_1, …, ε_k] / (ε_1^(α_1+1), …, ε_k^(α_k+1)),
//
// a polynomial a = Σ_{β ≤ α} a_β ε^β (ε^β = ε_1^β_1 ⋯ ε_k^β_k, β ≤ α componentwise) whose monomials
// outside the box are dropped. The dropped monomials form an ideal (any multiple of one is again
// outside the box), so +, −, × and every function built from them are those of polynomials,
// truncated. Familiar special cases: k = 1 is the Taylor polynomial of degree α_1 (dual numbers
// when α_1 = 1); α = (1, …, 1) are the hyper-dual numbers, ε_i² = 0.
//
// Why. Put y + Σ_i ε_i v_i into a smooth f. Taylor's theorem and the multinomial formula give
//
//     f(y + Σ_i ε_i v_i) = Σ_{β ≤ α} f^(|β|)(y)(v^β) / β!,      |β| = Σ β_i,  β! = Π β_i!,
//
// where v^β lists v_1 β_1 times, v_2 β_2 times, and so on. The coefficient of ε^β, times β!, is
// the mixed derivative f^(|β|)(y)(v_1, …, v_1, v_2, …): exact to rounding, since f's operations
// were applied to polynomials and nothing was differenced. One evaluation of f yields every mixed
// derivative in the box. Repeated directions cost a higher power of one ε rather than a new ε:
// f''(v, v) needs the three coefficients of (1 + ε)², where hyper-dual numbers would need four.
//
// Worked example. f(x) = x³ at x = 2, one direction v = 1, α = (3):
//     (2 + ε)³ = 8 + 12 ε + 6 ε² + ε³,   so f = 8, f' = 12, f''/2! = 6, f'''/3! = 1.
// Two directions, α = (1, 1), f(x) = x² at x + ε_1 u + ε_2 w:
//     x² + 2xu ε_1 + 2xw ε_2 + 2uw ε_1 ε_2,   so f''(u, w) = 2uw.
//
// Arithmetic. With γ ≤ β meaning γ_i ≤ β_i for every i:
//     (a ± b)_β = a_β ± b_β,      (s a)_β = s a_β,      (a b)_β = Σ_{γ ≤ β} a_γ b_{β−γ}.
// Elementary functions use the degree operator E a = Σ_β |β| a_β ε^β (= Σ_i ε_i ∂a/∂ε_i). It is a
// derivation, E(ab) = (Ea) b + a (Eb), so the chain rule reads E g(a) = g'(a) E a. Taken
// coefficient by coefficient this is a recurrence that builds b = g(a) upward from b_0 = g(a_0):
//     |β| b_β = Σ_{0 < γ ≤ β} |γ| a_γ u_{β−γ},      u = g'(a),
// with u a jet built alongside b (exp: u = b; sin and cos: each other; tanh: u = 1 − b²). Every
// coefficient costs one pass over the pairs γ ≤ β, as in a product; no table of g's derivatives
// is needed. Quotients, log and sqrt solve a product for its unknown factor the same way.
//
// Storage and cost. A box has n = Π (α_i + 1) coefficients and Π (α_i + 1)(α_i + 2)/2 pairs
// (γ, β − γ). Coefficients sit in mixed-radix order (index = Σ β_i s_i, s_1 = 1, s_{i+1} =
// s_i (α_i + 1)), in which γ ≤ β implies index(γ) ≤ index(β): one ascending sweep meets each
// coefficient after everything it depends on. A JetShape owns α and the table of pairs; a Jet
// points to its shape and holds kCapacity coefficients inline, unused ones zero, so a jet never
// allocates and +, −, × double are fixed-length loops the compiler vectorises. Every jet of one
// computation shares one shape; a jet without a shape is a constant.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace nimde::autodiff {

/// The box α of a jet algebra J_α and its multiplication table.
class JetShape {
 public:
  /// Coefficients a jet holds inline; boxes with Π (α_i + 1) above this are refused.
  static constexpr int kCapacity = 16;

  /// One term a_γ b_{β−γ} of a product's coefficient β, by coefficient indices.
  struct Pair {
    std::uint8_t left, right;  ///< indices of γ and β − γ
  };

  /// The box α (every α_i ≥ 0); throws std::invalid_argument if it has more than kCapacity
  /// coefficients.
  explicit JetShape(std::vector<int> alpha);

  int directions() const { return static_cast<int>(alpha_.size()); }  ///< k
  const std::vector<int>& box() const { return alpha_; }                ///< α
  int size() const { return size_; }                                    ///< Π (α_i + 1)
  /// The index of ε_i (of the coefficient that carries direction i).
  int unit(int i) const { return stride_[static_cast<std::size_t>(i)]; }
  /// The index of ε^β, or -1 if β is outside the box.
  int index(std::span<const int> beta) const;
  /// β for a coefficient index.
  std::vector<int> multi_index(int index) const;
  /// |β| for a coefficient index.
  double degree(int index) const { return degree_[static_cast<std::size_t>(index)]; }
  /// β! for a coefficient index: f^(|β|)(v^β) = β! · (coefficient of ε^β).
  double factorial(int index) const { return factorial_[static_cast<std::size_t>(index)]; }
  /// The pairs (γ, β − γ) with γ ≤ β, ascending in γ, for the coefficient β.
  std::span<const Pair> pairs(int index) const {
    const auto i = static_cast<std::size_t>(index);
    return {pairs_.data() + offsets_[i], pairs_.data() + offsets_[i + 1]};
  }

  bool operator==(const JetShape& other) const { return alpha_ == other.alpha_; }

 private:
  std::vector<int> alpha_, stride_;
  int size_ = 1;
  std::vector<double> degree_, factorial_;
  std::vector<Pair> pairs_;
  std::vector<std::uint32_t> offsets_;
};

/// A truncated Taylor polynomial Σ_β c[β] ε^β over the box of `shape` (see the page above).
struct Jet {
  static constexpr int kCapacity = JetShape::kCapacity;

  const JetShape* shape = nullptr;    ///< the box; nullptr for a constant
  std::array<double, kCapacity> c{};  ///< coefficients by index; those past shape->size() are 0

  Jet() = default;                                                     ///< the constant 0
  explicit Jet(double value) { c[0] = value; }                         ///< a constant
  Jet(const JetShape& s, double value) : shape(&s) { c[0] = value; }   ///< value + 0·ε
  /// value + ε_i: the variable x_i seeded in direction i.
  static Jet variable(const JetShape& s, double value, int i) {
    Jet r(s, value);
    r.c[static_cast<std::size_t>(s.unit(i))] = 1;
    return r;
  }

  double value() const { return c[0]; }  ///< a_0, the plain number
  double operator[](int index) const { return c[static_cast<std::size_t>(index)]; }
  double& operator[](int index) { return c[static_cast<std::size_t>(index)]; }
};

namespace detail {
/// The shape of a result from two operands: either one's if the other is a constant; equal
/// boxes otherwise (throws std::invalid_argument for jets of two different algebras).
inline const JetShape* common_shape(const Jet& a, const Jet& b) {
  if (a.shape == b.shape || b.shape == nullptr) return a.shape;
  if (a.shape == nullptr || *a.shape == *b.shape) return b.shape;
  throw std::invalid_argument("jets of two different boxes combined in one operation");
}
}  // namespace detail

/// The plain number inside a jet (the value of f, all ε set to 0).
inline double value_of(const Jet& a) { return a.value(); }

// ---- arithmetic --------------------------------------------------------------------------------
// Linear operations act coefficientwise on all kCapacity slots (unused ones stay 0).

/// −(a)_β = −a_β
inline Jet operator-(const Jet& a) {
  Jet r;
  r.shape = a.shape;
  for (int i = 0; i < Jet::kCapacity; ++i) r.c[i] = -a.c[i];
  return r;
}
/// (a + b)_β = a_β + b_β
inline Jet operator+(const Jet& a, const Jet& b) {
  Jet r;
  r.shape = detail::common_shape(a, b);
  for (int i = 0; i < Jet::kCapacity; ++i) r.c[i] = a.c[i] + b.c[i];
  return r;
}
/// (a − b)_β = a_β − b_β
inline Jet operator-(const Jet& a, const Jet& b) {
  Jet r;
  r.shape = detail::common_shape(a, b);
  for (int i = 0; i < Jet::kCapacity; ++i) r.c[i] = a.c[i] - b.c[i];
  return r;
}
/// (s a)_β = s a_β
inline Jet operator*(const Jet& a, double s) {
  Jet r;
  r.shape = a.shape;
  for (int i = 0; i < Jet::kCapacity; ++i) r.c[i] = a.c[i] * s;
  return r;
}
inline Jet operator*(double s, const Jet& a) { return a * s; }
/// (a / s)_β = a_β / s
inline Jet operator/(const Jet& a, double s) {
  Jet r;
  r.shape = a.shape;
  for (int i = 0; i < Jet::kCapacity; ++i) r.c[i] = a.c[i] / s;
  return r;
}
/// a + s changes only the value: (a + s)_0 = a_0 + s
inline Jet operator+(const Jet& a, double s) {
  Jet r = a;
  r.c[0] += s;
  return r;
}
inline Jet operator+(double s, const Jet& a) { return a + s; }
inline Jet operator-(const Jet& a, double s) { return a + (-s); }
inline Jet operator-(double s, const Jet& a) {
  Jet r = -a;
  r.c[0] += s;
  return r;
}
/// (a b)_β = Σ_{γ≤β} a_γ b_{β−γ}
Jet operator*(const Jet& a, const Jet& b);
/// c = a / b from c b = a:  c_β = (a_β − Σ_{0<γ≤β} b_γ c_{β−γ}) / b_0
Jet operator/(const Jet& a, const Jet& b);
/// s / a = s · (1 / a)
Jet operator/(double s, const Jet& a);

inline Jet& operator+=(Jet& a, const Jet& b) { return a = a + b; }
inline Jet& operator-=(Jet& a, const Jet& b) { return a = a - b; }
inline Jet& operator*=(Jet& a, const Jet& b) { return a = a * b; }
inline Jet& operator*=(Jet& a, double s) { return a = a * s; }

// ---- exponential and logarithm ------------------------------------------------------------------
/// b = e^a:       |β| b_β = Σ_{0<γ≤β} |γ| a_γ b_{β−γ}                    (E b = b E a)
Jet exp(const Jet& a);
/// b = log a:     |β| a_0 b_β = |β| a_β − Σ_{0<γ<β} |γ| b_γ a_{β−γ}       (a E b = E a)
Jet log(const Jet& a);
/// b = √a:        2 b_0 b_β = a_β − Σ_{0<γ<β} b_γ b_{β−γ}                 (b b = a)
Jet sqrt(const Jet& a);

// ---- trigonometric and hyperbolic ---------------------------------------------------------------
/// s = sin a:     |β| s_β = Σ_{0<γ≤β} |γ| a_γ c_{β−γ},  c = cos a          (E s = c E a)
Jet sin(const Jet& a);
/// c = cos a:     |β| c_β = −Σ_{0<γ≤β} |γ| a_γ s_{β−γ},  s = sin a        (E c = −s E a)
Jet cos(const Jet& a);
/// t = tan a:     |β| t_β = Σ_{0<γ≤β} |γ| a_γ u_{β−γ},  u = 1 + t²        (E t = (1 + t²) E a)
Jet tan(const Jet& a);
/// t = tanh a:    |β| t_β = Σ_{0<γ≤β} |γ| a_γ u_{β−γ},  u = 1 − t²        (E t = (1 − t²) E a)
Jet tanh(const Jet& a);

// ---- piecewise ----------------------------------------------------------------------------------
/// |a| = sign(a_0) · a  (the derivative at a_0 = 0 is taken from the right)
Jet abs(const Jet& a);

}  // namespace nimde::autodiff
