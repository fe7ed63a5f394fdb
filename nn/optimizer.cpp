#include "nn/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace nimde::nn {

using nlohmann::json;

namespace {

// ---- state as JSON ----------------------------------------------------------------------
// nlohmann writes a double as the shortest decimal that reads back to the same bits, and
// reads with correct rounding, so numbers round-trip exactly; NaN and ±∞ (written as null)
// are refused on reading.

[[noreturn]] void bad_state(const std::string& who, const std::string& key, const std::string& why) {
  throw std::invalid_argument(who + " state: key \"" + key + "\" " + why);
}

const json& need(const json& j, const std::string& who, const std::string& key) {
  if (!j.is_object() || !j.contains(key)) bad_state(who, key, "is missing");
  return j.at(key);
}

long need_count(const json& j, const std::string& who, const std::string& key) {
  const json& v = need(j, who, key);
  if (!v.is_number_integer() || v.get<long>() < 0) bad_state(who, key, "is not a non-negative integer");
  return v.get<long>();
}

double need_number(const json& v, const std::string& who, const std::string& key) {
  if (!v.is_number()) bad_state(who, key, "is not a number");
  const double x = v.get<double>();
  if (!std::isfinite(x)) bad_state(who, key, "is not finite");
  return x;
}

json flat_json(const double* data, std::size_t n) {
  json a = json::array();
  for (std::size_t i = 0; i < n; ++i) a.push_back(data[i]);
  return a;
}

void read_flat(const json& a, double* out, std::size_t n, const std::string& who, const std::string& key) {
  if (!a.is_array() || a.size() != n)
    bad_state(who, key, "has " + (a.is_array() ? std::to_string(a.size()) : std::string("no")) + " entries, expected " +
                            std::to_string(n));
  for (std::size_t i = 0; i < n; ++i) out[i] = need_number(a[i], who, key + "[" + std::to_string(i) + "]");
}

/// One array of numbers per tensor.
json tensors_json(const std::vector<Tensor<double>>& ts) {
  json a = json::array();
  for (const Tensor<double>& t : ts) a.push_back(flat_json(t.data(), t.size()));
  return a;
}

/// Tensors shaped like the parameters, read from tensors_json.
std::vector<Tensor<double>> read_tensors(const json& a, const std::vector<Tensor<double>*>& like, const std::string& who,
                                         const std::string& key) {
  if (!a.is_array() || a.size() != like.size())
    bad_state(who, key, "does not hold one array per parameter tensor (" + std::to_string(like.size()) + ")");
  std::vector<Tensor<double>> ts;
  for (std::size_t i = 0; i < like.size(); ++i) {
    ts.emplace_back(like[i]->shape());
    read_flat(a[i], ts.back().data(), ts.back().size(), who, key + "[" + std::to_string(i) + "]");
  }
  return ts;
}

void check_name(const json& j, std::string_view name) {
  const json& v = need(j, std::string(name), "optimizer");
  if (!v.is_string() || v.get<std::string>() != name)
    bad_state(std::string(name), "optimizer", "is " + ode::shown_json(v) + ", expected \"" + std::string(name) + "\"");
}

// ---- flat vectors (L-BFGS) ----------------------------------------------------------------
double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double max_abs(const std::vector<double>& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

bool all_finite(const std::vector<double>& a) {
  return std::all_of(a.begin(), a.end(), [](double v) { return std::isfinite(v); });
}

/// The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
/// [lo, hi]; the middle of [lo, hi] when the cubic has no minimiser (Nocedal & Wright (3.59)):
///   d₁ = g₁ + g₂ − 3(f₁ − f₂)/(x₁ − x₂),  d₂ = sign(x₂ − x₁)·√(d₁² − g₁g₂),
///   x = x₂ − (x₂ − x₁)·(g₂ + d₂ − d₁)/(g₂ − g₁ + 2d₂).
double cubic_minimum(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double x = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    if (std::isfinite(x)) return std::clamp(x, lo, hi);
  }
  return (lo + hi) / 2;
}

}  // namespace

// ---- schedules ----------------------------------------------------------------------------
double Schedule::operator()(long k) const {
  const double K = static_cast<double>(std::max(total, 1L));
  switch (kind) {
    case Kind::constant: return lr;
    case Kind::geometric: return lr * std::pow(decay, -static_cast<double>(k) / K);  // lr·decay^(−k/K)
    case Kind::cosine: {
      const double t = std::min(static_cast<double>(k), K) / K;                       // held at 0 after K
      return lr * (1 + std::cos(std::numbers::pi * t)) / 2;                           // lr·(1 + cos πk/K)/2
    }
  }
  return lr;
}

std::string_view schedule_name(Schedule::Kind kind) { return name_of(kScheduleNames, kind); }

Schedule::Kind parse_schedule(std::string_view name) { return value_of(kScheduleNames, name, "schedule"); }

Schedule make_schedule(Schedule::Kind kind, double lr, long total, double decay) {
  if (!(lr > 0) || !std::isfinite(lr)) throw std::invalid_argument("learning rate " + std::to_string(lr) + " is not positive");
  Schedule s;
  s.kind = kind;
  s.lr = lr;
  s.total = total;
  s.decay = decay;
  const std::string name(schedule_name(kind));
  if (kind != Schedule::Kind::constant && total < 1)
    throw std::invalid_argument("schedule " + name + " needs the number of iterations, got " + std::to_string(total));
  if (kind == Schedule::Kind::geometric && (!(decay > 0) || !std::isfinite(decay)))
    throw std::invalid_argument("learning-rate decay " + std::to_string(decay) + " is not positive");
  return s;
}

// ---- first-order optimisers ---------------------------------------------------------------
FirstOrderOptimizer::FirstOrderOptimizer(std::vector<Tensor<double>*> params, Schedule schedule)
    : params_(std::move(params)), schedule_(schedule) {
  for (const Tensor<double>* p : params_)
    if (!p) throw std::invalid_argument("optimizer: null parameter tensor");
}

IterateResult FirstOrderOptimizer::iterate(const Closure& loss_and_grad) {
  const double loss = loss_and_grad(grad_);
  if (!std::isfinite(loss)) return {loss, StopReason::non_finite};
  step(grad_);
  return {loss, StopReason::none};
}

void FirstOrderOptimizer::check_grads(const std::vector<Tensor<double>>& grads) const {
  if (grads.size() != params_.size())
    throw std::invalid_argument(std::string(name()) + ": " + std::to_string(grads.size()) + " gradients for " +
                                std::to_string(params_.size()) + " parameter tensors");
  for (std::size_t i = 0; i < grads.size(); ++i)
    if (grads[i].shape() != params_[i]->shape())
      throw std::invalid_argument(std::string(name()) + ": gradient " + std::to_string(i) + " has shape " +
                                  autodiff::shape_string(grads[i]) + ", parameter " + autodiff::shape_string(*params_[i]));
}

Adam::Adam(std::vector<Tensor<double>*> params, Schedule schedule, AdamOptions options)
    : FirstOrderOptimizer(std::move(params), schedule), options_(options) {
  for (const Tensor<double>* p : params_) {
    m_.push_back(autodiff::zeros<double>(p->shape()[0], p->shape()[1]));
    v_.push_back(autodiff::zeros<double>(p->shape()[0], p->shape()[1]));
  }
}

// torch.optim.Adam's single-tensor step, operation for operation (t = steps taken, from 1):
//   m ← lerp(m, g, 1 − β₁) = m + (1 − β₁)(g − m)        (one fused multiply-add, as torch's
//   v ← β₂v + (1 − β₂)·g·g                                vectorised lerp kernel)
//   θ ← θ − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)
void Adam::step(const std::vector<Tensor<double>>& grads) {
  check_grads(grads);
  const double lr = schedule_(iteration_);
  const double t = static_cast<double>(iteration_ + 1);
  const double b1 = options_.beta1, b2 = options_.beta2, eps = options_.eps;
  const double w1 = 1 - b1, w2 = 1 - b2;
  const double step_size = lr / (1 - std::pow(b1, t));
  const double bias2_sqrt = std::sqrt(1 - std::pow(b2, t));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    double* p = params_[i]->data();
    double* m = m_[i].data();
    double* v = v_[i].data();
    const double* g = grads[i].data();
    for (std::size_t k = 0, n = grads[i].size(); k < n; ++k) {
      m[k] = std::fma(w1, g[k] - m[k], m[k]);
      v[k] = v[k] * b2 + w2 * g[k] * g[k];
      const double denom = std::sqrt(v[k]) / bias2_sqrt + eps;
      p[k] = p[k] + -step_size * (m[k] / denom);
    }
  }
  ++iteration_;
}

json Adam::state() const {
  return {{"optimizer", "adam"}, {"iteration", iteration_}, {"m", tensors_json(m_)}, {"v", tensors_json(v_)}};
}

void Adam::load_state(const json& j) {
  check_name(j, "adam");
  const long iteration = need_count(j, "adam", "iteration");
  std::vector<Tensor<double>> m = read_tensors(need(j, "adam", "m"), params_, "adam", "m");
  std::vector<Tensor<double>> v = read_tensors(need(j, "adam", "v"), params_, "adam", "v");
  iteration_ = iteration;
  m_ = std::move(m);
  v_ = std::move(v);
}

SGD::SGD(std::vector<Tensor<double>*> params, Schedule schedule, SGDOptions options)
    : FirstOrderOptimizer(std::move(params), schedule), options_(options) {
  if (options.nesterov && (options.momentum <= 0 || options.dampening != 0))
    throw std::invalid_argument("sgd: Nesterov momentum needs momentum > 0 and no dampening");
}

// torch.optim.SGD (no weight decay):
//   b ← g at the first step, b ← μ·b + (1 − τ)·g after;  d = b, or g + μ·b with Nesterov;
//   θ ← θ − lr·d.   Without momentum d = g.
// Each "x + α·y" is one fused multiply-add, as in torch's vectorised add kernel.
void SGD::step(const std::vector<Tensor<double>>& grads) {
  check_grads(grads);
  const double lr = schedule_(iteration_);
  const double mu = options_.momentum, w = 1 - options_.dampening;
  const bool first = buffer_.empty();
  if (mu != 0 && first) buffer_ = grads;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    double* p = params_[i]->data();
    const double* g = grads[i].data();
    double* b = mu != 0 ? buffer_[i].data() : nullptr;
    for (std::size_t k = 0, n = grads[i].size(); k < n; ++k) {
      double d = g[k];
      if (b) {
        if (!first) b[k] = std::fma(g[k], w, b[k] * mu);
        d = options_.nesterov ? std::fma(b[k], mu, g[k]) : b[k];
      }
      p[k] = std::fma(d, -lr, p[k]);
    }
  }
  ++iteration_;
}

json SGD::state() const {
  return {{"optimizer", "sgd"}, {"iteration", iteration_}, {"buffer", tensors_json(buffer_)}};
}

void SGD::load_state(const json& j) {
  check_name(j, "sgd");
  const long iteration = need_count(j, "sgd", "iteration");
  const json& b = need(j, "sgd", "buffer");
  std::vector<Tensor<double>> buffer;
  if (!(b.is_array() && b.empty())) buffer = read_tensors(b, params_, "sgd", "buffer");
  iteration_ = iteration;
  buffer_ = std::move(buffer);
}

// ---- L-BFGS -------------------------------------------------------------------------------
std::string_view stop_reason_name(StopReason s) { return name_of(kStopReasonNames, s); }

namespace {
/// Stops after which nothing more can be done from the same state.
bool is_final(StopReason s) {
  return s == StopReason::gradient || s == StopReason::change || s == StopReason::line_search || s == StopReason::non_finite;
}
}  // namespace

LBFGS::LBFGS(std::vector<Tensor<double>*> params, LBFGSOptions options) : params_(std::move(params)), options_(options) {
  for (const Tensor<double>* p : params_) {
    if (!p) throw std::invalid_argument("lbfgs: null parameter tensor");
    n_ += p->size();
  }
  if (options_.history < 1) throw std::invalid_argument("lbfgs: history must be at least 1");
  if (!(0 < options_.c1 && options_.c1 < options_.c2 && options_.c2 < 1))
    throw std::invalid_argument("lbfgs: the Wolfe constants need 0 < c1 < c2 < 1");
  if (options_.max_line_search < 1) throw std::invalid_argument("lbfgs: max_line_search must be at least 1");
}

void LBFGS::set_params(const std::vector<double>& x0, double alpha) {
  std::size_t k = 0;
  for (Tensor<double>* p : params_)
    for (double& v : *p) {
      v = alpha == 0 ? x0[k] : x0[k] + alpha * d_[k];
      ++k;
    }
}

double LBFGS::evaluate(const Closure& closure, const std::vector<double>& x0, double alpha, std::vector<double>& grad) {
  set_params(x0, alpha);
  const double f = closure(scratch_);
  ++evaluations_;
  if (scratch_.size() != params_.size())
    throw std::invalid_argument("lbfgs: the closure gave " + std::to_string(scratch_.size()) + " gradients for " +
                                std::to_string(params_.size()) + " parameter tensors");
  grad.resize(n_);
  std::size_t k = 0;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (scratch_[i].size() != params_[i]->size())
      throw std::invalid_argument("lbfgs: gradient " + std::to_string(i) + " has " + std::to_string(scratch_[i].size()) +
                                  " entries, parameter " + std::to_string(params_[i]->size()));
    std::copy(scratch_[i].begin(), scratch_[i].end(), grad.begin() + static_cast<std::ptrdiff_t>(k));
    k += scratch_[i].size();
  }
  return f;
}

// The two-loop recursion: d = −H∇f with H the L-BFGS inverse Hessian built from the pairs
// (sᵢ, yᵢ), ρᵢ = 1/(yᵢ·sᵢ), on H₀ = γI with γ = s·y/y·y of the newest pair:
//   q = ∇f;  for i newest → oldest: aᵢ = ρᵢ sᵢ·q,  q −= aᵢ yᵢ
//   r = γq;  for i oldest → newest: β = ρᵢ yᵢ·r,   r += (aᵢ − β) sᵢ;   d = −r
std::vector<double> LBFGS::direction() const {
  std::vector<double> q = grad_;
  const std::size_t m = s_.size();
  std::vector<double> a(m), rho(m);
  for (std::size_t i = m; i-- > 0;) {
    rho[i] = 1 / dot(y_[i], s_[i]);
    a[i] = rho[i] * dot(s_[i], q);
    for (std::size_t k = 0; k < n_; ++k) q[k] -= a[i] * y_[i][k];
  }
  if (m > 0) {
    const double gamma = dot(s_[m - 1], y_[m - 1]) / dot(y_[m - 1], y_[m - 1]);
    for (double& v : q) v *= gamma;
  }
  for (std::size_t i = 0; i < m; ++i) {
    const double beta = rho[i] * dot(y_[i], q);
    for (std::size_t k = 0; k < n_; ++k) q[k] += (a[i] - beta) * s_[i][k];
  }
  for (double& v : q) v = -v;
  return q;
}

// Nocedal & Wright, Algorithm 3.5, on φ(α) = f(x₀ + αd) with φ'(α) = ∇f(x₀ + αd)·d:
//   try α₁ = α; at each αᵢ
//     φ(αᵢ) > φ(0) + c₁αᵢφ'(0), or φ(αᵢ) ≥ φ(αᵢ₋₁) (i > 1)  → zoom(αᵢ₋₁, αᵢ)
//     |φ'(αᵢ)| ≤ c₂|φ'(0)|                                   → accept αᵢ
//     φ'(αᵢ) ≥ 0                                             → zoom(αᵢ, αᵢ₋₁)
//     otherwise extrapolate: αᵢ₊₁ = cubic minimum in [αᵢ + 0.01(αᵢ − αᵢ₋₁), 10αᵢ].
// Algorithm 3.6, zoom(lo, hi), lo always the best point with sufficient decrease:
//     αⱼ = cubic minimum between lo and hi, kept 10% of the interval away from either end
//     φ(αⱼ) > φ(0) + c₁αⱼφ'(0) or φ(αⱼ) ≥ φ(lo)  → hi = αⱼ
//     else |φ'(αⱼ)| ≤ c₂|φ'(0)| → accept αⱼ;  if φ'(αⱼ)(hi − lo) ≥ 0: hi = lo;  lo = αⱼ.
// A non-finite φ counts as no decrease. When the evaluations run out the best point with
// sufficient decrease is taken; 0 means none was found.
double LBFGS::line_search(const Closure& closure, const std::vector<double>& x0, double alpha, double dphi0, double& f_out,
                          std::vector<double>& g_out) {
  struct Trial {
    double a = 0, f = 0, dphi = 0;
    std::vector<double> g;
  };
  const double f0 = loss_, c1 = options_.c1, c2 = options_.c2;
  auto decreases = [&](const Trial& t) { return std::isfinite(t.f) && t.f <= f0 + c1 * t.a * dphi0; };
  auto flat = [&](const Trial& t) { return std::abs(t.dphi) <= -c2 * dphi0; };
  int evals = 0;
  auto budget = [&] {
    return evals < options_.max_line_search &&
           (options_.max_evaluations == 0 || evaluations_ < options_.max_evaluations);
  };
  auto trial = [&](double a) {
    Trial t;
    t.a = a;
    t.f = evaluate(closure, x0, a, t.g);
    t.dphi = dot(t.g, d_);
    ++evals;
    return t;
  };
  auto accept = [&](Trial& t) {
    f_out = t.f;
    g_out = std::move(t.g);
    return t.a;
  };

  Trial prev{0, f0, dphi0, grad_}, lo, hi;
  for (int i = 1;; ++i) {
    Trial cur = trial(alpha);
    if (!decreases(cur) || (i > 1 && cur.f >= prev.f)) {
      lo = std::move(prev);
      hi = std::move(cur);
      break;
    }
    if (flat(cur)) return accept(cur);
    if (cur.dphi >= 0) {
      lo = std::move(cur);
      hi = std::move(prev);
      break;
    }
    if (!budget()) return accept(cur);
    alpha = cubic_minimum(prev.a, prev.f, prev.dphi, cur.a, cur.f, cur.dphi, cur.a + 0.01 * (cur.a - prev.a), 10 * cur.a);
    prev = std::move(cur);
  }

  const double dmax = max_abs(d_);
  while (budget()) {
    const double left = std::min(lo.a, hi.a), right = std::max(lo.a, hi.a), width = right - left;
    if (width * dmax <= options_.change_tolerance || width <= 0) break;  // the trial points would coincide
    double a = std::isfinite(hi.f) ? cubic_minimum(lo.a, lo.f, lo.dphi, hi.a, hi.f, hi.dphi, left, right)
                                   : (left + right) / 2;
    a = std::clamp(a, left + 0.1 * width, right - 0.1 * width);
    Trial cur = trial(a);
    if (!decreases(cur) || cur.f >= lo.f) {
      hi = std::move(cur);
    } else {
      if (flat(cur)) return accept(cur);
      if (cur.dphi * (hi.a - lo.a) >= 0) hi = lo;
      lo = std::move(cur);
    }
  }
  return lo.a > 0 ? accept(lo) : 0.0;
}

LBFGSReport LBFGS::report() const {
  return {iteration_, evaluations_, loss_, max_abs(grad_), stop_};
}

LBFGSReport LBFGS::run(const Closure& closure, long iterations) {
  if (is_final(stop_)) return report();
  stop_ = StopReason::none;
  std::vector<double> x0(n_);
  auto flatten = [&] {
    std::size_t k = 0;
    for (const Tensor<double>* p : params_)
      for (double v : *p) x0[k++] = v;
  };
  if (!have_current_) {
    flatten();
    d_.assign(n_, 0.0);
    loss_ = evaluate(closure, x0, 0, grad_);
    have_current_ = true;
  }
  if (!std::isfinite(loss_) || !all_finite(grad_)) {
    stop_ = StopReason::non_finite;
    return report();
  }
  const long target = iterations > 0                ? iterations
                      : options_.max_iterations > 0 ? options_.max_iterations - iteration_
                                                    : std::numeric_limits<long>::max();
  std::vector<double> g_new;
  for (long done = 0;;) {
    if (max_abs(grad_) <= options_.gradient_tolerance) {
      stop_ = StopReason::gradient;
      break;
    }
    if (options_.max_iterations > 0 && iteration_ >= options_.max_iterations) {
      stop_ = StopReason::max_iterations;
      break;
    }
    if (options_.max_evaluations > 0 && evaluations_ >= options_.max_evaluations) {
      stop_ = StopReason::max_evaluations;
      break;
    }
    if (done >= target) break;

    d_ = direction();
    double dphi0 = dot(grad_, d_);
    if (!(dphi0 < 0)) {  // not a descent direction: forget the pairs, go down the gradient
      s_.clear();
      y_.clear();
      d_ = direction();
      dphi0 = dot(grad_, d_);
    }
    // The first step of steepest descent is scaled to move by at most 1 in the ℓ¹ norm of ∇f.
    double l1 = 0;
    for (double v : grad_) l1 += std::abs(v);
    const double alpha0 = s_.empty() ? std::min(1.0, 1.0 / l1) : 1.0;
    flatten();
    double f_new = 0;
    const double alpha = line_search(closure, x0, alpha0, dphi0, f_new, g_new);
    if (alpha == 0) {
      set_params(x0, 0);
      if (!s_.empty()) {  // retry from steepest descent before giving up
        s_.clear();
        y_.clear();
        continue;
      }
      stop_ = StopReason::line_search;
      break;
    }
    set_params(x0, alpha);

    // The curvature pair of the step actually taken: s = θ₁ − θ₀, y = ∇f(θ₁) − ∇f(θ₀),
    // kept when s·y > 0 (it is under the Wolfe conditions, up to rounding).
    std::vector<double> s(n_), y(n_);
    std::size_t k = 0;
    for (const Tensor<double>* p : params_)
      for (double v : *p) {
        s[k] = v - x0[k];
        y[k] = g_new[k] - grad_[k];
        ++k;
      }
    const double ys = dot(y, s), step = max_abs(s);
    if (ys > 1e-10 * std::sqrt(dot(y, y) * dot(s, s))) {
      if (s_.size() == static_cast<std::size_t>(options_.history)) {
        s_.erase(s_.begin());
        y_.erase(y_.begin());
      }
      s_.push_back(std::move(s));
      y_.push_back(std::move(y));
    }
    const double f_old = loss_;
    loss_ = f_new;
    std::swap(grad_, g_new);
    ++iteration_;
    ++done;
    if (max_abs(grad_) <= options_.gradient_tolerance) {
      stop_ = StopReason::gradient;
      break;
    }
    if (step <= options_.change_tolerance || std::abs(f_new - f_old) <= options_.change_tolerance * std::abs(f_old)) {
      stop_ = StopReason::change;
      break;
    }
  }
  return report();
}

IterateResult LBFGS::iterate(const Closure& closure) {
  const LBFGSReport r = run(closure, 1);
  return {r.loss, r.stop};
}

json LBFGS::state() const {
  json s = json::array(), y = json::array();
  for (std::size_t i = 0; i < s_.size(); ++i) {
    s.push_back(flat_json(s_[i].data(), n_));
    y.push_back(flat_json(y_[i].data(), n_));
  }
  json j{{"optimizer", "lbfgs"},  {"iteration", iteration_}, {"evaluations", evaluations_},
         {"stop", std::string(stop_reason_name(stop_))}, {"s", s}, {"y", y}};
  if (have_current_) {
    j["loss"] = loss_;
    j["grad"] = flat_json(grad_.data(), n_);
  } else {
    j["loss"] = nullptr;
  }
  return j;
}

void LBFGS::load_state(const json& j) {
  const std::string who = "lbfgs";
  check_name(j, who);
  const long iteration = need_count(j, who, "iteration"), evaluations = need_count(j, who, "evaluations");
  const json& stop = need(j, who, "stop");
  StopReason reason = StopReason::none;
  bool known = false;
  for (const Named<StopReason>& r : kStopReasonNames)
    if (stop.is_string() && stop.get<std::string>() == r.name) {
      reason = r.value;
      known = true;
    }
  if (!known) bad_state(who, "stop", "is not a known stopping reason");
  const json& js = need(j, who, "s");
  const json& jy = need(j, who, "y");
  if (!js.is_array() || !jy.is_array() || js.size() != jy.size())
    bad_state(who, "s", "and \"y\" are not arrays of equal length");
  if (js.size() > static_cast<std::size_t>(options_.history))
    bad_state(who, "s", "holds " + std::to_string(js.size()) + " pairs, more than the history of " +
                            std::to_string(options_.history));
  std::vector<std::vector<double>> s(js.size(), std::vector<double>(n_)), y(js.size(), std::vector<double>(n_));
  for (std::size_t i = 0; i < js.size(); ++i) {
    read_flat(js[i], s[i].data(), n_, who, "s[" + std::to_string(i) + "]");
    read_flat(jy[i], y[i].data(), n_, who, "y[" + std::to_string(i) + "]");
  }
  const json& loss = need(j, who, "loss");
  std::vector<double> grad;
  double f = 0;
  const bool current = !loss.is_null();
  if (current) {
    f = need_number(loss, who, "loss");
    grad.resize(n_);
    read_flat(need(j, who, "grad"), grad.data(), n_, who, "grad");
  }
  iteration_ = iteration;
  evaluations_ = evaluations;
  stop_ = reason;
  s_ = std::move(s);
  y_ = std::move(y);
  have_current_ = current;
  loss_ = f;
  grad_ = std::move(grad);
}

}  // namespace nimde::nn

namespace nimde::nn {

// ---- choosing one by name -------------------------------------------------------------------
std::string_view optimizer_name(OptimizerKind kind) { return name_of(kOptimizerNames, kind); }

OptimizerKind parse_optimizer(std::string_view name) { return value_of(kOptimizerNames, name, "optimizer"); }

std::unique_ptr<Optimizer> make_optimizer(OptimizerKind kind, std::vector<Tensor<double>*> params,
                                          const OptimizerOptions& options) {
  switch (kind) {
    case OptimizerKind::adam: return std::make_unique<Adam>(std::move(params), options.schedule, options.adam);
    case OptimizerKind::sgd: return std::make_unique<SGD>(std::move(params), options.schedule, options.sgd);
    case OptimizerKind::lbfgs: return std::make_unique<LBFGS>(std::move(params), options.lbfgs);
  }
  throw std::invalid_argument("optimizer: a kind outside OptimizerKind");
}

}  // namespace nimde::nn
