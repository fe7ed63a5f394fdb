#include "experiments/paper_experiments.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "experiments/analyses.hpp"
#include "nn/gradients.hpp"
#include "nn/mlp.hpp"
#include "ode/method.hpp"
#include "ode/systems.hpp"

namespace nimde::experiments {
namespace {

using nlohmann::json;

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

int order_of(const std::string& method) { return ode::method(method).order(); }

/// A model's learning floor is Error(f_θ, f_h^[4]), against the longest truncation the analyses
/// compute: beyond it, what the truncation leaves out and what training did not learn are not
/// told apart.
constexpr int kFloorOrder = 4;

/// That floor, from a model's "errors" analysis.
double learning_floor(const json& errors) { return errors.at("error_imde").at(kFloorOrder).get<double>(); }

// ---- Figure 2 and the sweeps that share its form -----------------------------------------
/// Runs of one sweep: (T, S) pairs for each method and seed.
struct Sweep {
  std::string name;  ///< "T-sweep" or "S-sweep"
  std::string system;
  std::vector<std::pair<double, int>> settings;
  std::size_t fit_points = 4;  ///< fewest values of h a slope is fitted over
};

/// The sweep's runs; `fine_methods` train with the preset's fine settings.
std::vector<RunSpec> sweep_runs(const Sweep& sweep, const std::vector<std::string>& methods, const Preset& p,
                                const std::vector<std::string>& fine_methods = {}) {
  std::vector<RunSpec> runs;
  for (const std::string& m : methods) {
    const bool fine = std::find(fine_methods.begin(), fine_methods.end(), m) != fine_methods.end();
    for (const auto& [T, S] : sweep.settings)
      for (int seed = 0; seed < p.seeds; ++seed)
        runs.push_back(make_run(sweep.system, m, T, S, seed, fine ? p.fine : p.training));
  }
  return runs;
}

/// Error(f_θ, f) against h fitted over the h where Error(f_h, f) ≥ 5 × the run's learning floor
/// (below it the discretisation error is not what is measured), seeds averaged; writes the rows,
/// the fit and the conclusions. The figure's f_h is the paper's, the IMDE truncated after h³; the
/// floor is measured against the longest truncation computed, f_h^[4]. For a symmetric method
/// f_h^[3] = f_h^[2], and at the sweep's largest h its missing h⁴ term is as large as the floor
/// itself: against it, the floor would measure the truncation and not the learning.
void report_sweep(const std::string& experiment, const std::string& table, const Sweep& sweep,
                  const std::vector<std::string>& methods, const std::vector<RunSpec>& runs, const MetricsOf& metrics,
                  Findings& out) {
  constexpr int kOrder = 3;  // the paper's f_h: the IMDE truncated after h³
  for (const std::string& method : methods) {
    struct Point {
      double error_true = 0, error_floor = 0, error_fh = 0;
      int count = 0;
      std::vector<const RunSpec*> runs;
    };
    std::map<double, Point> by_h;
    for (const RunSpec& r : runs) {
      if (r.method != method) continue;
      const json& e = metrics(r).at("errors");
      Point& pt = by_h[r.h()];
      pt.error_true += e.at("error_true").get<double>();
      pt.error_floor += learning_floor(e);
      pt.error_fh += e.at("error_fh").at(kOrder).get<double>();
      pt.count += 1;
      pt.runs.push_back(&r);
    }
    std::vector<double> hs, errors;
    std::string used, left;
    for (auto& [h, pt] : by_h) {
      const double et = pt.error_true / pt.count, ei = pt.error_floor / pt.count, ef = pt.error_fh / pt.count;
      const bool in_fit = ef >= 5 * ei;
      if (in_fit) {
        hs.push_back(h);
        errors.push_back(et);
        used += (used.empty() ? "" : ", ") + fmt(h);
      } else {
        left += (left.empty() ? "" : "; ") + fmt(h) + " (Error(f_h, f) " + fmt(ef) + " < 5 x floor " + fmt(ei) + ")";
      }
      for (const RunSpec* r : pt.runs) {
        const json& e = metrics(*r).at("errors");
        out.add(table, experiment, r, sweep.name, NAN, "error_true", e.at("error_true").get<double>());
        out.add(table, experiment, r, sweep.name, NAN, "error_imde", e.at("error_imde").at(kOrder).get<double>());
        out.add(table, experiment, r, sweep.name, NAN, "error_fh", e.at("error_fh").at(kOrder).get<double>());
        out.add(table, experiment, r, sweep.name, NAN, "error_floor", learning_floor(e));
        out.add(table, experiment, r, sweep.name, NAN, "in_fit", in_fit ? 1 : 0);
      }
    }
    const int p = order_of(method);
    const std::string label = sweep.system + ", " + sweep.name + ", " + method;
    out.notes.push_back(experiment + " " + label + ": fitted over h = " + (used.empty() ? "none" : used) +
                        (left.empty() ? "" : "; left out: " + left));
    const std::string series = experiment + "/" + sweep.name + "/" + method;
    if (hs.size() >= sweep.fit_points) {
      const double slope = log_log_slope(hs, errors);
      out.add("fits", "fits", nullptr, series, NAN, "slope", slope);
      out.add("fits", "fits", nullptr, series, NAN, "expected", p);
      out.conclude(experiment, label + ": Error(f_theta, f) grows like h^" + std::to_string(p) + " (slope within 0.3)",
                   "slope " + fmt(slope) + " over " + std::to_string(hs.size()) + " values of h",
                   std::abs(slope - p) <= 0.3);
    } else {
      out.conclude(experiment, label + ": Error(f_theta, f) grows like h^" + std::to_string(p) + " (slope within 0.3)",
                   "only " + std::to_string(hs.size()) + " values of h above 5x the learning floor (" +
                       std::to_string(sweep.fit_points) + " needed)",
                   false);
    }
    const Point& largest = by_h.rbegin()->second;
    const double et = largest.error_true / largest.count, ei = largest.error_floor / largest.count;
    out.conclude(experiment,
                 label + ": at the largest h (" + fmt(by_h.rbegin()->first) + ") Error(f_theta, f_h^[" + std::to_string(kFloorOrder) +
                     "]) is 5x below Error(f_theta, f)",
                 fmt(ei) + " vs " + fmt(et) + " (" + fmt(et / ei) + "x)", ei * 5 <= et);
  }
}

Sweep t_sweep(const std::string& system, const std::vector<double>& Ts) {
  Sweep s{"T-sweep", system, {}};
  for (double T : Ts) s.settings.emplace_back(T, 1);
  return s;
}

Sweep s_sweep(const Preset& p) {
  Sweep s{"S-sweep", "pendulum", {}, p.s_sweep_fit_points};
  for (int S : p.s_sweep) s.settings.emplace_back(p.s_sweep_T, S);
  return s;
}

Experiment figure2(const Preset& p) {
  const std::vector<std::string> methods{"euler", "midpoint"};
  const Sweep ts = t_sweep("pendulum", p.t_sweep), ss = s_sweep(p);
  // Midpoint's errors are closest to the learning floor (at small h in the S sweep, and against
  // the floor that grows with T in the T sweep): its runs train longer.
  std::vector<RunSpec> t_runs = sweep_runs(ts, methods, p, {"midpoint"}), s_runs = sweep_runs(ss, methods, p, {"midpoint"});
  Experiment e{"figure2", "Figure 2: errors against the step", t_runs, {"errors"}, nullptr};
  e.runs.insert(e.runs.end(), s_runs.begin(), s_runs.end());
  e.report = [=](const MetricsOf& m, Findings& out) {
    report_sweep("figure2", "figure2", ts, methods, t_runs, m, out);
    report_sweep("figure2", "figure2", ss, methods, s_runs, m, out);
  };
  return e;
}

Experiment ext_system(const Preset& p) {
  const std::vector<std::string> methods{"euler", "midpoint"};
  // The Lotka–Volterra system over the paper's T values: smooth, polynomial, outside the paper,
  // with IMDE terms well above the learning floor over the sweep. (van der Pol and Kepler on
  // their catalogue domains have regions where the IMDE series truncated after h^3 is far from
  // the field a network learns, and the undamped Duffing oscillator's midpoint h^2 term is
  // within 5x of the floor.)
  const Sweep ts = t_sweep("lotka-volterra", p.system_t_sweep);
  const std::vector<RunSpec> runs = sweep_runs(ts, methods, p, {"midpoint"});
  return Experiment{"ext-system", "Beyond the paper: Figure 2's T sweep on the Lotka-Volterra system", runs,
                    {"errors"}, [=](const MetricsOf& m, Findings& out) {
                      report_sweep("ext-system", "ext_system", ts, methods, runs, m, out);
                    }};
}

// ---- Figures 1 and 3: trajectories -------------------------------------------------------
/// mean over the samples of |a(t) − b(t)| (Euclidean in the state).
double mean_distance(const json& a, const json& b) {
  double sum = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    double d2 = 0;
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      const double d = a[k][i].get<double>() - b[k][i].get<double>();
      d2 += d * d;
    }
    sum += std::sqrt(d2);
  }
  return sum / double(a.size());
}

Experiment figure1(const Preset& p) {
  struct Setting {
    std::string system, method;
    double T;
    int S;
    bool coarse;  ///< a setting whose learned trajectory must follow the IMDE's
  };
  const std::vector<Setting> settings{
      {"pendulum", "euler", 0.04, 2, true},          {"pendulum", "euler", 0.04, 12, false},
      {"pendulum", "midpoint", 0.04, 2, false},      {"cubic-oscillator", "euler", 0.02, 2, true},
      {"cubic-oscillator", "euler", 0.02, 12, false}, {"cubic-oscillator", "midpoint", 0.02, 2, false},
      {"lorenz", "midpoint", 0.04, 2, true},         {"lorenz", "midpoint", 0.04, 12, false},
      {"lorenz", "rk4", 0.04, 2, false}};
  std::vector<RunSpec> runs;
  for (const Setting& s : settings) runs.push_back(make_run(s.system, s.method, s.T, s.S, 0, p.training));
  Experiment e{"figure1", "Figure 1: trajectories of the true, IMDE and learned fields", runs, {}, nullptr};
  std::set<std::string> keys;
  for (const RunSpec& r : runs) keys.insert(analysis_key("trajectory", ode::system(r.system).t_end));
  e.analyses.assign(keys.begin(), keys.end());
  e.report = [=](const MetricsOf& m, Findings& out) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const RunSpec& r = runs[i];
      const json& tr = m(r).at(analysis_key("trajectory", ode::system(r.system).t_end));
      const double every = tr.at("every");
      const std::string name = tr.at("names").at(0);
      for (const char* field : {"true", "imde", "learned"}) {
        const json& ys = tr.at(field);
        for (std::size_t k = 0; k < ys.size(); ++k)
          out.add("figure1", "figure1", &r, field, double(k) * every, name, ys[k][0].get<double>());
      }
      if (!settings[i].coarse) continue;
      const double to_imde = mean_distance(tr.at("learned"), tr.at("imde")),
                   to_true = mean_distance(tr.at("learned"), tr.at("true"));
      out.conclude("figure1",
                   r.system + ", " + r.method + " S = " + std::to_string(r.steps) +
                       ": the learned trajectory follows the IMDE's, not the true one",
                   "mean distance to IMDE " + fmt(to_imde) + ", to true " + fmt(to_true), to_imde < to_true);
    }
  };
  return e;
}

Experiment figure3(const Preset& p) {
  // The models of Figure 2's S sweep.
  const std::vector<RunSpec> runs{make_run("pendulum", "euler", p.s_sweep_T, 6, 0, p.training),
                                  make_run("pendulum", "midpoint", p.s_sweep_T, 1, 0, p.fine)};
  const std::string key = analysis_key("trajectory", 5);
  return Experiment{
      "figure3", "Figure 3: phase portraits and energy of the pendulum", runs, {key},
      [=](const MetricsOf& m, Findings& out) {
        for (const RunSpec& r : runs) {
          const json& tr = m(r).at(key);
          const double every = tr.at("every");
          std::map<std::string, double> drift;
          for (const char* field : {"true", "imde", "learned"}) {
            const json& ys = tr.at(field);
            const json& energy = tr.at(std::string(field) + "_energy");
            for (std::size_t k = 0; k < ys.size(); ++k) {
              out.add("figure3", "figure3", &r, field, double(k) * every, "p", ys[k][0].get<double>());
              out.add("figure3", "figure3", &r, field, double(k) * every, "q", ys[k][1].get<double>());
              out.add("figure3", "figure3", &r, field, double(k) * every, "energy", energy[k].get<double>());
            }
            drift[field] = energy.back().get<double>() - energy.front().get<double>();
          }
          const double l = drift["learned"], i = drift["imde"], t = drift["true"];
          out.conclude("figure3",
                       "pendulum, " + r.method + " S = " + std::to_string(r.steps) +
                           ": the learned field's energy drift over [0, 5] follows its IMDE's (same sign, within 2x) "
                           "and exceeds 10x the true field's",
                       "drift learned " + fmt(l) + ", IMDE " + fmt(i) + ", true " + fmt(t),
                       l * i > 0 && std::abs(l) <= 2 * std::abs(i) && std::abs(i) <= 2 * std::abs(l) &&
                           std::abs(l) > 10 * std::abs(t));
        }
      }};
}

// ---- beyond the paper --------------------------------------------------------------------
Experiment ext_order(const Preset& p) {
  // Steps large enough that the first IMDE term (h^3, h^4) stands above the learning floor.
  const std::vector<RunSpec> runs{make_run("pendulum", "kutta3", 0.16, 1, 0, p.fine),
                                  make_run("pendulum", "rk4", 0.2, 1, 0, p.fine)};
  return Experiment{"ext-order", "Beyond the paper: higher orders, Error(f_theta, f_h^[N]) for N = 0..4", runs,
                    {"errors"}, [=](const MetricsOf& m, Findings& out) {
                      for (const RunSpec& r : runs) {
                        const json& e = m(r).at("errors");
                        const std::vector<double> err = e.at("error_imde").get<std::vector<double>>();
                        for (std::size_t n = 0; n < err.size(); ++n)
                          out.add("ext_order", "ext-order", &r, r.method, double(n), "error_imde_N", err[n]);
                        out.add("ext_order", "ext-order", &r, r.method, NAN, "error_true", e.at("error_true"));
                        const double floor = *std::min_element(err.begin(), err.end());
                        out.add("ext_order", "ext-order", &r, r.method, NAN, "floor", floor);
                        // As in Figure 2's fits: the claim is tested where the method's first IMDE term,
                        // Error(f_h^[p], f), stands 5x above the learning floor Error(f_theta, f_h^[4]).
                        const int order = order_of(r.method);
                        const double first = e.at("error_fh").at(std::min<std::size_t>(order, err.size() - 1));
                        std::string measured;
                        for (double v : err) measured += (measured.empty() ? "" : ", ") + fmt(v);
                        if (first < 5 * err.back()) {
                          out.notes.push_back("ext-order: " + r.method + " at h = " + fmt(r.h()) +
                                              ": its first IMDE term (Error(f_h, f) " + fmt(first) +
                                              ") is below 5x the learning floor " + fmt(err.back()) +
                                              ": not tested (N = 0..4: " + measured + ")");
                          continue;
                        }
                        bool falling = true;
                        for (std::size_t n = 1; n < err.size(); ++n) falling = falling && err[n] <= err[n - 1] * 1.05;
                        out.conclude("ext-order",
                                     r.method + " (order " + std::to_string(order) + "), h = " + fmt(r.h()) +
                                         ": Error(f_theta, f_h^[N]) falls with N to the learning floor, 5x below "
                                         "Error(f_theta, f)",
                                     "N = 0..4: " + measured, falling && err.back() * 5 <= err.front());
                      }
                    }};
}

Experiment ext_symplectic(const Preset& p) {
  // A step large enough that rk4's O(h^4) departure from a Hamiltonian field stands above the
  // learning noise.
  constexpr double kT = 0.24;
  const std::vector<std::string> methods{"implicit-midpoint", "euler", "midpoint", "rk4"};
  std::vector<RunSpec> runs;
  for (const std::string& m : methods) runs.push_back(make_run("pendulum", m, kT, 1, 0, p.fine));
  return Experiment{
      "ext-symplectic", "Beyond the paper: a symplectic method learns a conserving field", runs,
      {"rollout", "divergence"}, [=](const MetricsOf& m, Findings& out) {
        std::map<std::string, double> drift, worst, div_l, div_i;
        for (const RunSpec& r : runs) {
          const json& ro = m(r).at("rollout");
          const json& dv = m(r).at("divergence");
          const std::vector<double> t = ro.at("t"), e = ro.at("energy_error");
          for (std::size_t k = 0; k < t.size(); k += 5)
            out.add("ext_symplectic", "ext-symplectic", &r, "rollout", t[k], "energy_error", e[k]);
          drift[r.method] = ro.at("drift_rate");
          worst[r.method] = *std::max_element(e.begin(), e.end());
          if (t.back() < 1000) worst[r.method] = INFINITY;
          div_l[r.method] = dv.at("div_learned");
          div_i[r.method] = dv.at("div_imde");
          out.add("ext_symplectic", "ext-symplectic", &r, r.method, NAN, "drift_rate", drift[r.method]);
          out.add("ext_symplectic", "ext-symplectic", &r, r.method, NAN, "max_energy_error", worst[r.method]);
          out.add("ext_symplectic", "ext-symplectic", &r, r.method, NAN, "div_learned", div_l[r.method]);
          out.add("ext_symplectic", "ext-symplectic", &r, r.method, NAN, "div_imde", div_i[r.method]);
        }
        // The symplectic model's own drift is learning noise (its IMDE's divergence is zero to
        // rounding); a non-symplectic method is compared where its IMDE's divergence stands 5x
        // above that noise.
        const std::string s = methods[0];
        std::map<std::string, double> reach;  // first time the energy error exceeds 0.5
        for (const RunSpec& r : runs) {
          const json& ro = m(r).at("rollout");
          const std::vector<double> t = ro.at("t"), e = ro.at("energy_error");
          reach[r.method] = INFINITY;
          for (std::size_t k = 0; k < t.size(); ++k)
            if (e[k] > 0.5) {
              reach[r.method] = t[k];
              break;
            }
          out.add("ext_symplectic", "ext-symplectic", &r, r.method, NAN, "time_to_0.5", reach[r.method]);
        }
        for (std::size_t i = 1; i < methods.size(); ++i) {
          const std::string& o = methods[i];
          const std::string measured_div = s + " " + fmt(div_l[s]) + ", " + o + " " + fmt(div_l[o]) +
                                           " (its IMDE to h^4: " + fmt(div_i[o]) + ")";
          if (div_i[o] < 5 * div_l[s]) {
            out.notes.push_back("ext-symplectic: " + o + "'s IMDE to h^4 has mean |div| " + fmt(div_i[o]) +
                                ", below 5x the learning noise " + fmt(div_l[s]) + ": not compared (" + measured_div +
                                "; energy error reaches 0.5 at t = " + fmt(reach[o]) + " against " + fmt(reach[s]) + ")");
            continue;
          }
          out.conclude("ext-symplectic",
                       "the learned flow's energy error grows 5x more slowly for " + s + " than for " + o +
                           " (time until it exceeds 0.5, rollouts to t = 1000)",
                       s + " t = " + fmt(reach[s]) + " (drift rate " + fmt(drift[s]) + "/unit time), " + o + " t = " +
                           fmt(reach[o]),
                       reach[s] >= 5 * reach[o]);
          out.conclude("ext-symplectic", "mean |div f_theta| near zero for " + s + ", 10x larger for " + o,
                       measured_div, div_l[o] >= 10 * div_l[s]);
          out.conclude("ext-symplectic", o + ": the learned divergence agrees with its IMDE's (within 2x)",
                       "mean |div f_theta| " + fmt(div_l[o]) + ", mean |div f_h| " + fmt(div_i[o]),
                       div_l[o] <= 2 * div_i[o] && div_i[o] <= 2 * div_l[o]);
        }
      }};
}

Experiment ext_hnn(const Preset& p) {
  // The paper's second result from its positive side: a Hamiltonian network (f_θ = J⁻¹∇H_θ)
  // learns the inverse modified Hamiltonian of a symplectic method, and cannot fit the
  // non-Hamiltonian IMDE of any other; the Neural ODE beside it at the same T and method.
  const std::vector<double> Ts{0.08, 0.16, 0.24};
  const std::vector<std::string> methods{"implicit-midpoint", "midpoint", "euler", "rk4"};
  const std::string symplectic = methods[0];
  std::vector<RunSpec> runs;
  for (const std::string& m : methods)
    for (double T : Ts)
      for (const nn::ModelKind kind : {nn::ModelKind::node, nn::ModelKind::hnn})
        runs.push_back(make_run("pendulum", m, T, 1, 0, p.hnn, kind));
  Experiment e{"ext-hnn", "Beyond the paper: Hamiltonian networks learn the inverse modified Hamiltonian", runs, {},
               nullptr};
  auto find = [runs](const std::string& method, double T, nn::ModelKind kind) -> const RunSpec& {
    for (const RunSpec& r : runs)
      if (r.method == method && r.T == T && r.model == kind) return r;
    throw std::logic_error("ext-hnn: no run " + method);
  };
  for (double T : Ts) e.run_analyses[run_id(find(symplectic, T, nn::ModelKind::hnn))] = {"hamiltonian"};
  e.run_analyses[run_id(find(symplectic, Ts.back(), nn::ModelKind::hnn))].push_back("rollout");
  e.report = [=](const MetricsOf& m, Findings& out) {
    auto loss = [&](const RunSpec& r) { return m(r).at("training").at("train_loss").get<double>(); };
    for (const RunSpec& r : runs)
      out.add("ext_hnn", "ext-hnn", &r, std::string(nn::name_of(nn::kModelKindNames, r.model)), r.h(), "train_loss",
              loss(r));
    // The symplectic method: the loss floor, H_θ against H_h^[3] and H, the long rollout.
    std::string ratios;
    double worst_ratio = 0;
    for (double T : Ts) {
      const RunSpec& hnn = find(symplectic, T, nn::ModelKind::hnn);
      const double ratio = loss(hnn) / loss(find(symplectic, T, nn::ModelKind::node));
      worst_ratio = std::max(worst_ratio, ratio);
      ratios += (ratios.empty() ? "" : ", ") + fmt(ratio);
      const json& hm = m(hnn).at("hamiltonian");
      for (const char* q : {"theta_to_h", "theta_to_hh", "hh_to_h"}) out.add("ext_hnn", "ext-hnn", &hnn, "hnn", hnn.h(), q, hm.at(q));
    }
    out.conclude("ext-hnn",
                 "the Hamiltonian network through " + symplectic + " reaches the Neural ODE's loss floor (training loss "
                 "within 3x of the Neural ODE's at every T)",
                 "HNN / Neural ODE loss at T = 0.08, 0.16, 0.24: " + ratios, worst_ratio <= 3);
    const RunSpec& largest = find(symplectic, Ts.back(), nn::ModelKind::hnn);
    const json& hm = m(largest).at("hamiltonian");
    const json& sample = hm.at("sample");
    for (std::size_t i = 0; i < sample.size(); ++i)
      for (std::size_t c = 0; c < sample[i].size(); ++c)
        out.add("ext_hnn", "ext-hnn", &largest, "sample", double(i), hm.at("sample_columns")[c], sample[i][c]);
    const double to_h = hm.at("theta_to_h"), to_hh = hm.at("theta_to_hh");
    out.conclude("ext-hnn",
                 symplectic + ", T = " + fmt(Ts.back()) + ": H_theta (up to a constant) is 5x closer to the inverse "
                 "modified Hamiltonian H_h^[3] than to H (mean distance over the test points)",
                 "to H_h " + fmt(to_hh) + ", to H " + fmt(to_h) + " (" + fmt(to_h / to_hh) + "x)", to_hh * 5 <= to_h);
    const json& ro = m(largest).at("rollout");
    const std::vector<double> t = ro.at("t"), energy = ro.at("energy_error"), h_theta = ro.at("h_theta_error");
    for (std::size_t k = 0; k < t.size(); k += 5) {
      out.add("ext_hnn", "ext-hnn", &largest, "rollout", t[k], "energy_error", energy[k]);
      out.add("ext_hnn", "ext-hnn", &largest, "rollout", t[k], "h_theta_error", h_theta[k]);
    }
    const std::size_t half = t.size() / 2;
    const double first = *std::max_element(energy.begin(), energy.begin() + long(half)),
                 second = *std::max_element(energy.begin() + long(half), energy.end()),
                 worst_theta = *std::max_element(h_theta.begin(), h_theta.end());
    out.conclude("ext-hnn",
                 symplectic + ", T = " + fmt(Ts.back()) + ": rolled out to t = 1000, the learned flow keeps H_theta "
                 "(error < 1e-4, the rollout's own rk4 error at step 0.01) and H bounded (error < 0.5, no larger over "
                 "[500, 1000] than 1.5x over [0, 500])",
                 "max |H_theta error| " + fmt(worst_theta) + ", max |H error| " + fmt(first) + " then " + fmt(second) +
                     (t.back() < 1000 ? " (left every bound at t = " + fmt(t.back()) + ")" : ""),
                 t.back() >= 1000 && worst_theta < 1e-4 && std::max(first, second) < 0.5 && second <= 1.5 * first);
    // The other methods: an IMDE that is not Hamiltonian, so a floor that grows with h.
    for (std::size_t i = 1; i < methods.size(); ++i) {
      const std::string& method = methods[i];
      const int p_order = order_of(method);
      std::vector<double> hs, losses;
      for (double T : Ts) {
        hs.push_back(T);
        losses.push_back(loss(find(method, T, nn::ModelKind::hnn)));
      }
      const double slope = log_log_slope(hs, losses);
      out.add("fits", "fits", nullptr, "ext-hnn/" + method, NAN, "slope", slope);
      out.add("fits", "fits", nullptr, "ext-hnn/" + method, NAN, "expected", 2 * p_order + 2);
      const double hnn_loss = losses.back(), node_loss = loss(find(method, Ts.back(), nn::ModelKind::node)),
                   floor = loss(find(symplectic, Ts.back(), nn::ModelKind::node));
      const std::string measured = "HNN loss at T = 0.08, 0.16, 0.24: " + fmt(losses[0]) + ", " + fmt(losses[1]) + ", " +
                                   fmt(losses[2]) + " (slope " + fmt(slope) + "); Neural ODE " + fmt(node_loss) +
                                   ", floor (" + symplectic + " Neural ODE) " + fmt(floor);
      if (hnn_loss < 5 * node_loss) {  // its IMDE's non-Hamiltonian part is below the learning floor
        out.notes.push_back("ext-hnn: " + method + ": the HNN's loss is within 5x of the Neural ODE's, its IMDE's "
                            "departure from a Hamiltonian field is below the learning floor: not tested (" + measured + ")");
        continue;
      }
      // As h → 0 the floor is (h × the IMDE's non-Hamiltonian part, O(h^p))², O(h^(2p+2)); at
      // these steps the higher terms still bend it, so the claim asks only that it grow
      // faster than h².
      out.conclude("ext-hnn",
                   method + ": the HNN cannot fit (its IMDE is not Hamiltonian): its loss stalls at a floor that grows "
                            "with h faster than h^2 (h^" + std::to_string(2 * p_order + 2) +
                       " as h -> 0) and is 10x the Neural ODE's at T = " + fmt(Ts.back()) +
                       ", while the Neural ODE stays within 5x of the floor",
                   measured, slope >= 2 && hnn_loss >= 10 * node_loss && node_loss <= 5 * floor);
    }
  };
  return e;
}

Experiment ext_correct(const Preset& p) {
  const Sweep ts = t_sweep("pendulum", p.t_sweep);
  const std::vector<RunSpec> runs = sweep_runs(ts, {"euler"}, p);
  return Experiment{
      "ext-correct", "Beyond the paper: the learned field corrected by the modified equation", runs,
      {"errors", "correction"}, [=](const MetricsOf& m, Findings& out) {
        double largest = 0, et = 0, ec = 0;
        for (const RunSpec& r : runs) {
          const json& c = m(r).at("correction").at("error_corrected");
          const double e = m(r).at("errors").at("error_true");
          out.add("ext_correct", "ext-correct", &r, ts.name, NAN, "error_true", e);
          for (std::size_t n = 1; n < c.size(); ++n)
            out.add("ext_correct", "ext-correct", &r, ts.name, NAN, "error_corrected_" + std::to_string(n), c[n]);
          if (r.T > largest) largest = r.T, et = 0, ec = 0;
          if (r.T == largest) et += e, ec += c.back().get<double>();
        }
        out.conclude("ext-correct",
                     "euler, largest T (" + fmt(largest) + "): the correction to h^3 recovers f 10x better than f_theta",
                     "corrected " + fmt(ec / p.seeds) + " vs uncorrected " + fmt(et / p.seeds), ec * 10 <= et);
      }};
}

Experiment ext_certify(const std::vector<Experiment>& others) {
  // Every Neural ODE of the reproduction, once (a Hamiltonian network through a non-symplectic
  // method fits neither its solver nor an ODE: ext-hnn is about those).
  std::vector<RunSpec> runs;
  std::set<std::string> seen;
  for (const Experiment& e : others)
    for (const RunSpec& r : e.runs)
      if (r.model == nn::ModelKind::node && seen.insert(run_id(r)).second) runs.push_back(r);
  return Experiment{
      "ext-certify", "Beyond the paper: which learned fields are ODEs and which only fit their solver", runs,
      {"certify", "errors"}, [=](const MetricsOf& m, Findings& out) {
        int flagged = 0, measurable = 0, measurable_flagged = 0;
        for (const RunSpec& r : runs) {
          const json& c = m(r).at("certify");
          const bool fits_solver = c.at("fits_solver").get<bool>();
          out.add("ext_certify", "ext-certify", &r, r.method, NAN, "train_loss", c.at("train_loss"));
          out.add("ext_certify", "ext-certify", &r, r.method, NAN, "accurate_loss", c.at("accurate_loss"));
          out.add("ext_certify", "ext-certify", &r, r.method, NAN, "fits_solver", fits_solver);
          flagged += fits_solver;
          // Where the IMDE departs from f by 5x the learning floor, the learned field is not f's.
          const json& e = m(r).at("errors");
          if (e.at("error_fh").at(3).get<double>() >= 5 * learning_floor(e)) {
            ++measurable;
            measurable_flagged += fits_solver;
          }
        }
        out.notes.push_back("ext-certify: " + std::to_string(flagged) + " of " + std::to_string(runs.size()) +
                            " models fit their solver rather than an ODE (accurate loss > 10x training loss)");
        out.conclude("ext-certify",
                     "every model whose training method's IMDE departs from f by 5x its learning floor fits its "
                     "solver, not an ODE (finer-solver loss > 10x training loss)",
                     std::to_string(measurable_flagged) + " of " + std::to_string(measurable) + " such models flagged",
                     measurable > 0 && measurable_flagged == measurable);
      }};
}

Experiment ext_gradients() {
  return Experiment{
      "ext-gradients", "Beyond the paper: backsolve-adjoint against discretize-then-optimize gradients", {}, {},
      [](const MetricsOf&, Findings& out) {
        // The study of `nimde gradients`: a 2-16-16-2 tanh network on 64 pendulum points, T = 0.1.
        constexpr double kT = 0.1;
        for (const std::string method : {"euler", "midpoint", "rk4"}) {
          const ode::Method m = ode::method(method);
          std::vector<double> hs, distance;
          double worst_fd = 0;
          for (const nn::GradientStudyRow& g : nn::gradient_study(ode::system("pendulum"), m, kT, {1, 2, 4, 8}, 16, 64, 0)) {
            const double h = kT / g.steps;
            hs.push_back(h);
            distance.push_back(g.adjoint_vs_dto);
            worst_fd = std::max(worst_fd, g.dto_vs_fd);
            for (const auto& [q, v] : std::vector<std::pair<std::string, double>>{
                     {"adjoint_vs_dto", g.adjoint_vs_dto}, {"dto_vs_fd", g.dto_vs_fd}, {"cosine", g.cosine}}) {
              TableRow& row = out.add("ext_gradients", "ext-gradients", nullptr, method, NAN, q, v);
              row.system = "pendulum", row.method = method, row.T = kT, row.S = g.steps, row.h = h;
            }
          }
          const double slope = log_log_slope(hs, distance);
          const int p = m.order();
          out.add("fits", "fits", nullptr, "ext-gradients/" + method, NAN, "slope", slope);
          out.add("fits", "fits", nullptr, "ext-gradients/" + method, NAN, "expected", p);
          out.conclude("ext-gradients",
                       method + ": the adjoint gradient differs from the exact gradient of the discrete loss by "
                                "O(h^" + std::to_string(p) + ") (fitted order within 0.3; backpropagation checked by "
                                "finite differences to 1e-6)",
                       "order " + fmt(slope) + ", backpropagation vs finite differences " + fmt(worst_fd),
                       std::abs(slope - p) <= 0.3 && worst_fd < 1e-6);
        }
      }};
}

}  // namespace

std::vector<Experiment> paper_experiments(const Preset& p) {
  std::vector<Experiment> all;
  for (const std::string& name : p.experiments) {
    if (name == "figure1") all.push_back(figure1(p));
    else if (name == "figure2") all.push_back(figure2(p));
    else if (name == "figure3") all.push_back(figure3(p));
    else if (name == "ext-order") all.push_back(ext_order(p));
    else if (name == "ext-symplectic") all.push_back(ext_symplectic(p));
    else if (name == "ext-correct") all.push_back(ext_correct(p));
    else if (name == "ext-gradients") all.push_back(ext_gradients());
    else if (name == "ext-system") all.push_back(ext_system(p));
    else if (name == "ext-hnn") all.push_back(ext_hnn(p));
  }
  if (std::find(p.experiments.begin(), p.experiments.end(), "ext-certify") != p.experiments.end())
    all.push_back(ext_certify(all));
  return all;
}

}  // namespace nimde::experiments
