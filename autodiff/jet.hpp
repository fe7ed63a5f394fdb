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
// is needed. Any g whose derivative is known in closed form fits: from a (atan: u = 1/(1 + a²),
// computed before b), or from b (sigmoid: u = b(1 − b), recomputed before each wave, since a
// wave of degree k reads u below degree k only). Quotients, log and sqrt solve a product for
// its unknown factor the same way.
//
// Storage and cost. A box has n = Π (α_i + 1) coefficients and Π (α_i + 1)(α_i + 2)/2 pairs
// (γ, β − γ): hyper-dual numbers in k directions have 2^k and 3^k, a Taylor polynomial of degree
// d has d + 1 and (d + 1)(d + 2)/2. Coefficients sit in mixed-radix order (index = Σ β_i s_i,
// s_1 = 1, s_{i+1} = s_i (α_i + 1)), so index(β − γ) = index(β) − index(γ). A coefficient of
// degree |β| depends only on coefficients of lower degree, so the recurrences run in waves of
// equal degree, each wave a set of independent sums. A JetShape owns α and these tables (flat
// lists of terms, one loop per wave); a Jet points to its shape and holds kCapacity coefficients
// inline in four-wide vectors, unused ones zero, so a jet never allocates and +, −, × double are
// a few vector instructions whatever the box. Every jet of one computation shares one shape; a
// jet without a shape is a constant. Many jets of one shape are best held as a JetBatch
// (jet_batch.hpp), whose coefficients form matrices that linear maps act on in one GEMM.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "autodiff/functions.hpp"

namespace nimde::autodiff {

struct Jet;
namespace detail {
struct JetKernels;
struct JetBatchKernels;
}

/// The box α of a jet algebra J_α and its multiplication table.
class JetShape {
 public:
  /// Coefficients a jet holds inline; boxes with Π (α_i + 1) above this are refused.
  static constexpr int kCapacity = 16;

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

  bool operator==(const JetShape& other) const { return alpha_ == other.alpha_; }

 private:
  friend struct detail::JetKernels;
  friend struct detail::JetBatchKernels;  // the same tables, on batches (jet_batch.cpp)
  /// One weighted term of a sum that builds coefficient `dest`: weight · x_left · y_right.
  struct Term {
    std::uint8_t dest, left, right;
    double weight;
  };
  /// A list of terms cut into waves of equal degree |β| = 1, 2, … (coefficient 0 excluded).
  struct Waves {
    std::vector<Term> terms;
    std::vector<std::uint32_t> ends;  ///< terms of wave k: [ends[k−1], ends[k]), ends[0] = 0
  };

  std::vector<int> alpha_, stride_;
  int size_ = 1;
  std::vector<double> degree_, factorial_;
  // Flat tables for the kernels. Within a list the terms of different coefficients alternate, so
  // consecutive updates are independent; every loop has a trip count fixed by the shape.
  std::vector<Term> product_;  ///< all γ ≤ β (weight 1)
  Waves chain_;                ///< 0 < γ ≤ β, weight |γ|/|β|
  Waves square_;               ///< γ ≤ β − γ by index, weight 2 (1 when γ = β − γ)
  Waves wave_;                 ///< the coefficients themselves, as terms with dest = β
};

/// A truncated Taylor polynomial Σ_β c_β ε^β over the box of `shape` (see the page above).
struct Jet {
  static constexpr int kCapacity = JetShape::kCapacity;
  /// Four coefficients side by side (a GCC/Clang vector: + − × act on all four at once).
  typedef double Lanes __attribute__((vector_size(32)));
  static constexpr int kLanes = kCapacity / 4;

  Lanes lanes[kLanes];    ///< c_i = lanes[i / 4][i % 4]; coefficients past shape->size() are 0
  const JetShape* shape;  ///< the box; nullptr for a constant

  Jet() : Jet(constant_of(nullptr, 0.0)) {}                              ///< the constant 0
  explicit Jet(double value) : Jet(constant_of(nullptr, value)) {}       ///< a constant
  Jet(const JetShape& s, double value) : Jet(constant_of(&s, value)) {}  ///< value + 0·ε
  /// value + ε_i: the variable x_i seeded in direction i.
  static Jet variable(const JetShape& s, double value, int i) {
    Jet r(s, value);
    r[s.unit(i)] = 1;
    return r;
  }

  double value() const { return lanes[0][0]; }  ///< c_0, the plain number
  /// The coefficient with this index (of ε^β for index = Σ β_i s_i).
  double operator[](int index) const { return lanes[index / 4][index % 4]; }
  // Through the element type, not lanes[i][j]: Clang cannot bind a reference to a vector lane,
  // and a vector type may alias its element type in both compilers.
  double& operator[](int index) { return reinterpret_cast<double*>(&lanes[index / 4])[index % 4]; }

  /// Tag for a result whose every coefficient the caller writes (skips zero-filling).
  struct Unfilled {};
  Jet(const JetShape* s, Unfilled) : shape(s) {}
  /// A jet of shape s with c_0 = value and every other coefficient 0.
  static Jet constant_of(const JetShape* s, double value) {
    Jet r(s, Unfilled{});
    r.lanes[0] = Lanes{value, 0, 0, 0};
    for (int k = 1; k < kLanes; ++k) r.lanes[k] = Lanes{0, 0, 0, 0};
    return r;
  }
};
static_assert(JetShape::kCapacity % 4 == 0);

namespace detail {
[[noreturn]] void throw_different_boxes();
/// The shape of a result from two operands: either one's if the other is a constant; equal
/// boxes otherwise (throws std::invalid_argument for jets of two different algebras).
inline const JetShape* common_shape(const Jet& a, const Jet& b) {
  if (a.shape == b.shape || b.shape == nullptr) [[likely]] return a.shape;
  if (a.shape == nullptr || *a.shape == *b.shape) return b.shape;
  throw_different_boxes();
}
/// r = op(lanes of a, lanes of b), lane by lane.
template <class Op>
inline Jet lanewise(const JetShape* shape, const Jet& a, const Jet& b, Op op) {
  Jet r(shape, Jet::Unfilled{});
  for (int k = 0; k < Jet::kLanes; ++k) r.lanes[k] = op(a.lanes[k], b.lanes[k]);
  return r;
}
}  // namespace detail

/// The plain number inside a jet (the value of f, all ε set to 0).
inline double value_of(const Jet& a) { return a.value(); }

// ---- arithmetic --------------------------------------------------------------------------------
// Linear operations act on all kCapacity slots, four at a time (unused ones stay 0).

/// −(a)_β = −a_β
inline Jet operator-(const Jet& a) {
  return detail::lanewise(a.shape, a, a, [](Jet::Lanes x, Jet::Lanes) { return -x; });
}
/// (a + b)_β = a_β + b_β
inline Jet operator+(const Jet& a, const Jet& b) {
  return detail::lanewise(detail::common_shape(a, b), a, b, [](Jet::Lanes x, Jet::Lanes y) { return x + y; });
}
/// (a − b)_β = a_β − b_β
inline Jet operator-(const Jet& a, const Jet& b) {
  return detail::lanewise(detail::common_shape(a, b), a, b, [](Jet::Lanes x, Jet::Lanes y) { return x - y; });
}
/// (s a)_β = s a_β
inline Jet operator*(const Jet& a, double s) {
  return detail::lanewise(a.shape, a, a, [s](Jet::Lanes x, Jet::Lanes) { return x * s; });
}
inline Jet operator*(double s, const Jet& a) { return a * s; }
/// (a / s)_β = a_β / s
inline Jet operator/(const Jet& a, double s) {
  return detail::lanewise(a.shape, a, a, [s](Jet::Lanes x, Jet::Lanes) { return x / s; });
}
/// a + s changes only the value: (a + s)_0 = a_0 + s
inline Jet operator+(const Jet& a, double s) {
  Jet r = a;
  r.lanes[0] += Jet::Lanes{s, 0, 0, 0};
  return r;
}
inline Jet operator+(double s, const Jet& a) { return a + s; }
inline Jet operator-(const Jet& a, double s) { return a + (-s); }
inline Jet operator-(double s, const Jet& a) { return -a + s; }

namespace detail {
Jet multiply(const Jet& a, const Jet& b);  // both with a shape
Jet divide(const Jet& a, const Jet& b);    // b with a shape
}  // namespace detail
/// (a b)_β = Σ_{γ≤β} a_γ b_{β−γ}
inline Jet operator*(const Jet& a, const Jet& b) {
  if (!a.shape) return b * a.value();
  if (!b.shape) return a * b.value();
  return detail::multiply(a, b);
}
/// c = a / b from c b = a:  c_β = (a_β − Σ_{0<γ≤β} b_γ c_{β−γ}) / b_0
inline Jet operator/(const Jet& a, const Jet& b) {
  if (!b.shape) return a / b.value();
  return detail::divide(a, b);
}
/// s / a = s · (1 / a)
Jet operator/(double s, const Jet& a);

inline Jet& operator+=(Jet& a, const Jet& b) { return a = a + b; }
inline Jet& operator-=(Jet& a, const Jet& b) { return a = a - b; }
inline Jet& operator*=(Jet& a, const Jet& b) { return a = a * b; }
inline Jet& operator*=(Jet& a, double s) { return a = a * s; }

// ---- elementary functions ----------------------------------------------------------------------
// Every function g of autodiff/functions.hpp: b = g(a) by the chain recurrence above, from the
// rule that states g and g' (autodiff/detail/rules.hpp). exp, log, sqrt, sin, cos, tan, tanh have
// dedicated recurrences (jet.cpp); piecewise functions take the piece of the value a_0 (abs at
// a_0 = 0 from the right).
#define NIMDE_DECLARE_JET_FUNCTION(name, Rule, domain) Jet name(const Jet& a);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DECLARE_JET_FUNCTION)
#undef NIMDE_DECLARE_JET_FUNCTION

}  // namespace nimde::autodiff
