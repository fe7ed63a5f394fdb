// What the `imde` subcommands that evaluate a series field share: the base field (a system, a
// user expression or a trained network), the Runge–Kutta method, the step h, the order N and the
// points, read from the command line with one-line errors that name the bad value.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "autodiff/tensor.hpp"
#include "experiments/options.hpp"
#include "ode/field.hpp"
#include "ode/systems.hpp"
#include "ode/tableau.hpp"

namespace nimde::experiments {

/// The options, as given.
struct ImdeOptions {
  SystemOptions system;
  std::string model, method, tableau_file, h, points_file;
  std::vector<std::string> at;
  int order = 0;
  bool allow_inconsistent = false;
};

/// Registers --system/--field/--param, --model, --method, --tableau, --allow-inconsistent, --h,
/// --order, --at (repeatable) and --points.
void add_imde_options(CLI::App* cmd, ImdeOptions& o);

/// The options, read and checked.
struct ImdeInputs {
  ode::System system;  ///< the system, the expression, or the system a model was trained on
  ode::Field base;     ///< the field the series is built on: system.field, or the network
  std::string source;  ///< how the base was named: "--system pendulum", "--field ...", "--model FILE"
  ode::Tableau tableau;
  double h = 0;
  int order = 0;
  autodiff::Tensor<double> points;  ///< n × d
};

/// Exactly one field source, one method, h > 0 (a model's own method and h = T/S are the
/// defaults), 0 ≤ N ≤ 8, and points of the field's dimension from --at or --points.
ImdeInputs read_imde_inputs(const ImdeOptions& o);

}  // namespace nimde::experiments
