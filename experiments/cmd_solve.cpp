// `nimde solve`: one trajectory of a system under one method, printed at every output time.
//   nimde solve (--system NAME | --field EXPR [--param a=0.5 ...] | --model FILE) (--method M | --tableau FILE)
//               --h H (--steps N | --t1 T1) --y0 "v1,v2,..." [--substeps K] [--rtol R] [--atol A]
//               [--invariants] [--format csv|json]
// Row n is t = n·H and y(t), n = 0..N. A fixed-step method covers each interval H with K steps
// of size H/K; the adaptive dopri5 and dop853 reach each t to the tolerances rtol, atol.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "experiments/output.hpp"
#include "experiments/user_tableau.hpp"
#include "imde/bseries.hpp"
#include "nn/model_file.hpp"
#include "ode/adaptive.hpp"
#include "ode/method.hpp"
#include "ode/checked_input.hpp"
#include "ode/systems.hpp"

namespace nimde::experiments {
namespace {

/// Rows beyond which output that must be gathered first (JSON, adaptive) is refused.
constexpr long long kMaxGatheredRows = 1'000'000;

struct SolveOptions {
  SystemOptions system;
  std::string model;
  std::string method, tableau_file, y0, h, t1, rtol = "1e-10", atol = "1e-12", format;
  long long steps = 0;
  int substeps = 1;
  bool invariants = false, allow_inconsistent = false;
  CLI::Option *steps_given = nullptr, *substeps_given = nullptr, *rtol_given = nullptr, *atol_given = nullptr;
};

/// The number of output intervals N, from --steps or from --t1 = N·H.
long long output_steps(const SolveOptions& o, double h) {
  const bool by_steps = o.steps_given->count() > 0, by_t1 = !o.t1.empty();
  if (!by_steps && !by_t1) throw std::invalid_argument("give --steps N or --t1 T1");
  if (by_steps && o.steps < 0) throw std::invalid_argument("--steps must be >= 0, got " + std::to_string(o.steps));
  if (!by_t1) return o.steps;
  const double t1 = ode::parse_double(o.t1, "--t1");
  if (t1 < 0) throw std::invalid_argument("--t1 must be >= 0, got '" + o.t1 + "'");
  const double ratio = t1 / h;
  if (ratio > 1e9) throw std::invalid_argument("--t1 " + o.t1 + " is more than 1e9 steps of --h " + o.h);
  const long long n = std::llround(ratio);
  if (std::abs(ratio - static_cast<double>(n)) > 1e-9 * std::max(1.0, ratio))
    throw std::invalid_argument("--t1 " + o.t1 + " is not a multiple of --h " + o.h);
  if (by_steps && o.steps != n)
    throw std::invalid_argument("--steps " + std::to_string(o.steps) + " disagrees with --t1 " + o.t1 + " / --h " + o.h +
                                " = " + std::to_string(n));
  return n;
}

/// A fixed-step method from --method or --tableau; the order of a user tableau goes to stderr.
ode::Method fixed_step_method(const SolveOptions& o) {
  if (!o.tableau_file.empty()) {
    ode::Tableau tableau = load_user_tableau(o.tableau_file, o.allow_inconsistent);
    if (tableau.order == 0) tableau.order = imde::method_order(tableau);
    std::cerr << "# method " << tableau.name << " has order " << tableau.order << "\n";
    return ode::Method(std::move(tableau));
  }
  std::vector<std::string> known = ode::method_names();
  for (const std::string& n : ode::adaptive_method_names()) known.push_back(n);
  if (std::find(known.begin(), known.end(), o.method) == known.end()) {
    std::string list;
    for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown method '" + o.method + "' (known: " + list + ")");
  }
  return ode::method(o.method);
}

void run_solve(const SolveOptions& o) {
  if (!o.model.empty() && (!o.system.system.empty() || !o.system.field.empty()))
    throw std::invalid_argument("give one of --system NAME, --field EXPR and --model FILE");
  const ode::System sys = o.model.empty() ? make_system(o.system) : nn::load_model(o.model).learned_system("model " + o.model);
  if (o.method.empty() == o.tableau_file.empty())
    throw std::invalid_argument("give exactly one of --method NAME and --tableau FILE");
  const double h = parse_positive(o.h, "--h");
  const long long N = output_steps(o, h);

  const std::vector<double> y0 = ode::parse_doubles(o.y0, "--y0");
  if (y0.size() != sys.dim()) {
    std::string names;
    for (const std::string& n : sys.field.names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("--y0 has " + std::to_string(y0.size()) + " values, " +
                                (o.system.field.empty() ? "system " + sys.name : std::string("--field")) + " has dimension " +
                                std::to_string(sys.dim()) + " (" + names + ")");
  }
  if (o.invariants && sys.invariants.empty())
    throw std::invalid_argument("--invariants: " + (o.system.field.empty() ? "system " + sys.name : std::string("--field")) +
                                " has no known invariants");

  const bool adaptive = ode::is_adaptive_method(o.method);
  if (adaptive && o.substeps_given->count() > 0)
    throw std::invalid_argument("--substeps applies to fixed-step methods, not to the adaptive " + o.method);
  if (!adaptive && (o.rtol_given->count() > 0 || o.atol_given->count() > 0))
    throw std::invalid_argument("--rtol and --atol apply to the adaptive dopri5 and dop853, not to " +
                                (o.method.empty() ? o.tableau_file : o.method));
  if (o.substeps < 1) throw std::invalid_argument("--substeps must be >= 1, got " + std::to_string(o.substeps));
  const double rtol = parse_positive(o.rtol, "--rtol"), atol = parse_positive(o.atol, "--atol");

  std::optional<ode::Method> fixed;  // before any row, so that a bad tableau prints nothing
  if (!adaptive) fixed.emplace(fixed_step_method(o));
  const bool csv = o.format == "csv";
  if ((adaptive || !csv) && N > kMaxGatheredRows)
    throw std::invalid_argument("--steps " + std::to_string(N) + ": at most " + std::to_string(kMaxGatheredRows) +
                                " rows " + (adaptive ? "with an adaptive method" : "in --format json") +
                                " (the rows are gathered before printing); --format csv with a fixed-step method "
                                "streams any number");

  Table table;
  table.columns.push_back("t");
  for (const std::string& n : sys.field.names()) table.columns.push_back(n);
  if (o.invariants) {
    for (const ode::Invariant& inv : sys.invariants) {
      std::string column = inv.name;
      for (char& c : column) c = c == ' ' ? '_' : c;
      table.columns.push_back(column);
    }
  }
  // Row n (t = n·H, n = 0..N) is printed as soon as it is computed in CSV, gathered for JSON.
  std::optional<CsvRows> rows;
  if (csv) rows.emplace(std::cout, table.columns);
  bool finite = true;
  auto emit = [&](long long n, const std::vector<double>& x) {
    std::vector<double> row{static_cast<double>(n) * h};
    row.insert(row.end(), x.begin(), x.end());
    if (o.invariants)
      for (const ode::Invariant& inv : sys.invariants) row.push_back(inv.value(x));
    if (finite && !std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); })) {
      finite = false;
      std::cerr << "# warning: the solution is not finite from t = " << round_trip(row[0]) << " on\n";
    }
    if (rows) rows->add(row);
    else table.rows.push_back(std::move(row));
  };

  std::string method_name = o.method;
  emit(0, y0);
  if (adaptive) {
    std::vector<double> times;
    for (long long n = 1; n <= N; ++n) times.push_back(static_cast<double>(n) * h);
    ode::AdaptiveOptions options;
    options.rtol = rtol;
    options.atol = atol;
    if (N > 0) {
      long long n = 1;
      for (const ode::Point<double>& y : ode::integrate_adaptive(o.method, sys.field, ode::Point<double>{y0}, 0.0, times, options))
        emit(n++, y.x);
    }
  } else {
    method_name = fixed->name();
    ode::Point<double> y{y0};
    for (long long n = 1; n <= N; ++n) {
      y = ode::integrate(*fixed, sys.field, y, h / o.substeps, o.substeps);
      emit(n, y.x);
    }
  }
  if (csv) return;

  const std::size_t d = sys.dim();
  nlohmann::ordered_json out{{"system", sys.name}};
  if (!o.system.field.empty()) out["field"] = o.system.field;
  out["method"] = method_name;
  out["h"] = h;
  if (adaptive) {
    out["rtol"] = rtol;
    out["atol"] = atol;
  } else {
    out["substeps"] = o.substeps;
  }
  out["names"] = sys.field.names();
  nlohmann::ordered_json t = nlohmann::ordered_json::array(), y = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    t.push_back(row[0]);
    y.push_back(std::vector<double>(row.begin() + 1, row.begin() + 1 + static_cast<std::ptrdiff_t>(d)));
  }
  out["t"] = std::move(t);
  out["y"] = std::move(y);
  if (o.invariants) {
    nlohmann::ordered_json invariants = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < sys.invariants.size(); ++k) {
      nlohmann::ordered_json values = nlohmann::ordered_json::array();
      for (const auto& row : table.rows) values.push_back(row[1 + d + k]);
      invariants[table.columns[1 + d + k]] = std::move(values);
    }
    out["invariants"] = std::move(invariants);
  }
  std::cout << out.dump(2) << "\n";
}

}  // namespace

void add_solve(CLI::App& app) {
  auto o = std::make_shared<SolveOptions>();
  auto* cmd = app.add_subcommand("solve", "Integrate a system with one method and print t and the state at every step");
  add_system_options(cmd, o->system);
  cmd->add_option("--model", o->model,
                  "A trained model file: integrate its learned field (--invariants: H_theta of a Hamiltonian network, "
                  "then the true system's invariants)");
  cmd->add_option("--method", o->method, "Integration method: a fixed-step method (euler, rk4, sv6, ...) or the adaptive dopri5, dop853");
  cmd->add_option("--tableau", o->tableau_file, "A Butcher tableau JSON file instead of --method (its order is printed to stderr)");
  add_allow_inconsistent(cmd, o->allow_inconsistent);
  cmd->add_option("--h", o->h, "Output interval H > 0: row n is at t = n*H")->type_name("FLOAT")->required();
  o->steps_given = cmd->add_option("--steps", o->steps, "Number N of output intervals (rows n = 0..N)");
  cmd->add_option("--t1", o->t1, "Final time T1, a multiple of H, instead of --steps")->type_name("FLOAT");
  cmd->add_option("--y0", o->y0, "Initial state, comma-separated, one value per variable")->required();
  o->substeps_given = cmd->add_option("--substeps", o->substeps, "Fixed-step methods: K steps of size H/K per output interval")
                          ->capture_default_str();
  o->rtol_given = cmd->add_option("--rtol", o->rtol, "dopri5/dop853: relative tolerance")->type_name("FLOAT")->capture_default_str();
  o->atol_given = cmd->add_option("--atol", o->atol, "dopri5/dop853: absolute tolerance")->type_name("FLOAT")->capture_default_str();
  cmd->add_flag("--invariants", o->invariants, "Add a column per invariant of the system (spaces in names become _)");
  add_choice_option(cmd, "--format", o->format, {"csv", "json"}, "Output format");
  cmd->callback([o] { run_solve(*o); });
}

}  // namespace nimde::experiments
