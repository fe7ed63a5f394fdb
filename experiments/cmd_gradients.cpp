// `nimde gradients`: the discretize-then-optimize vs backsolve-adjoint study. For each step
// count S it compares both gradients of the paper's loss (S steps of size T/S against the
// accurate flow over T) with central differences and with each other, in double.
#include <iomanip>
#include <iostream>
#include <random>

#include <nlohmann/json.hpp>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "nn/mlp.hpp"
#include "ode/parse_numbers.hpp"
#include "ode/systems.hpp"

namespace nimde::experiments {
namespace {

struct GradientOptions {
  SystemOptions system;
  std::string method = "rk4", steps = "1,2,4,8", format;
  double T = 0.1;
  std::size_t width = 16, points = 64;
  std::uint64_t seed = 0;
};

void run_gradients(const GradientOptions& o) {
  if (!(o.T > 0)) throw std::invalid_argument("--T must be positive, got " + std::to_string(o.T));
  if (!o.system.field.empty() && o.system.domain.empty())
    throw std::invalid_argument("--field needs --domain \"lo1:hi1,lo2:hi2,...\"");
  const ode::System sys = make_system(o.system);
  std::vector<int> steps;
  for (double s : ode::parse_doubles(o.steps, "--steps")) {
    if (s < 1 || s != std::floor(s)) throw std::invalid_argument("--steps entry " + std::to_string(s) + " is not a positive integer");
    steps.push_back(static_cast<int>(s));
  }
  const ode::Method m = ode::method(o.method);
  const std::size_t d = sys.dim();

  auto net = std::make_shared<nn::MlpParams>(nn::make_mlp(d, o.width, 2, autodiff::Activation::tanh, nn::Init::orthogonal, o.seed));
  const nn::ParametricField f = nn::parametric_field(nn::MlpField(net), "mlp", sys.field.names());
  std::mt19937_64 rng(o.seed + 1);
  autodiff::Tensor<double> x = autodiff::zeros<double>(o.points, d);
  for (std::size_t i = 0; i < o.points; ++i)
    for (std::size_t k = 0; k < d; ++k)
      x(i, k) = std::uniform_real_distribution<double>(sys.domain[k].first, sys.domain[k].second)(rng);
  const autodiff::Array<double> xa(x);
  const autodiff::Array<double> target = ode::integrate(ode::method("rk4"), sys.field, xa, o.T / 100, 100);

  nlohmann::json rows = nlohmann::json::array();
  for (int S : steps) {
    const nn::Gradient fd = nn::finite_difference_gradient(m, f, xa, target, o.T, S);
    const nn::Gradient dto = nn::dto_gradient(m, f, xa, target, o.T, S);
    nlohmann::json row{{"steps", S}, {"loss", dto.loss}, {"dto_vs_fd", nn::relative_difference(dto, fd)}};
    if (m.is_partitioned()) {
      row["adjoint_vs_fd"] = row["adjoint_vs_dto"] = row["cosine"] = nullptr;
    } else {
      const nn::Gradient adj = nn::adjoint_gradient(m, f, xa, target, o.T, S);
      row["adjoint_vs_fd"] = nn::relative_difference(adj, fd);
      row["adjoint_vs_dto"] = nn::relative_difference(adj, dto);
      row["cosine"] = nn::cosine(adj, dto);
    }
    rows.push_back(row);
  }
  if (o.format == "json") {
    std::cout << nlohmann::json{{"method", m.name()}, {"system", sys.name}, {"T", o.T}, {"width", o.width},
                                {"points", o.points}, {"seed", o.seed}, {"rows", rows}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "# " << m.name() << " on " << sys.name << ", T = " << o.T << ", " << o.points << " points, 2 x " << o.width
            << " tanh network, seed " << o.seed << " (relative differences of gradients)\n";
  std::cout << std::setw(6) << "S" << std::setw(14) << "loss" << std::setw(14) << "dto_vs_fd" << std::setw(15)
            << "adjoint_vs_fd" << std::setw(16) << "adjoint_vs_dto" << std::setw(20) << "cosine\n";
  auto cell = [](const nlohmann::json& v, int w, int precision) {
    std::ostringstream s;
    if (v.is_null())
      s << std::setw(w) << "n/a";
    else
      s << std::setw(w) << std::setprecision(precision) << v.get<double>();
    return s.str();
  };
  for (const auto& r : rows)
    std::cout << std::setw(6) << r["steps"].get<int>() << cell(r["loss"], 14, 4) << cell(r["dto_vs_fd"], 14, 3)
              << cell(r["adjoint_vs_fd"], 15, 3) << cell(r["adjoint_vs_dto"], 16, 3) << cell(r["cosine"], 19, 12) << "\n";
}

}  // namespace

void add_gradients(CLI::App& app) {
  auto o = std::make_shared<GradientOptions>();
  auto* cmd = app.add_subcommand("gradients", "Compare discretize-then-optimize and backsolve-adjoint gradients with finite differences");
  add_system_options(cmd, o->system, true);
  cmd->add_option("--method", o->method, "Integration method")->capture_default_str();
  cmd->add_option("--T", o->T, "Data step T")->capture_default_str();
  cmd->add_option("--steps", o->steps, "Comma-separated step counts S (h = T/S)")->capture_default_str();
  cmd->add_option("--width", o->width, "Width of the two hidden tanh layers")->capture_default_str();
  cmd->add_option("--points", o->points, "Number of training points")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the network and the points")->capture_default_str();
  add_choice_option(cmd, "--format", o->format, {"text", "json"}, "Output format");
  cmd->callback([o] { run_gradients(*o); });
}

}  // namespace nimde::experiments
