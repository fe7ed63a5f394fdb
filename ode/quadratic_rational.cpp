#include "ode/quadratic_rational.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace nimde::ode {

namespace {

bool is_square_free(long d) {
  for (long p = 2; p * p <= d; ++p) {
    if (d % (p * p) == 0) return false;
  }
  return true;
}

}  // namespace

QuadraticRational::QuadraticRational(Rational a, Rational b, long d)
    : a_(std::move(a)), b_(std::move(b)), d_(d) {
  a_.canonicalize();
  b_.canonicalize();
  if (d < 2 || !is_square_free(d)) {
    throw std::invalid_argument("radicand " + std::to_string(d) + " is not a square-free integer >= 2");
  }
  normalise();
}

// A rational result forgets its radicand, so that equal numbers compare equal.
void QuadraticRational::normalise() {
  if (sgn(b_) == 0) d_ = 0;
}

long QuadraticRational::common_radicand(const QuadraticRational& o) const {
  if (d_ == 0) return o.d_;
  if (o.d_ == 0 || o.d_ == d_) return d_;
  throw std::domain_error("cannot combine numbers in Q(√" + std::to_string(d_) + ") and Q(√" +
                          std::to_string(o.d_) + ")");
}

QuadraticRational& QuadraticRational::operator+=(const QuadraticRational& o) {
  a_ += o.a_;
  if (o.d_ != 0) {
    d_ = common_radicand(o);
    b_ += o.b_;
    normalise();
  }
  return *this;
}

QuadraticRational& QuadraticRational::operator-=(const QuadraticRational& o) {
  a_ -= o.a_;
  if (o.d_ != 0) {
    d_ = common_radicand(o);
    b_ -= o.b_;
    normalise();
  }
  return *this;
}

// (a + b√d)(a' + b'√d) = (aa' + d bb') + (ab' + a'b)√d; the rational case is the hot path.
QuadraticRational& QuadraticRational::operator*=(const QuadraticRational& o) {
  if (d_ == 0 && o.d_ == 0) {
    a_ *= o.a_;
    return *this;
  }
  const long d = common_radicand(o);
  Rational a = a_ * o.a_ + d * (b_ * o.b_);
  Rational b = a_ * o.b_ + b_ * o.a_;
  a_ = std::move(a);
  b_ = std::move(b);
  d_ = d;
  normalise();
  return *this;
}

// x / (a + b√d) = x (a − b√d) / (a² − d b²)
QuadraticRational& QuadraticRational::operator/=(const QuadraticRational& o) {
  if (o.is_zero()) throw std::domain_error("division by zero");
  if (o.d_ == 0) {
    a_ /= o.a_;
    b_ /= o.a_;
    return *this;
  }
  const Rational norm = o.a_ * o.a_ - o.d_ * (o.b_ * o.b_);
  QuadraticRational conjugate(o.a_ / norm, -o.b_ / norm, o.d_);
  return *this *= conjugate;
}

QuadraticRational QuadraticRational::operator-() const {
  QuadraticRational r = *this;
  r.a_ = -r.a_;
  r.b_ = -r.b_;
  return r;
}

// GMP converts by truncation; the nearest double is the truncated value or its neighbour
// away from zero, whichever is closer. For a rational we decide exactly (ties to even); an
// irrational value is never a tie, so a 512-bit approximation decides it.
namespace {

// Beyond the largest double by half its spacing (2^970) a value rounds to ±∞ (IEEE 754), and
// GMP must never see an ∞ (converting one raises SIGFPE).
const Rational& overflow_threshold() {
  static const Rational t = []() -> Rational {  // a Rational, not GMP's lazy expression of locals
    mpz_class half_ulp;
    mpz_ui_pow_ui(half_ulp.get_mpz_t(), 2, 970);
    return Rational(std::numeric_limits<double>::max()) + Rational(half_ulp);
  }();
  return t;
}

double nearest_double(const Rational& q) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (abs(q) >= overflow_threshold()) return sgn(q) * kInf;
  const double toward_zero = q.get_d();
  if (Rational(toward_zero) == q) return toward_zero;
  const double away = std::nextafter(toward_zero, sgn(q) * kInf);
  if (std::isinf(away)) return toward_zero;  // between the largest double and the threshold
  const Rational gap_toward = abs(q - Rational(toward_zero));
  const Rational gap_away = abs(Rational(away) - q);
  if (gap_toward != gap_away) return gap_toward < gap_away ? toward_zero : away;
  return (std::bit_cast<std::uint64_t>(toward_zero) & 1U) == 0 ? toward_zero : away;
}

}  // namespace

double to_double(const QuadraticRational& x) {
  if (x.is_rational()) return nearest_double(x.rational_part());
  constexpr mp_bitcnt_t kBits = 512;
  mpf_class root(x.radicand(), kBits);
  mpf_sqrt(root.get_mpf_t(), root.get_mpf_t());
  const mpf_class v = mpf_class(x.surd_part(), kBits) * root + mpf_class(x.rational_part(), kBits);
  if (abs(v) >= mpf_class(overflow_threshold(), kBits)) return sgn(v) * std::numeric_limits<double>::infinity();
  const double toward_zero = v.get_d();
  const double away = std::nextafter(toward_zero, sgn(v) * std::numeric_limits<double>::infinity());
  if (std::isinf(away)) return toward_zero;
  const mpf_class gap_toward = abs(v - mpf_class(toward_zero, kBits));
  const mpf_class gap_away = abs(mpf_class(away, kBits) - v);
  return gap_away < gap_toward ? away : toward_zero;
}

std::string to_string(const QuadraticRational& x) {
  if (x.is_rational()) return x.rational_part().get_str();
  std::string out;
  if (sgn(x.rational_part()) != 0) out = x.rational_part().get_str();
  const Rational& b = x.surd_part();
  if (sgn(b) < 0) {
    out += "-";
  } else if (!out.empty()) {
    out += "+";
  }
  const mpz_class num = abs(b.get_num());
  if (num != 1) out += num.get_str();
  out += "√" + std::to_string(x.radicand());
  if (b.get_den() != 1) out += "/" + b.get_den().get_str();
  return out;
}

namespace {

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

// Consumes a run of digits starting at i; returns them (possibly empty).
std::string_view digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return s.substr(start, i - start);
}

}  // namespace

// Grammar: [+-] digits "/" digits   |   [+-] (digits [. digits] | . digits) [(e|E) [+-] digits]
// A decimal m.f·10^e is the exact rational (m f) / 10^(len f − e).
Rational parse_rational(std::string_view text) {
  const auto fail = [&]() -> Rational {
    throw std::invalid_argument("'" + std::string(text) + "' is not a rational number");
  };
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const std::string_view whole = digits(s, i);

  if (i < s.size() && s[i] == '/') {
    ++i;
    const std::string_view den = digits(s, i);
    if (whole.empty() || den.empty() || i != s.size()) return fail();
    mpz_class d(std::string(den), 10);
    if (d == 0) return fail();
    Rational q(mpz_class(std::string(whole), 10), d);
    q.canonicalize();
    return negative ? Rational(-q) : q;
  }

  std::string_view fraction;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = digits(s, i);
  }
  if (whole.empty() && fraction.empty()) return fail();
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    const std::string_view e = digits(s, i);
    if (e.empty() || e.size() > 4) return fail();  // |e| < 10^4 keeps the numbers sane
    exponent = std::stol(std::string(e));
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return fail();

  const std::string mantissa = std::string(whole) + std::string(fraction);
  mpz_class num(mantissa.empty() ? "0" : mantissa, 10);
  const long shift = static_cast<long>(fraction.size()) - exponent;
  mpz_class scale;
  mpz_ui_pow_ui(scale.get_mpz_t(), 10, static_cast<unsigned long>(shift < 0 ? -shift : shift));
  Rational q = shift >= 0 ? Rational(num, scale) : Rational(num * scale, 1);
  q.canonicalize();
  return negative ? Rational(-q) : q;
}

}  // namespace nimde::ode
