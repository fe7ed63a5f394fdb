// `nimde imde ...`: the fields of backward error analysis of a Runge–Kutta method.
//   nimde imde coefficients (--method M | --tableau FILE) --order N [--kind inverse|modified]
//                           [--format text|json|latex]
// Further `imde` subcommands attach to the same parent in add_imde.
#include <iostream>
#include <memory>
#include <string>

#include "experiments/commands.hpp"
#include "imde/bseries.hpp"
#include "imde/series_format.hpp"
#include "ode/tableau.hpp"

namespace nimde::cli {

namespace {

struct CoefficientsOptions {
  std::string method;
  std::string tableau_file;
  int order = 0;
  std::string kind = "inverse";
  std::string format = "text";
};

void run_coefficients(const CoefficientsOptions& o) {
  if (o.method.empty() == o.tableau_file.empty()) {
    throw std::invalid_argument("imde coefficients: give exactly one of --method NAME or --tableau FILE");
  }
  const imde::SeriesKind kind = imde::parse_series_kind(o.kind);
  const imde::SeriesFormat format = imde::parse_series_format(o.format);
  ode::Tableau tableau = o.method.empty() ? ode::load_tableau(o.tableau_file) : ode::rk_tableau(o.method);
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
  cmd->add_option("--order", options->order, "Truncate after h^N (trees with up to N+1 nodes)")->required();
  cmd->add_option("--kind", options->kind, "inverse (IMDE) or modified (modified equation)")->capture_default_str();
  cmd->add_option("--format", options->format, "text, json or latex")->capture_default_str();
  cmd->callback([options] { run_coefficients(*options); });
}

}  // namespace

void add_imde(CLI::App& app) {
  CLI::App* imde = app.add_subcommand("imde", "Inverse modified equations (IMDE) and modified equations of methods");
  imde->require_subcommand(1);
  add_coefficients(*imde);
}

}  // namespace nimde::cli
