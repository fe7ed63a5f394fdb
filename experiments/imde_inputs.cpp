#include "experiments/imde_inputs.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "experiments/output.hpp"
#include "experiments/points_file.hpp"
#include "experiments/user_tableau.hpp"
#include "imde/elementary_differentials.hpp"
#include "nn/model_file.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {

void add_imde_options(CLI::App* cmd, ImdeOptions& o) {
  add_system_options(cmd, o.system);
  cmd->add_option("--model", o.model, "A trained model file; its method and h = T/S are the defaults");
  cmd->add_option("--method", o.method, "A Runge-Kutta method of the catalogue (euler, midpoint, rk4, ...)");
  cmd->add_option("--tableau", o.tableau_file, "A Butcher tableau JSON file instead of --method");
  add_allow_inconsistent(cmd, o.allow_inconsistent);
  cmd->add_option("--h", o.h, "Step size h > 0 of the method")->type_name("FLOAT");
  cmd->add_option("--order", o.order, "Truncate after h^N (trees with up to N+1 nodes), N <= 8")->required();
  cmd->add_option("--at", o.at, "A point, comma-separated, one value per variable (repeatable)");
  cmd->add_option("--points", o.points_file, "A CSV file of points, one per line (optional header of variable names)");
}

ImdeInputs read_imde_inputs(const ImdeOptions& o) {
  ImdeInputs in;
  // The base field: a system, a user expression or a trained network.
  const int sources = !o.system.system.empty() + !o.system.field.empty() + !o.model.empty();
  if (sources != 1) throw std::invalid_argument("give exactly one of --system NAME, --field EXPR and --model FILE");
  if (!o.model.empty() && !o.system.params.empty()) throw std::invalid_argument("--param applies only to --field");
  std::string method = o.method, h_text = o.h, method_source = "--method";
  if (o.model.empty()) {
    in.system = make_system(o.system);
    in.base = in.system.field;
    in.source = o.system.system.empty() ? "--field " + ode::shown(o.system.field) : "--system " + o.system.system;
  } else {
    const nn::Model model = nn::load_model(o.model);
    in.system = model.true_system();
    in.base = nn::MlpField(std::make_shared<nn::MlpParams>(model.net)).field("model " + o.model, model.names);
    in.source = "--model " + o.model;
    // The model's own method and step h = T/S unless overridden.
    if (method.empty() && o.tableau_file.empty()) {
      method = model.method;
      method_source = o.model + ": method";
    }
    if (h_text.empty()) h_text = round_trip(model.h());
  }
  // The method: a Runge–Kutta method of the catalogue or a tableau file.
  if (method.empty() == o.tableau_file.empty())
    throw std::invalid_argument("give exactly one of --method NAME and --tableau FILE");
  if (!method.empty()) {
    const std::vector<std::string> rk = ode::rk_method_names();
    if (std::find(rk.begin(), rk.end(), method) == rk.end()) {
      std::string known;
      for (const std::string& n : rk) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument(method_source + " '" + method + "' is not a Runge-Kutta method with a B-series (known: " +
                                  known + ")");
    }
  }
  in.tableau = method.empty() ? load_user_tableau(o.tableau_file, o.allow_inconsistent) : ode::rk_tableau(method);
  if (h_text.empty()) throw std::invalid_argument("give the step size --h H");
  in.h = parse_positive(h_text, "--h");
  if (o.order < 0 || o.order > imde::ElementaryDifferentials::kMaxOrder - 1)
    throw std::invalid_argument("--order " + std::to_string(o.order) + " is out of range 0.." +
                                std::to_string(imde::ElementaryDifferentials::kMaxOrder - 1));
  in.order = o.order;

  // The points.
  if (o.at.empty() == o.points_file.empty())
    throw std::invalid_argument("give exactly one of --at \"v1,v2,...\" (repeatable) and --points FILE.csv");
  const std::size_t d = in.base.dim();
  if (o.points_file.empty()) {
    in.points = autodiff::zeros<double>(o.at.size(), d);
    for (std::size_t i = 0; i < o.at.size(); ++i) {
      const std::vector<double> point = ode::parse_doubles(o.at[i], "--at");
      if (point.size() != d)
        throw std::invalid_argument("--at '" + o.at[i] + "' has " + std::to_string(point.size()) + " values, expected " +
                                    std::to_string(d));
      std::copy(point.begin(), point.end(), in.points.begin() + static_cast<long>(i * d));
    }
  } else {
    in.points = load_points(o.points_file, in.base.names());
  }
  return in;
}

}  // namespace nimde::experiments
