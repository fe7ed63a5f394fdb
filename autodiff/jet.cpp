#include "autodiff/jet.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "autodiff/detail/rules.hpp"

namespace nimde::autodiff {

void detail::throw_different_boxes() {
  throw std::invalid_argument("jets of two different boxes combined in one operation");
}

// ---- the box and its tables ----------------------------------------------------------------------

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
  std::vector<std::vector<int>> beta(static_cast<std::size_t>(size_));
  for (int i = 0; i < size_; ++i) {
    beta[i] = multi_index(i);
    double deg = 0, fact = 1;
    for (int b : beta[i]) {
      deg += b;
      for (int m = 2; m <= b; ++m) fact *= m;
    }
    degree_.push_back(deg);
    factorial_.push_back(fact);
  }
  // For each β every γ ≤ β, ascending; index(β − γ) = index(β) − index(γ) in mixed radix.
  std::vector<std::vector<Term>> products(static_cast<std::size_t>(size_)), chains(products.size()),
      squares(products.size());
  for (int i = 0; i < size_; ++i) {
    for (int g = 0; g <= i; ++g) {
      bool below = true;
      for (std::size_t k = 0; k < beta[i].size(); ++k) below = below && beta[g][k] <= beta[i][k];
      if (!below) continue;
      const auto dest = static_cast<std::uint8_t>(i), left = static_cast<std::uint8_t>(g),
                 right = static_cast<std::uint8_t>(i - g);
      products[i].push_back({dest, left, right, 1.0});
      if (g != 0) chains[i].push_back({dest, left, right, degree_[g] / degree_[i]});
      if (g <= i - g) squares[i].push_back({dest, left, right, g == i - g ? 1.0 : 2.0});
    }
  }
  // Interleave: the first term of every coefficient, then every second term, and so on.
  auto interleave = [](const std::vector<std::vector<Term>>& by_dest, const std::vector<int>& dests,
                       std::vector<Term>& out) {
    for (std::size_t rank = 0;; ++rank) {
      bool any = false;
      for (int d : dests) {
        if (rank < by_dest[d].size()) {
          out.push_back(by_dest[d][rank]);
          any = true;
        }
      }
      if (!any) return;
    }
  };
  std::vector<int> all(static_cast<std::size_t>(size_));
  std::iota(all.begin(), all.end(), 0);
  interleave(products, all, product_);
  // Waves of equal degree: no coefficient of a wave needs another of the same wave.
  const int max_degree = static_cast<int>(degree_.back());
  for (Waves* w : {&chain_, &square_, &wave_}) w->ends.push_back(0);
  for (int k = 1; k <= max_degree; ++k) {
    std::vector<int> wave;
    for (int i = 1; i < size_; ++i)
      if (degree_[i] == k) wave.push_back(i);
    interleave(chains, wave, chain_.terms);
    interleave(squares, wave, square_.terms);
    for (int i : wave) wave_.terms.push_back({static_cast<std::uint8_t>(i), 0, 0, 0.0});
    for (Waves* w : {&chain_, &square_, &wave_}) w->ends.push_back(static_cast<std::uint32_t>(w->terms.size()));
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

namespace detail {

/// The sums every operation is made of, as flat loops over the tables of a shape.
struct JetKernels {
  using Term = JetShape::Term;
  using Waves = JetShape::Waves;

  /// r_β += Σ_{γ≤β} a_γ b_{β−γ} for every β: the product.
  static void product(const JetShape& s, const Jet& a, const Jet& b, Jet& r) {
    for (const Term& t : s.product_) r[t.dest] += a[t.left] * b[t.right];
  }
  /// x_dest += sign · Σ weight · a_left · b_right over the terms of wave k of a list.
  static void accumulate(const Waves& w, std::size_t k, double sign, const Jet& a, const Jet& b, Jet& x) {
    for (std::uint32_t p = w.ends[k - 1]; p < w.ends[k]; ++p) {
      const Term& t = w.terms[p];
      x[t.dest] += sign * t.weight * a[t.left] * b[t.right];
    }
  }
  /// f(β) for the coefficients β of wave k.
  template <class F>
  static void each(const JetShape& s, std::size_t k, F f) {
    for (std::uint32_t p = s.wave_.ends[k - 1]; p < s.wave_.ends[k]; ++p) f(s.wave_.terms[p].dest);
  }
  static std::size_t waves(const JetShape& s) { return s.wave_.ends.size() - 1; }

  // The recurrences, wave by wave (each wave needs only lower degrees):
  /// E b = u E a:  b_β = Σ_{0<γ≤β} (|γ|/|β|) a_γ u_{β−γ}
  static void chain(const JetShape& s, std::size_t k, const Jet& a, const Jet& u, Jet& b, double sign = 1) {
    accumulate(s.chain_, k, sign, a, u, b);
  }
  /// x_β −= Σ_{0<γ≤β} b_γ c_{β−γ} (the chain pairs without their weights)
  static void subtract_pairs(const JetShape& s, std::size_t k, const Jet& b, const Jet& c, Jet& x) {
    for (std::uint32_t p = s.chain_.ends[k - 1]; p < s.chain_.ends[k]; ++p) {
      const Term& t = s.chain_.terms[p];
      x[t.dest] -= b[t.left] * c[t.right];
    }
  }
  /// sign · Σ_{γ≤β} t_γ t_{β−γ}, each symmetric pair once with weight 2
  static void square(const JetShape& s, std::size_t k, const Jet& t, Jet& x, double sign = 1) {
    accumulate(s.square_, k, sign, t, t, x);
  }
};

}  // namespace detail

namespace {

using K = detail::JetKernels;

/// A result of `a`'s shape with c_0 = value and every other coefficient 0.
inline Jet start(const Jet& a, double value) { return Jet::constant_of(a.shape, value); }

}  // namespace

// ---- arithmetic ---------------------------------------------------------------------------------

Jet detail::multiply(const Jet& a, const Jet& b) {
  const JetShape& s = *detail::common_shape(a, b);
  Jet r = Jet::constant_of(&s, 0.0);
  K::product(s, a, b, r);  // Σ_{γ≤β} a_γ b_{β−γ}
  return r;
}

Jet detail::divide(const Jet& a, const Jet& b) {
  const JetShape& s = *detail::common_shape(a, b);
  Jet r = Jet::constant_of(&s, a[0] / b[0]);
  // c_β = (a_β − Σ_{0<γ≤β} b_γ c_{β−γ}) / b_0: the sum reads c below degree |β| only.
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::subtract_pairs(s, k, b, r, r);
    K::each(s, k, [&](int i) { r[i] = (a[i] + r[i]) / b[0]; });
  }
  return r;
}

Jet operator/(double s, const Jet& a) { return Jet(s) / a; }

// ---- dedicated recurrences ----------------------------------------------------------------------

/// b = e^a:       |β| b_β = Σ_{0<γ≤β} |γ| a_γ b_{β−γ}                    (E b = b E a)
Jet detail::exp_jet(const Jet& a) {
  Jet b = start(a, std::exp(a[0]));
  if (!a.shape) return b;
  for (std::size_t k = 1; k <= K::waves(*a.shape); ++k) K::chain(*a.shape, k, a, b, b);
  return b;
}

/// b = log a:     |β| a_0 b_β = |β| a_β − Σ_{0<γ<β} |γ| b_γ a_{β−γ}       (a E b = E a)
Jet detail::log_jet(const Jet& a) {
  Jet b = start(a, std::log(a[0]));
  if (!a.shape) return b;
  const JetShape& s = *a.shape;
  Jet sum = start(a, 0.0);  // the γ = β term reads b_β, which is 0 until its wave is finished
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::chain(s, k, b, a, sum);
    K::each(s, k, [&](int i) { b[i] = (a[i] - sum[i]) / a[0]; });
  }
  return b;
}

/// b = √a:        2 b_0 b_β = a_β − Σ_{0<γ<β} b_γ b_{β−γ}                 (b b = a)
Jet detail::sqrt_jet(const Jet& a) {
  Jet b = start(a, std::sqrt(a[0]));
  if (!a.shape) return b;
  const JetShape& s = *a.shape;
  Jet sum = start(a, 0.0);  // the pair (0, β) reads b_β, which is 0 until its wave is finished
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::square(s, k, b, sum);
    K::each(s, k, [&](int i) { b[i] = (a[i] - sum[i]) / (2 * b[0]); });
  }
  return b;
}

namespace {
/// s = sin a and c = cos a together, each the other's derivative (up to sign):
///   |β| s_β = Σ_{0<γ≤β} |γ| a_γ c_{β−γ},   |β| c_β = −Σ_{0<γ≤β} |γ| a_γ s_{β−γ}
void sin_cos(const Jet& a, Jet& s, Jet& c) {
  s = start(a, std::sin(a[0]));
  c = start(a, std::cos(a[0]));
  if (!a.shape) return;
  for (std::size_t k = 1; k <= K::waves(*a.shape); ++k) {
    K::chain(*a.shape, k, a, c, s);        // E s = c E a
    K::chain(*a.shape, k, a, s, c, -1.0);  // E c = −s E a (s of lower degree only)
  }
}

/// b = g(a) with E b = u E a and u = 1 + sign · b²: tan (sign +1) and tanh (sign −1),
///   |β| b_β = Σ_{0<γ≤β} |γ| a_γ u_{β−γ},   u_β = sign Σ_{γ≤β} b_γ b_{β−γ} (β ≠ 0)
Jet tan_like(const Jet& a, double b0, double sign) {
  Jet b = start(a, b0), u = start(a, 1 + sign * b0 * b0);
  if (!a.shape) return b;
  for (std::size_t k = 1; k <= K::waves(*a.shape); ++k) {
    K::chain(*a.shape, k, a, u, b);
    K::square(*a.shape, k, b, u, sign);  // b up to degree k known
  }
  return b;
}
}  // namespace

Jet detail::sin_jet(const Jet& a) {
  Jet s, c;
  sin_cos(a, s, c);
  return s;
}

Jet detail::cos_jet(const Jet& a) {
  Jet s, c;
  sin_cos(a, s, c);
  return c;
}

Jet detail::tan_jet(const Jet& a) { return tan_like(a, std::tan(a[0]), 1.0); }  // u = 1 + t²

Jet detail::tanh_jet(const Jet& a) { return tan_like(a, std::tanh(a[0]), -1.0); }  // u = 1 − t²

// ---- every function of the list, from its rule ------------------------------------------------

/// The rule's dedicated routine, or b_0 = g(a_0) and the chain recurrence with u = g'(a) from a,
/// or with u = g'(x) in terms of b, rebuilt before each wave.
template <class Rule>
Jet detail::jet_of(const Jet& a) {
  if constexpr (requires { Rule::jet(a); }) {
    return Rule::jet(a);
  } else {
    Jet b = start(a, Rule::value(a[0]));
    if (!a.shape) return b;
    const JetShape& s = *a.shape;
    if constexpr (requires { Rule::derivative(a); }) {
      const Jet u = Rule::derivative(a);
      for (std::size_t k = 1; k <= K::waves(s); ++k) K::chain(s, k, a, u, b);
    } else {
      for (std::size_t k = 1; k <= K::waves(s); ++k) {
        const Jet u = Rule::output_derivative(b);  // exact below degree k: all that wave k reads
        K::chain(s, k, a, u, b);
      }
    }
    return b;
  }
}

#define NIMDE_DEFINE_JET_FUNCTION(name, Rule, domain) \
  Jet name(const Jet& a) { return detail::jet_of<detail::Rule>(a); }
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DEFINE_JET_FUNCTION)
#undef NIMDE_DEFINE_JET_FUNCTION

Jet activate(Activation act, const Jet& a) { return detail::activate(act, a); }

}  // namespace nimde::autodiff
