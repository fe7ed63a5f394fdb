#include "experiments/analyses.hpp"

#include <cmath>
#include <stdexcept>

#include "imde/field_series.hpp"
#include "imde/hamiltonian.hpp"
#include "imde/series_field.hpp"
#include "nn/dataset.hpp"
#include "nn/evaluate.hpp"
#include "nn/mlp.hpp"
#include "ode/field_error.hpp"
#include "ode/method.hpp"

namespace nimde::experiments {
namespace {

using autodiff::Array;
using autodiff::Tensor;
using nlohmann::json;

constexpr int kMaxImdeOrder = 4;     ///< errors: f_h^[N] for N = 0..4
constexpr int kMaxCorrection = 3;    ///< correction: N = 1..3
constexpr int kFigureOrder = 3;      ///< trajectories: the paper's f_h (to h³)

ode::Field learned_field(const nn::Model& m) {
  return nn::MlpField(std::make_shared<nn::MlpParams>(m.net)).field("learned", m.names);
}

/// The model's own test points (its training pairs for a trajectory system), as compare does.
Tensor<double> test_points(const nn::Model& m, const ode::System& sys) {
  const std::size_t points = m.training.value("points", nn::data_setup(sys).train_points);
  const std::size_t test = m.training.value("test_points", nn::data_setup(sys).test_points);
  return nn::make_split(sys, points, test, m.T, m.seed).test.x;
}

ode::Field imde_of(const nn::Model& m, const ode::System& sys, int order) {
  return imde::series_field(imde::inverse_modified_equation(ode::method(m.method).tableau(), order), sys.field, m.h());
}

json errors(const nn::Model& m) {
  const ode::System sys = m.true_system();
  const Tensor<double> x = test_points(m, sys);
  const ode::Field learned = learned_field(m);
  json j{{"error_true", ode::field_error(learned, sys.field, x)}};
  for (int n = 0; n <= kMaxImdeOrder; ++n) {
    const ode::Field fh = imde_of(m, sys, n);
    j["error_imde"].push_back(ode::field_error(learned, fh, x));
    j["error_fh"].push_back(ode::field_error(fh, sys.field, x));
  }
  return j;
}

json correction(const nn::Model& m) {
  const ode::System sys = m.true_system();
  const Tensor<double> x = test_points(m, sys);
  const ode::Field learned = learned_field(m);
  const ode::Method method = ode::method(m.method);
  const ode::Tableau& tableau = method.tableau();
  json j{{"error_corrected", json::array({nullptr})}};  // index N; N = 0 is no correction
  for (int n = 1; n <= kMaxCorrection; ++n)
    j["error_corrected"].push_back(
        ode::field_error(imde::series_field(imde::modified_equation(tableau, n), learned, m.h()), sys.field, x));
  return j;
}

json certify(const nn::Model& m) {
  const nn::Evaluation e = nn::evaluate(m, m.training.value("test_points", std::size_t{2000}), m.seed);
  return json{{"train_loss", e.train_loss},
              {"accurate_loss", e.accurate_test_loss},
              {"fits_solver", e.fits_solver_not_ode}};
}

/// y(t) every `every` time units to t_end, by rk4 with `substeps` steps per output.
std::vector<std::vector<double>> flow(const ode::Field& f, std::vector<double> y0, double t_end, double every,
                                      int substeps) {
  const ode::Method rk4 = ode::method("rk4");
  const long outputs = std::lround(t_end / every);
  std::vector<std::vector<double>> ys{y0};
  ode::Point<double> y{std::move(y0)};
  for (long k = 0; k < outputs; ++k) {
    y = ode::integrate(rk4, f, y, every / substeps, substeps);
    ys.push_back(y.x);
  }
  return ys;
}

json trajectory(const nn::Model& m, double t_end) {
  const ode::System sys = m.true_system();
  if (sys.y0.size() != sys.dim()) throw std::invalid_argument("system " + sys.name + " has no starting point y0");
  constexpr double kEvery = 0.01;
  constexpr int kSubsteps = 10;
  json j{{"t_end", t_end}, {"every", kEvery}, {"names", m.names}};
  const std::pair<const char*, ode::Field> fields[] = {
      {"true", sys.field}, {"imde", imde_of(m, sys, kFigureOrder)}, {"learned", learned_field(m)}};
  for (const auto& [name, f] : fields) {
    const auto ys = flow(f, sys.y0, t_end, kEvery, kSubsteps);
    j[name] = ys;
    if (!sys.invariants.empty()) {
      std::vector<double> energy;
      for (const auto& y : ys) energy.push_back(sys.invariants[0].value(y));
      j[std::string(name) + "_energy"] = energy;
    }
  }
  return j;
}

json rollout(const nn::Model& m) {
  const ode::System sys = m.true_system();
  if (sys.invariants.empty()) throw std::invalid_argument("rollout: system " + sys.name + " has no invariant");
  constexpr double kEnd = 1000, kStep = 0.01, kEvery = 2;
  const std::vector<std::vector<double>> starts{{0.0, 0.5}, {0.0, 1.0}, {1.0, 0.0}, {-1.5, 0.5}};
  if (sys.dim() != 2) throw std::invalid_argument("rollout: planar systems only");
  Tensor<double> y0 = autodiff::zeros<double>(starts.size(), 2);
  for (std::size_t i = 0; i < starts.size(); ++i) y0(i, 0) = starts[i][0], y0(i, 1) = starts[i][1];
  const ode::Field f = learned_field(m);
  const ode::Method rk4 = ode::method("rk4");
  const int substeps = static_cast<int>(std::lround(kEvery / kStep));
  Array<double> y(y0);
  auto energy_error = [&](const Array<double>& state) {
    double worst = 0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const double e = sys.invariants[0].value({state.value()(i, 0), state.value()(i, 1)}) -
                       sys.invariants[0].value(starts[i]);
      worst = std::max(worst, std::isfinite(e) ? std::abs(e) : INFINITY);
    }
    return worst;
  };
  // A Hamiltonian network's flow conserves its own H_θ (rk4 at this step, to ~1e-9).
  const bool hnn = m.net.kind == nn::ModelKind::hnn;
  const Tensor<double> h_theta0 = hnn ? nn::hamiltonian(m.net, y0) : Tensor<double>();
  auto h_theta_error = [&](const Array<double>& state) {
    const Tensor<double> h = nn::hamiltonian(m.net, state.value());
    double worst = 0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const double e = h(i, 0) - h_theta0(i, 0);
      worst = std::max(worst, std::isfinite(e) ? std::abs(e) : INFINITY);
    }
    return worst;
  };
  std::vector<double> t{0}, error{0}, h_error{0};
  for (long k = 1; k <= std::lround(kEnd / kEvery); ++k) {
    y = ode::integrate(rk4, f, y, kStep, substeps);
    t.push_back(double(k) * kEvery);
    error.push_back(energy_error(y));
    if (hnn) h_error.push_back(h_theta_error(y));
    if (!std::isfinite(error.back())) break;  // the learned flow left every bound
  }
  // Drift rate: the least-squares slope of the energy error against t.
  double mt = 0, me = 0;
  for (std::size_t k = 0; k < t.size(); ++k) mt += t[k] / double(t.size()), me += error[k] / double(t.size());
  double sxy = 0, sxx = 0;
  for (std::size_t k = 0; k < t.size(); ++k) sxy += (t[k] - mt) * (error[k] - me), sxx += (t[k] - mt) * (t[k] - mt);
  json j{{"t", t}, {"energy_error", error}, {"drift_rate", sxx > 0 ? sxy / sxx : 0.0}};
  if (hnn) j["h_theta_error"] = h_error;
  return j;
}

/// mean over the rows of x of |Σ_k ∂f_k/∂y_k|, by central differences (step 1e-5: error ~1e-10).
double mean_abs_divergence(const ode::Field& f, const Tensor<double>& x) {
  constexpr double kEps = 1e-5;
  const std::size_t n = x.shape()[0], d = x.shape()[1];
  std::vector<double> div(n, 0.0);
  for (std::size_t k = 0; k < d; ++k) {
    Tensor<double> plus = x, minus = x;
    for (std::size_t i = 0; i < n; ++i) plus(i, k) += kEps, minus(i, k) -= kEps;
    const Array<double> fp = f(Array<double>(plus)), fm = f(Array<double>(minus));
    for (std::size_t i = 0; i < n; ++i) div[i] += (fp.value()(i, k) - fm.value()(i, k)) / (2 * kEps);
  }
  double mean = 0;
  for (double v : div) mean += std::abs(v) / double(n);
  return mean;
}

json divergence(const nn::Model& m) {
  const ode::System sys = m.true_system();
  const Tensor<double> x = test_points(m, sys);
  return json{{"div_learned", mean_abs_divergence(learned_field(m), x)},
              {"div_imde", mean_abs_divergence(imde_of(m, sys, kMaxImdeOrder), x)},
              {"div_true", mean_abs_divergence(sys.field, x)}};
}

/// mean |a − b − c| with c = mean(a − b): the distance of two functions known up to a constant.
double distance_up_to_constant(const std::vector<double>& a, const std::vector<double>& b) {
  double c = 0;
  for (std::size_t i = 0; i < a.size(); ++i) c += (a[i] - b[i]) / double(a.size());
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += std::abs(a[i] - b[i] - c) / double(a.size());
  return d;
}

json hamiltonian(const nn::Model& m) {
  constexpr std::size_t kSample = 200;
  const ode::System sys = m.true_system();
  if (m.net.kind != nn::ModelKind::hnn || !sys.hamiltonian)
    throw std::invalid_argument("hamiltonian: needs a Hamiltonian network of a system with a known H");
  const Tensor<double> x = test_points(m, sys);
  const std::size_t n = x.shape()[0], d = x.shape()[1];
  std::vector<double> centre;
  for (const auto& [lo, hi] : sys.domain) centre.push_back((lo + hi) / 2);
  const imde::InverseModifiedHamiltonian hh(ode::method(m.method).tableau(), sys.field, m.h(), kFigureOrder, centre,
                                            sys.hamiltonian(centre));
  const std::vector<double> h_h = hh(x);
  const Tensor<double> theta = nn::hamiltonian(m.net, x);
  std::vector<double> h_true(n), h_theta(n);
  for (std::size_t i = 0; i < n; ++i) {
    h_true[i] = sys.hamiltonian(std::vector<double>(x.begin() + long(i * d), x.begin() + long((i + 1) * d)));
    h_theta[i] = theta(i, 0);
  }
  // H_θ shifted onto H_h^[3] by the constant that fits best, for the sample.
  double shift = 0;
  for (std::size_t i = 0; i < n; ++i) shift += (h_theta[i] - h_h[i]) / double(n);
  json sample = json::array();
  for (std::size_t i = 0; i < std::min(n, kSample); ++i)
    sample.push_back({x(i, 0), x(i, d / 2), h_true[i], h_h[i], h_theta[i] - shift});
  return json{{"order", kFigureOrder},
              {"y_ref", centre},
              {"theta_to_h", distance_up_to_constant(h_theta, h_true)},
              {"theta_to_hh", distance_up_to_constant(h_theta, h_h)},
              {"hh_to_h", distance_up_to_constant(h_h, h_true)},
              {"sample_columns", {"p", "q", "H", "H_h", "H_theta_shifted"}},
              {"sample", sample}};
}

}  // namespace

std::string analysis_key(const std::string& analysis, double t_end) {
  if (analysis != "trajectory") return analysis;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "trajectory_%g", t_end);
  return buffer;
}

json analyse(const nn::Model& model, const std::string& key) {
  if (key == "errors") return errors(model);
  if (key == "correction") return correction(model);
  if (key == "certify") return certify(model);
  if (key == "rollout") return rollout(model);
  if (key == "divergence") return divergence(model);
  if (key == "hamiltonian") return hamiltonian(model);
  if (key.rfind("trajectory_", 0) == 0) return trajectory(model, std::stod(key.substr(11)));
  throw std::invalid_argument("unknown analysis '" + key + "'");
}

double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size();
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) mx += std::log(x[i]) / double(n), my += std::log(y[i]) / double(n);
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxy / sxx;
}

}  // namespace nimde::experiments
