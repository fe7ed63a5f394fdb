// `nimde imde ...`: the fields of backward error analysis of a Runge–Kutta method.
//   nimde imde coefficients (--method M | --tableau FILE) --order N [--kind inverse|modified]
//                           [--format text|json|latex]
//   nimde imde eval (--system NAME | --field EXPR [--param a=1] | --model FILE) (--method M | --tableau FILE)
//                   --h H --order N (--at "v1,v2" | --points FILE.csv) [--kind inverse|modified]
//                   [--format csv|json]
// `eval` prints f_h^[N](y) = Σ_{|τ| ≤ N+1} h^(|τ|−1) c(τ)/σ(τ) F(τ)(y) at each point, one row per
// point, columns named by the variables. A model brings its own method and h = T/S as defaults.
//   nimde imde hamiltonian ...  (cmd_imde_hamiltonian.cpp): the inverse modified Hamiltonian H_h^[N]
//                   of a symplectic method, H_h^[N] at each point.
// The options that name the field, method, h, order and points are shared (imde_inputs.hpp).
// Further `imde` subcommands attach to the same parent in add_imde.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "experiments/commands.hpp"
#include "experiments/imde_inputs.hpp"
#include "experiments/options.hpp"
#include "experiments/output.hpp"
#include "experiments/user_tableau.hpp"
#include "imde/bseries.hpp"
#include "imde/series_field.hpp"
#include "imde/series_format.hpp"
#include "ode/tableau.hpp"

namespace nimde::experiments {

namespace {

struct CoefficientsOptions {
  std::string method;
  std::string tableau_file;
  int order = 0;
  std::string kind = "inverse";
  std::string format = "text";
  bool allow_inconsistent = false;
};

void run_coefficients(const CoefficientsOptions& o) {
  if (o.method.empty() == o.tableau_file.empty()) {
    throw std::invalid_argument("imde coefficients: give exactly one of --method NAME or --tableau FILE");
  }
  const imde::SeriesKind kind = imde::parse_series_kind(o.kind);
  const imde::SeriesFormat format = imde::parse_series_format(o.format);
  ode::Tableau tableau =
      o.method.empty() ? load_user_tableau(o.tableau_file, o.allow_inconsistent) : ode::rk_tableau(o.method);
  if (tableau.order == 0) tableau.order = imde::method_order(tableau);

  const imde::FieldSeries series = imde::field_series(tableau, kind, o.order);
  if (format == imde::SeriesFormat::json) {
    std::cout << imde::to_json(series).dump(2) << "\n";
  } else {
    std::cout << "# method " << series.method << ", order " << series.method_order << "\n"
              << imde::format_series(series, format);
  }
}

void add_coefficients(CLI::App& imde) {
  auto options = std::make_shared<CoefficientsOptions>();
  CLI::App* cmd = imde.add_subcommand("coefficients", "Print the IMDE or modified equation of a method as a B-series");
  auto* method = cmd->add_option("--method", options->method, "A Runge-Kutta method of the catalogue (rk4, euler, ...)");
  auto* tableau = cmd->add_option("--tableau", options->tableau_file, "A Butcher tableau JSON file");
  method->excludes(tableau);
  add_allow_inconsistent(cmd, options->allow_inconsistent);
  cmd->add_option("--order", options->order, "Truncate after h^N (trees with up to N+1 nodes)")->required();
  cmd->add_option("--kind", options->kind, "inverse (IMDE) or modified (modified equation)")->capture_default_str();
  cmd->add_option("--format", options->format, "text, json or latex")->capture_default_str();
  cmd->callback([options] { run_coefficients(*options); });
}

// ---- nimde imde eval ------------------------------------------------------------------------

struct EvalOptions {
  ImdeOptions imde;
  std::string kind, format;
};

void run_eval(const EvalOptions& o) {
  const ImdeInputs in = read_imde_inputs(o.imde);
  const ode::Field& base = in.base;
  const autodiff::Tensor<double>& x = in.points;
  const std::size_t n = x.shape()[0];
  std::vector<std::vector<double>> points;
  for (std::size_t i = 0; i < n; ++i)
    points.emplace_back(x.begin() + static_cast<long>(i * base.dim()), x.begin() + static_cast<long>((i + 1) * base.dim()));

  const imde::FieldSeries series = imde::field_series(in.tableau, imde::parse_series_kind(o.kind), in.order);
  const imde::SeriesField fh(series, base, in.h);
  const autodiff::Tensor<double> fx = fh(x);

  Table table{base.names(), {}};
  for (std::size_t i = 0; i < points.size(); ++i)
    table.rows.emplace_back(fx.begin() + static_cast<long>(i * base.dim()), fx.begin() + static_cast<long>((i + 1) * base.dim()));
  for (std::size_t i = 0; i < points.size(); ++i)
    if (!std::all_of(table.rows[i].begin(), table.rows[i].end(), [](double v) { return std::isfinite(v); })) {
      std::cerr << "# warning: the field is not finite at point " << i << " (and perhaps others): the series overflows "
                   "there; a smaller --h or --order may help\n";
      break;
    }
  if (o.format == "csv") {
    write_csv(std::cout, table);
    return;
  }
  nlohmann::json j = to_json(table);
  j["field"] = base.name();
  j["method"] = series.method;
  j["kind"] = imde::to_string(series.kind);
  j["order"] = series.order;
  j["h"] = in.h;
  j["points"] = points;
  std::cout << j.dump(2) << "\n";
}

void add_imde_eval(CLI::App& imde) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = imde.add_subcommand("eval", "Evaluate the truncated IMDE (or modified equation) of a field at points");
  add_imde_options(cmd, o->imde);
  add_choice_option(cmd, "--kind", o->kind, {"inverse", "modified"}, "The IMDE (inverse) or the modified equation");
  add_choice_option(cmd, "--format", o->format, {"csv", "json"}, "Output format");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace

void add_imde(CLI::App& app) {
  CLI::App* imde = app.add_subcommand("imde", "Inverse modified equations (IMDE) and modified equations of methods");
  imde->require_subcommand(1);
  add_coefficients(*imde);
  add_imde_eval(*imde);
  add_imde_hamiltonian(*imde);
}

}  // namespace nimde::experiments
