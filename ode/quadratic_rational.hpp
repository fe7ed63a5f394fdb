// Exact numbers for Butcher tableaus and B-series.
//
// Most Runge–Kutta methods have rational coefficients, but the Gauss–Legendre methods do not:
// the 2-stage method has c = 1/2 ∓ √3/6, the 3-stage one c = 1/2 ∓ √15/10. Their entries all
// live in a quadratic field Q(√d) = { a + b√d : a, b ∈ Q }, which is closed under + − × ÷:
//
//   (a + b√d)(a' + b'√d) = (aa' + d bb') + (ab' + a'b)√d
//   1 / (a + b√d)        = (a − b√d) / (a² − d b²)          (a² − d b² ≠ 0 since √d ∉ Q)
//
// So one number type covers every tableau: a rational is the case b = 0, and all the tree
// recursions of the B-series code stay exact. A tableau uses a single radicand d; combining
// two irrational numbers with different radicands is an error (the result would leave the field).
#pragma once

#include <gmpxx.h>

#include <string>
#include <string_view>

namespace nimde::ode {

/// An exact rational number (GMP).
using Rational = mpq_class;

/// An exact number a + b√d of a quadratic field: a, b rational, d ≥ 2 square-free (d = 0 when b = 0).
class QuadraticRational {
 public:
  QuadraticRational() = default;
  QuadraticRational(Rational a) : a_(std::move(a)) { a_.canonicalize(); }  // NOLINT: Q embeds implicitly
  QuadraticRational(long a) : a_(a) {}                  // NOLINT
  /// a + b√d; throws std::invalid_argument unless d ≥ 2 is square-free.
  QuadraticRational(Rational a, Rational b, long d);

  const Rational& rational_part() const { return a_; }  ///< a
  const Rational& surd_part() const { return b_; }      ///< b, the coefficient of √d
  long radicand() const { return d_; }                  ///< d (0 for a rational)
  bool is_rational() const { return sgn(b_) == 0; }
  bool is_zero() const { return sgn(a_) == 0 && sgn(b_) == 0; }

  QuadraticRational& operator+=(const QuadraticRational& o);
  QuadraticRational& operator-=(const QuadraticRational& o);
  QuadraticRational& operator*=(const QuadraticRational& o);
  QuadraticRational& operator/=(const QuadraticRational& o);  ///< throws std::domain_error on 0
  QuadraticRational operator-() const;

  friend bool operator==(const QuadraticRational& x, const QuadraticRational& y) {
    return x.a_ == y.a_ && x.b_ == y.b_ && x.d_ == y.d_;
  }

 private:
  long common_radicand(const QuadraticRational& o) const;
  void normalise();

  Rational a_, b_;
  long d_ = 0;
};

inline QuadraticRational operator+(QuadraticRational x, const QuadraticRational& y) { return x += y; }
inline QuadraticRational operator-(QuadraticRational x, const QuadraticRational& y) { return x -= y; }
inline QuadraticRational operator*(QuadraticRational x, const QuadraticRational& y) { return x *= y; }
inline QuadraticRational operator/(QuadraticRational x, const QuadraticRational& y) { return x /= y; }

/// The double nearest to x (ties to even): what a stepper should use for an exact coefficient.
double to_double(const QuadraticRational& x);

/// "1/12", "-3", or for an irrational number "1/4-√3/6", "√3/6".
std::string to_string(const QuadraticRational& x);

/// Parses "1/2", "-3", "+7/4" or a decimal "0.25", "-1.5e-3" exactly ("0.1" is 1/10).
/// Throws std::invalid_argument("'x/0' is not a rational number").
Rational parse_rational(std::string_view text);

}  // namespace nimde::ode
