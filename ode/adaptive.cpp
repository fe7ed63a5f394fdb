#include "ode/adaptive.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace nimde::ode {
namespace {

/// The shortest text that reads back as v.
std::string str(double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, end);
}

/// An embedded pair as data. Stage i (from 0) is k_i = f(y + h Σ_{j<i} A[i][j] k_j); fields are
/// autonomous, so the nodes c_i are not needed. In the error weights, index `stages` stands
/// for f(y₁), which is also the next step's k_0.
struct Pair {
  std::string name;
  int stages = 0;
  std::vector<std::vector<double>> A;  ///< row i holds a_i0 .. a_i,i−1
  std::vector<double> b;               ///< y₁ = y + h Σ b_i k_i
  std::vector<double> e;               ///< err = h Σ e_i k_i (dop853: err₅)
  std::vector<double> e3;              ///< dop853's err₃ = h Σ e3_i k_i; empty for dopri5
  double exponent = 0;                 ///< 1/(q+1), q the order of the error estimate
  double fac_min = 0, fac_max = 0;     ///< limits of h_new / h
  int order = 0;                       ///< p, for the initial step heuristic
};

// Dormand & Prince (1980); e = b − b̂ with b̂ the 4th-order weights.
Pair dopri5() {
  Pair p;
  p.name = "dopri5";
  p.stages = 6;
  p.A = {{},
         {1.0 / 5},
         {3.0 / 40, 9.0 / 40},
         {44.0 / 45, -56.0 / 15, 32.0 / 9},
         {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
         {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656}};
  p.b = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84};
  p.e = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};
  p.exponent = 1.0 / 5;
  p.fac_min = 0.2;
  p.fac_max = 10;
  p.order = 5;
  return p;
}

// Hairer's DOP853 (Hairer, Nørsett & Wanner, Solving ODEs I, II.10; the constants of dop853.f).
Pair dop853() {
  Pair p;
  p.name = "dop853";
  p.stages = 12;
  p.A = {{},
         {5.26001519587677318785587544488e-2},
         {1.97250569845378994544595329183e-2, 5.91751709536136983633785987549e-2},
         {2.95875854768068491816892993775e-2, 0, 8.87627564304205475450678981324e-2},
         {2.41365134159266685502369798665e-1, 0, -8.84549479328286085344864962717e-1,
          9.24834003261792003115737966543e-1},
         {3.7037037037037037037037037037e-2, 0, 0, 1.70828608729473871279604482173e-1,
          1.25467687566822425016691814123e-1},
         {3.7109375e-2, 0, 0, 1.70252211019544039314978060272e-1, 6.02165389804559606850219397283e-2,
          -1.7578125e-2},
         {3.70920001185047927108779319836e-2, 0, 0, 1.70383925712239993810214054705e-1,
          1.07262030446373284651809199168e-1, -1.53194377486244017527936158236e-2,
          8.27378916381402288758473766002e-3},
         {6.24110958716075717114429577812e-1, 0, 0, -3.36089262944694129406857109825,
          -8.68219346841726006818189891453e-1, 2.75920996994467083049415600797e1,
          2.01540675504778934086186788979e1, -4.34898841810699588477366255144e1},
         {4.77662536438264365890433908527e-1, 0, 0, -2.48811461997166764192642586468,
          -5.90290826836842996371446475743e-1, 2.12300514481811942347288949897e1,
          1.52792336328824235832596922938e1, -3.32882109689848629194453265587e1,
          -2.03312017085086261358222928593e-2},
         {-9.3714243008598732571704021658e-1, 0, 0, 5.18637242884406370830023853209,
          1.09143734899672957818500254654, -8.14978701074692612513997267357,
          -1.85200656599969598641566180701e1, 2.27394870993505042818970056734e1,
          2.49360555267965238987089396762, -3.0467644718982195003823669022},
         {2.27331014751653820792359768449, 0, 0, -1.05344954667372501984066689879e1,
          -2.00087205822486249909675718444, -1.79589318631187989172765950534e1,
          2.79488845294199600508499808837e1, -2.85899827713502369474065508674,
          -8.87285693353062954433549289258, 1.23605671757943030647266201528e1,
          6.43392746015763530355970484046e-1}};
  p.b = {5.42937341165687622380535766363e-2, 0, 0, 0, 0, 4.45031289275240888144113950566,
         1.89151789931450038304281599044, -5.8012039600105847814672114227, 3.1116436695781989440891606237e-1,
         -1.52160949662516078556178806805e-1, 2.01365400804030348374776537501e-1,
         4.47106157277725905176885569043e-2};
  // err₅: the difference to an embedded 5th-order solution.
  p.e = {0.1312004499419488073250102996e-1, 0, 0, 0, 0, -0.1225156446376204440720569753e1,
         -0.4957589496572501915214079952, 0.1664377182454986536961530415e1, -0.3503288487499736816886487290,
         0.3341791187130174790297318841, 0.8192320648511571246570742613e-1, -0.2235530786388629525884427845e-1,
         0};
  // err₃: b minus the 3rd-order weights b̂ (nonzero at k_0, k_8 and k_11 only).
  p.e3 = p.b;
  p.e3.push_back(0);
  p.e3[0] -= 0.244094488188976377952755905512;
  p.e3[8] -= 0.733846688281611857341361741547;
  p.e3[11] -= 0.220588235294117647058823529412e-1;
  p.exponent = 1.0 / 8;
  p.fac_min = 0.333;
  p.fac_max = 6;
  p.order = 8;
  return p;
}

const std::vector<Pair>& pairs() {
  static const std::vector<Pair> all{dopri5(), dop853()};
  return all;
}

const Pair& find_pair(std::string_view name) {
  for (const Pair& p : pairs())
    if (p.name == name) return p;
  std::string known;
  for (const Pair& p : pairs()) known += (known.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("unknown adaptive method '" + std::string(name) + "' (known: " + known + ")");
}

// ---- reading a state's numbers: points × dim, row-major ----
template <class T>
struct Values {
  const T* data;
  std::size_t points, dim;
  double operator()(std::size_t i, std::size_t j) const { return static_cast<double>(data[i * dim + j]); }
};
template <class T> Values<T> values(const Array<T>& y) { return {y.value().data(), y.rows(), y.cols()}; }
Values<double> values(const Point<double>& y) { return {y.x.data(), 1, y.x.size()}; }

template <class T>
bool all_finite(const Values<T>& v) {
  for (std::size_t n = 0; n < v.points * v.dim; ++n)
    if (!std::isfinite(static_cast<double>(v.data[n]))) return false;
  return true;
}

/// a / sk, with 0/0 = 0: a component that is exactly zero is exactly right even when atol = 0.
double scaled(double a, double sk) { return a == 0 ? 0.0 : a / sk; }

/// Σ_j k_j · (scale w_j) over the nonzero weights (every weight row used has one).
template <class State>
State weighted_sum(const std::vector<State>& k, const std::vector<double>& w, double scale) {
  State acc;
  bool any = false;
  for (std::size_t j = 0; j < w.size(); ++j) {
    if (w[j] == 0) continue;
    acc = any ? State(acc + k[j] * (scale * w[j])) : State(k[j] * (scale * w[j]));
    any = true;
  }
  return acc;
}

/// The largest over points of the error norm in the header: dopri5's from err = Σ e_i k_i, or
/// dop853's from E₅ = err and E₃ = err3. Infinite if any entry is not finite.
template <class T>
double error_norm(const Values<T>& err, std::type_identity_t<const Values<T>*> err3, const Values<T>& y,
                  const Values<T>& y1, double h, const AdaptiveOptions& o) {
  const double d = static_cast<double>(err.dim);
  double worst = 0;
  for (std::size_t i = 0; i < err.points; ++i) {
    double s5 = 0, s3 = 0;
    for (std::size_t j = 0; j < err.dim; ++j) {
      const double sk = o.atol + o.rtol * std::max(std::abs(y(i, j)), std::abs(y1(i, j)));
      const double r5 = scaled(err(i, j), sk);
      s5 += r5 * r5;
      if (err3) {
        const double r3 = scaled((*err3)(i, j), sk);
        s3 += r3 * r3;
      }
    }
    double n;
    if (!err3) n = std::abs(h) * std::sqrt(s5 / d);
    else n = (s5 == 0 && s3 == 0) ? 0.0 : std::abs(h) * s5 / std::sqrt(d * (s5 + 0.01 * s3));
    if (!std::isfinite(n)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, n);
  }
  return worst;
}

/// Hairer's first step (HNW I, II.4): with ‖·‖ the scaled RMS norm (sk = atol + rtol |y0|),
///   h₀ = 0.01 ‖y0‖/‖f0‖, then, from one Euler step, ‖y''‖ ≈ ‖f(y0 + h₀ f0) − f0‖ / h₀ and
///   h = min(100 h₀, (0.01 / max(‖f0‖, ‖y''‖))^(1/p)),
/// so that the leading error term of the first step is about 0.01. A batch takes the smallest
/// over its points.
template <class State>
double initial_step(const Pair& pair, const Field& f, const State& y0, const State& f0, double h_max,
                    const AdaptiveOptions& o, AdaptiveStats& stats) {
  const auto y = values(y0), dy = values(f0);
  const double d = static_cast<double>(y.dim);
  std::vector<double> norm_f(y.points);
  double h = h_max;
  for (std::size_t i = 0; i < y.points; ++i) {
    double sy = 0, sf = 0;
    for (std::size_t j = 0; j < y.dim; ++j) {
      const double sk = o.atol + o.rtol * std::abs(y(i, j));
      sy += scaled(y(i, j), sk) * scaled(y(i, j), sk);
      sf += scaled(dy(i, j), sk) * scaled(dy(i, j), sk);
    }
    const double ny = std::sqrt(sy / d);
    norm_f[i] = std::sqrt(sf / d);
    const double guess = 0.01 * ny / norm_f[i];  // 0 if f has a component where sk = 0 (atol = 0, y = 0)
    h = std::min(h, (ny < 1e-5 || norm_f[i] < 1e-5 || !(guess > 0)) ? 1e-6 : guess);
  }
  const State f1 = f(State(y0 + f0 * h));
  ++stats.evaluations;
  const auto df = values(f1);
  double h1 = h_max;
  for (std::size_t i = 0; i < y.points; ++i) {
    double s2 = 0;
    for (std::size_t j = 0; j < y.dim; ++j) {
      const double sk = o.atol + o.rtol * std::abs(y(i, j));
      const double r = scaled(df(i, j) - dy(i, j), sk);
      s2 += r * r;
    }
    const double second = std::sqrt(s2 / d) / h;
    const double m = std::max(norm_f[i], second);
    const double guess = std::pow(0.01 / m, 1.0 / pair.order);
    h1 = std::min(h1, (m <= 1e-15 || !(guess > 0)) ? std::max(1e-6, h * 1e-3) : guess);
  }
  return std::min({100 * h, h1, h_max});
}

void check_arguments(const AdaptiveOptions& o, double t0, const std::vector<double>& times) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("integrate_adaptive: " + what); };
  if (!std::isfinite(o.rtol) || o.rtol < 0) bad("rtol = " + str(o.rtol) + " must be finite and >= 0");
  if (!std::isfinite(o.atol) || o.atol < 0) bad("atol = " + str(o.atol) + " must be finite and >= 0");
  if (o.rtol == 0 && o.atol == 0) bad("rtol and atol are both 0");
  if (!std::isfinite(o.h0) || o.h0 < 0) bad("h0 = " + str(o.h0) + " must be finite and >= 0");
  if (!std::isfinite(o.h_max) || o.h_max < 0) bad("h_max = " + str(o.h_max) + " must be finite and >= 0");
  if (!std::isfinite(t0)) bad("t0 = " + str(t0) + " is not finite");
  for (std::size_t n = 0; n < times.size(); ++n) {
    const double before = n == 0 ? t0 : times[n - 1];
    if (!std::isfinite(times[n])) bad("times[" + std::to_string(n) + "] = " + str(times[n]) + " is not finite");
    if (n == 0 ? times[n] < before : times[n] <= before)
      bad("times must increase from t0 = " + str(t0) + ", but times[" + std::to_string(n) + "] = " + str(times[n]) +
          (n == 0 ? " is before t0" : " follows " + str(before)));
  }
}

}  // namespace

std::vector<std::string> adaptive_method_names() {
  std::vector<std::string> names;
  for (const Pair& p : pairs()) names.push_back(p.name);
  return names;
}

bool is_adaptive_method(std::string_view name) {
  for (const Pair& p : pairs())
    if (p.name == name) return true;
  return false;
}

template <class State>
std::vector<State> integrate_adaptive(std::string_view method, const Field& f, const State& y0, double t0,
                                      const std::vector<double>& times, const AdaptiveOptions& o,
                                      AdaptiveStats* stats_out) {
  const Pair& pair = find_pair(method);
  check_arguments(o, t0, times);
  AdaptiveStats stats;
  std::vector<State> out;
  out.reserve(times.size());
  std::size_t next = 0;
  for (; next < times.size() && times[next] == t0; ++next) out.push_back(y0);
  if (next == times.size()) {
    if (stats_out) *stats_out = stats;
    return out;
  }

  const std::size_t s = static_cast<std::size_t>(pair.stages);
  State y = y0, k0 = f(y0);  // k0 = f(y): the first stage, carried from step to step
  ++stats.evaluations;
  if (!all_finite(values(y0)) || !all_finite(values(k0)))
    throw std::runtime_error(pair.name + ": the initial state or the field at it is not finite (t0 = " + str(t0) + ")");
  const double h_max = o.h_max > 0 ? o.h_max : times.back() - t0;
  double h = o.h0 > 0 ? std::min(o.h0, h_max) : initial_step(pair, f, y0, k0, h_max, o, stats);
  double t = t0;
  bool rejected_last = false;
  std::vector<State> k;
  k.reserve(s + 1);
  for (std::size_t attempts = 0; next < times.size(); ++attempts) {
    const double target = times[next];
    if (attempts == o.max_steps)
      throw std::runtime_error(pair.name + ": max_steps = " + std::to_string(o.max_steps) + " reached at t = " +
                               str(t) + " on the way to " + str(target));
    // Hairer's test: below this, t + h no longer differs from t by h in floating point.
    if (!(h > 10 * std::numeric_limits<double>::epsilon() * std::abs(t)) || !(h > 0))
      throw std::runtime_error(pair.name + ": step size underflow (h = " + str(h) + " at t = " + str(t) + ")");
    // Land on the output time when the step reaches it, or nearly does (no sliver left over).
    const bool lands = t + 1.01 * h >= target;
    const double hs = lands ? target - t : h;

    k.assign(1, k0);
    for (std::size_t i = 1; i < s; ++i) k.push_back(f(State(y + weighted_sum(k, pair.A[i], hs))));
    stats.evaluations += s - 1;
    State y1 = y + weighted_sum(k, pair.b, hs);
    if (pair.e[s] != 0) {  // dopri5's error needs f(y₁) now; dop853 takes it after acceptance
      k.push_back(f(y1));
      ++stats.evaluations;
    }
    double err;
    const State e = weighted_sum(k, pair.e, 1.0);
    if (pair.e3.empty()) {
      err = error_norm(values(e), nullptr, values(y), values(y1), hs, o);
    } else {
      const State e3 = weighted_sum(k, pair.e3, 1.0);
      const auto v3 = values(e3);
      err = error_norm(values(e), &v3, values(y), values(y1), hs, o);
    }

    if (err <= 1) {
      ++stats.accepted;
      if (k.size() == s) {
        k.push_back(f(y1));
        ++stats.evaluations;
      }
      k0 = std::move(k[s]);
      y = std::move(y1);
      t = lands ? target : t + hs;
      for (; next < times.size() && times[next] == t; ++next) out.push_back(y);
      double factor = err == 0 ? pair.fac_max : std::clamp(0.9 * std::pow(err, -pair.exponent), pair.fac_min, pair.fac_max);
      if (rejected_last) factor = std::min(factor, 1.0);
      const double proposed = std::min(hs * factor, h_max);
      // A step shortened to land on an output time says little about the next: keep the longer.
      h = lands ? std::max(proposed, std::min(h, h_max)) : proposed;
      rejected_last = false;
    } else {
      ++stats.rejected;
      h = hs * (std::isfinite(err) ? std::max(pair.fac_min, 0.9 * std::pow(err, -pair.exponent)) : pair.fac_min);
      rejected_last = true;
    }
  }
  if (stats_out) *stats_out = stats;
  return out;
}

template std::vector<Array<double>> integrate_adaptive(std::string_view, const Field&, const Array<double>&, double,
                                                       const std::vector<double>&, const AdaptiveOptions&,
                                                       AdaptiveStats*);
template std::vector<Array<float>> integrate_adaptive(std::string_view, const Field&, const Array<float>&, double,
                                                      const std::vector<double>&, const AdaptiveOptions&,
                                                      AdaptiveStats*);
template std::vector<Point<double>> integrate_adaptive(std::string_view, const Field&, const Point<double>&, double,
                                                       const std::vector<double>&, const AdaptiveOptions&,
                                                       AdaptiveStats*);

}  // namespace nimde::ode
