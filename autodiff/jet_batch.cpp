#include "autodiff/jet_batch.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "autodiff/detail/rules.hpp"
#include "autodiff/detail/simd.hpp"
#include "autodiff/parallel.hpp"

namespace nimde::autodiff {

JetBatch::JetBatch(const JetShape& s, std::size_t points, std::size_t cols)
    : shape_(&s), points_(points), coefficients_(zeros<double>(static_cast<std::size_t>(s.size()) * points, cols)) {}

Jet JetBatch::jet(std::size_t p, std::size_t k) const {
  Jet r = Jet::constant_of(shape_, 0.0);
  for (int c = 0; c < shape_->size(); ++c) r[c] = (*this)(c, p, k);
  return r;
}

void JetBatch::set(std::size_t p, std::size_t k, const Jet& a) {
  if (a.shape && !(*a.shape == *shape_)) detail::throw_different_boxes();
  for (int c = 0; c < shape_->size(); ++c) (*this)(c, p, k) = a[c];
}

// ---- the recurrences on blocks -------------------------------------------------------------------

namespace detail {

/// The sums of jet.cpp's JetKernels, each term a pass over a block of kBlock jets side by side:
/// coefficient c of the block's jets is one aligned row of kBlock numbers. A block of 16
/// coefficients is 8 KB, so the three or four a recurrence needs stay in L1.
struct JetBatchKernels {
  using B = Batch<double>;
  static constexpr std::size_t kBlock = 64;
  static constexpr std::size_t W = B::size;
  static_assert(kBlock % W == 0);
  struct Block {
    alignas(kAlignment) double c[JetShape::kCapacity][kBlock];
  };
  using Term = JetShape::Term;
  using Waves = JetShape::Waves;

  static std::size_t waves(const JetShape& s) { return s.wave_.ends.size() - 1; }
  /// f(β) for the coefficients β of wave k.
  template <class F>
  static void each(const JetShape& s, std::size_t k, F f) {
    for (std::uint32_t p = s.wave_.ends[k - 1]; p < s.wave_.ends[k]; ++p) f(s.wave_.terms[p].dest);
  }
  /// r_β += Σ_{γ≤β} a_γ b_{β−γ} for every β.
  static void product(const JetShape& s, const Block& a, const Block& b, Block& r) {
    for (const Term& t : s.product_) {
      const double *x = a.c[t.left], *y = b.c[t.right];
      double* z = r.c[t.dest];
      for (std::size_t e = 0; e < kBlock; e += W)
        detail::fma(B::load_aligned(x + e), B::load_aligned(y + e), B::load_aligned(z + e)).store_aligned(z + e);
    }
  }
  /// x_dest += sign · weight · a_left · b_right over the terms of wave k of a list. The terms of
  /// one wave write only coefficients of degree k and read only lower ones, or, for γ = 0 in a
  /// square, b_β finished earlier in the wave: x may be a or b.
  static void accumulate(const Waves& w, std::size_t k, double sign, const Block& a, const Block& b, Block& x) {
    for (std::uint32_t p = w.ends[k - 1]; p < w.ends[k]; ++p) {
      const Term& t = w.terms[p];
      const B weight(sign * t.weight);
      const double *u = a.c[t.left], *v = b.c[t.right];
      double* z = x.c[t.dest];
      for (std::size_t e = 0; e < kBlock; e += W)
        detail::fma(weight * B::load_aligned(u + e), B::load_aligned(v + e), B::load_aligned(z + e)).store_aligned(z + e);
    }
  }
  /// Wave k of E b = u E a:  b_β += Σ_{0<γ≤β} (|γ|/|β|) a_γ u_{β−γ}
  static void chain(const JetShape& s, std::size_t k, const Block& a, const Block& u, Block& b, double sign = 1) {
    accumulate(s.chain_, k, sign, a, u, b);
  }
  /// Wave k of x_β += sign · Σ_{γ≤β} t_γ t_{β−γ}
  static void square(const JetShape& s, std::size_t k, const Block& t, Block& x, double sign = 1) {
    accumulate(s.square_, k, sign, t, t, x);
  }
};

}  // namespace detail

namespace {

using K = detail::JetBatchKernels;
using Block = K::Block;
using B = K::B;
constexpr std::size_t kBlock = K::kBlock, W = K::W;

/// Coefficients 1 … size − 1 set to 0 (every recurrence accumulates into them).
void clear_above(int size, Block& x) {
  for (int c = 1; c < size; ++c) std::fill(x.c[c], x.c[c] + kBlock, 0.0);
}
/// Row c of x ← g(row c of a), batch by batch.
template <class G>
void map_row(const double* a, double* x, G g) {
  for (std::size_t e = 0; e < kBlock; e += W) g(B::load_aligned(a + e)).store_aligned(x + e);
}
template <class G>
void map_rows(const double* a, const double* b, double* x, G g) {
  for (std::size_t e = 0; e < kBlock; e += W) g(B::load_aligned(a + e), B::load_aligned(b + e)).store_aligned(x + e);
}

// Each function below computes b = g(a) for the kBlock jets of a block: b_0 = g(a_0) by the
// rule of detail/rules.hpp (on batches, as the network's plain layers do), then the waves.

/// E b = u E a with u = 1 − b² (tanh), built a wave behind b
void tanh_block(const JetShape& s, const Block& a, Block& b, Block& u) {
  clear_above(s.size(), b);
  clear_above(s.size(), u);
  map_row(a.c[0], b.c[0], [](B x) { return detail::Tanh::value(x); });
  map_row(b.c[0], u.c[0], [](B y) { return B(1.0) - y * y; });
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::chain(s, k, a, u, b);
    K::square(s, k, b, u, -1.0);  // u_β = −(b²)_β, b known up to degree k
  }
}

/// E b = u E a with u = b − b² (sigmoid)
void sigmoid_block(const JetShape& s, const Block& a, Block& b, Block& u) {
  clear_above(s.size(), b);
  map_row(a.c[0], b.c[0], [](B x) { return detail::Sigmoid::value(x); });
  map_row(b.c[0], u.c[0], [](B y) { return y * (B(1.0) - y); });
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::chain(s, k, a, u, b);
    K::each(s, k, [&](int i) { std::copy(b.c[i], b.c[i] + kBlock, u.c[i]); });
    K::square(s, k, b, u, -1.0);
  }
}

/// E b = σ(a) E a (softplus), σ(a) a jet of its own
void softplus_block(const JetShape& s, const Block& a, Block& b, Block& sigma, Block& scratch) {
  sigmoid_block(s, a, sigma, scratch);
  clear_above(s.size(), b);
  map_row(a.c[0], b.c[0], [](B x) { return detail::Softplus::value(x); });
  for (std::size_t k = 1; k <= K::waves(s); ++k) K::chain(s, k, a, sigma, b);
}

/// E sin = cos E a, E cos = −sin E a, together
void sin_cos_block(const JetShape& s, const Block& a, Block& sn, Block& cs) {
  clear_above(s.size(), sn);
  clear_above(s.size(), cs);
  map_row(a.c[0], sn.c[0], [](B x) { return detail::Sin::value(x); });
  map_row(a.c[0], cs.c[0], [](B x) { return detail::Cos::value(x); });
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::chain(s, k, a, cs, sn);
    K::chain(s, k, a, sn, cs, -1.0);
  }
}

/// elu: b = a where a_0 > 0; elsewhere E b = (b + 1) E a (b = eᵃ − 1)
void elu_block(const JetShape& s, const Block& a, Block& b, Block& u) {
  clear_above(s.size(), b);
  map_row(a.c[0], b.c[0], [](B x) { return detail::Elu::value(x); });
  map_row(b.c[0], u.c[0], [](B y) { return y + B(1.0); });
  for (std::size_t k = 1; k <= K::waves(s); ++k) {
    K::chain(s, k, a, u, b);
    K::each(s, k, [&](int i) { std::copy(b.c[i], b.c[i] + kBlock, u.c[i]); });
  }
  for (int c = 1; c < s.size(); ++c)
    for (std::size_t e = 0; e < kBlock; e += W) {
      const auto positive = B::load_aligned(a.c[0] + e) > B(0.0);
      xsimd::select(positive, B::load_aligned(a.c[c] + e), B::load_aligned(b.c[c] + e)).store_aligned(b.c[c] + e);
    }
}

/// relu: b = a where a_0 > 0, else 0
void relu_block(const JetShape& s, const Block& a, Block& b) {
  map_row(a.c[0], b.c[0], [](B x) { return detail::Relu::value(x); });
  for (int c = 1; c < s.size(); ++c)
    map_rows(a.c[0], a.c[c], b.c[c], [](B x0, B x) { return xsimd::select(x0 > B(0.0), x, B(0.0)); });
}

/// b = act(a); u and v are scratch.
void activate_block(Activation act, const JetShape& s, const Block& a, Block& b, Block& u, Block& v) {
  switch (act) {
    case Activation::identity: std::copy(&a.c[0][0], &a.c[0][0] + s.size() * kBlock, &b.c[0][0]); return;
    case Activation::tanh: tanh_block(s, a, b, u); return;
    case Activation::sigmoid: sigmoid_block(s, a, b, u); return;
    case Activation::relu: relu_block(s, a, b); return;
    case Activation::elu: elu_block(s, a, b, u); return;
    case Activation::softplus: softplus_block(s, a, b, u, v); return;
    case Activation::sin: sin_cos_block(s, a, b, u); return;
  }
}

/// d = act'(z) from z and y = act(z), the rules' derivatives as jets; u is scratch.
void derivative_block(Activation act, const JetShape& s, const Block& z, const Block& y, Block& d, Block& u) {
  switch (act) {
    case Activation::identity:  // 1
      clear_above(s.size(), d);
      std::fill(d.c[0], d.c[0] + kBlock, 1.0);
      return;
    case Activation::tanh:  // 1 − y²
      clear_above(s.size(), d);
      map_row(y.c[0], d.c[0], [](B x) { return B(1.0) - x * x; });
      for (std::size_t k = 1; k <= K::waves(s); ++k) K::square(s, k, y, d, -1.0);
      return;
    case Activation::sigmoid:  // y − y²
      for (int c = 1; c < s.size(); ++c) std::copy(y.c[c], y.c[c] + kBlock, d.c[c]);
      map_row(y.c[0], d.c[0], [](B x) { return x * (B(1.0) - x); });
      for (std::size_t k = 1; k <= K::waves(s); ++k) K::square(s, k, y, d, -1.0);
      return;
    case Activation::relu:  // [y > 0]
      clear_above(s.size(), d);
      map_row(y.c[0], d.c[0], [](B x) { return xsimd::select(x > B(0.0), B(1.0), B(0.0)); });
      return;
    case Activation::elu:  // 1 where y > 0, else y + 1
      for (int c = 0; c < s.size(); ++c)
        map_rows(y.c[0], y.c[c], d.c[c], [c](B y0, B x) {
          return xsimd::select(y0 > B(0.0), B(c == 0 ? 1.0 : 0.0), c == 0 ? x + B(1.0) : x);
        });
      return;
    case Activation::softplus: sigmoid_block(s, z, d, u); return;  // σ(z)
    case Activation::sin: sin_cos_block(s, z, u, d); return;       // cos z
  }
}

/// Entries [e0, e0 + m) of coefficients 0 … size − 1 (row c at base + c·stride) into a block,
/// zero beyond m; and back.
void load(const double* base, std::size_t stride, int size, std::size_t e0, std::size_t m, Block& b) {
  for (int c = 0; c < size; ++c) {
    std::memcpy(b.c[c], base + static_cast<std::size_t>(c) * stride + e0, m * sizeof(double));
    std::fill(b.c[c] + m, b.c[c] + kBlock, 0.0);
  }
}
void store(const Block& b, int size, std::size_t e0, std::size_t m, double* base, std::size_t stride) {
  for (int c = 0; c < size; ++c) std::memcpy(base + static_cast<std::size_t>(c) * stride + e0, b.c[c], m * sizeof(double));
}

/// body(e0, m) for every block of `entries` jets of shape s, in parallel when there is enough
/// work. A jet's result depends on that jet alone, so the split cannot change any bit.
/// Small batches (a single point's, in a rollout) skip the parallel region altogether: entering
/// one costs about what their whole work does.
template <class Body>
void for_each_block(const JetShape& s, std::size_t entries, Body body) {
  const auto blocks = static_cast<std::ptrdiff_t>((entries + kBlock - 1) / kBlock);
  auto run = [&](std::ptrdiff_t i) {
    const std::size_t e0 = static_cast<std::size_t>(i) * kBlock;
    body(e0, std::min(kBlock, entries - e0));
  };
  if (blocks < 2 || entries * static_cast<std::size_t>(s.size()) <= kParallelThreshold) {
    for (std::ptrdiff_t i = 0; i < blocks; ++i) run(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < blocks; ++i) run(i);
}

void check_same(const JetBatch& a, const JetBatch& b) {
  if (!(a.shape() == b.shape())) detail::throw_different_boxes();
  if (a.points() != b.points() || a.cols() != b.cols())
    throw std::invalid_argument("jet batches of " + shape_string(a.points(), a.cols()) + " and " +
                                shape_string(b.points(), b.cols()) + " jets combined in one operation");
}

}  // namespace

void activate(Activation act, const JetShape& s, std::size_t entries, double* z) {
  if (act == Activation::identity) return;
  for_each_block(s, entries, [&](std::size_t e0, std::size_t m) {
    Block a, b, u, v;
    load(z, entries, s.size(), e0, m, a);
    activate_block(act, s, a, b, u, v);
    store(b, s.size(), e0, m, z, entries);
  });
}

void multiply(const JetShape& s, std::size_t entries, double* a, const double* b) {
  for_each_block(s, entries, [&](std::size_t e0, std::size_t m) {
    Block x, y, r;
    load(a, entries, s.size(), e0, m, x);
    load(b, entries, s.size(), e0, m, y);
    for (int c = 0; c < s.size(); ++c) std::fill(r.c[c], r.c[c] + kBlock, 0.0);
    K::product(s, x, y, r);
    store(r, s.size(), e0, m, a, entries);
  });
}

void derivative(Activation act, const JetShape& s, std::size_t entries, const double* z, const double* y, double* d) {
  for_each_block(s, entries, [&](std::size_t e0, std::size_t m) {
    Block a, b, r, u;
    load(z, entries, s.size(), e0, m, a);
    load(y, entries, s.size(), e0, m, b);
    derivative_block(act, s, a, b, r, u);
    store(r, s.size(), e0, m, d, entries);
  });
}

void activate(Activation act, JetBatch& z) { activate(act, z.shape(), z.points() * z.cols(), z.matrix().data()); }

void multiply(JetBatch& a, const JetBatch& b) {
  check_same(a, b);
  multiply(a.shape(), a.points() * a.cols(), a.matrix().data(), b.matrix().data());
}

JetBatch derivative(Activation act, const JetBatch& z, const JetBatch& y) {
  check_same(z, y);
  JetBatch d(z.shape(), z.points(), z.cols());
  derivative(act, z.shape(), z.points() * z.cols(), z.matrix().data(), y.matrix().data(), d.matrix().data());
  return d;
}

}  // namespace nimde::autodiff
