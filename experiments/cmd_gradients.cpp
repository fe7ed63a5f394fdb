// `nimde gradients`: the discretize-then-optimize vs backsolve-adjoint study. For each step
// count S it compares both gradients of the paper's loss (S steps of size T/S against the
// accurate flow over T) with central differences and with each other, in double.
#include <cmath>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "nn/gradients.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"
#include "ode/systems.hpp"

namespace nimde::experiments {
namespace {

struct GradientOptions {
  SystemOptions system;
  std::string method = "rk4", steps = "1,2,4,8", format;
  double T = 0.1;
  long long width = 16, points = 64;  // signed, so that -1 is refused rather than wrapped
  std::uint64_t seed = 0;
};

void run_gradients(const GradientOptions& o) {
  ode::require(o.T > 0 && std::isfinite(o.T), "--T", o.T, "must be positive");
  ode::require_range<long long>("--width", o.width, 1, nn::kMaxWidth);
  ode::require_range<long long>("--points", o.points, 1, nn::kMaxPoints);
  if (!o.system.field.empty() && o.system.domain.empty())
    throw std::invalid_argument("--field needs --domain \"lo1:hi1,lo2:hi2,...\"");
  const ode::System sys = make_system(o.system);
  std::vector<int> steps;
  for (double s : ode::parse_doubles(o.steps, "--steps")) {
    ode::require(s >= 1 && s <= double(nn::kMaxSteps) && s == std::floor(s), "--steps entry", s,
                 "must be an integer from 1 to " + std::to_string(nn::kMaxSteps));
    steps.push_back(static_cast<int>(s));
  }
  const ode::Method m = ode::method(o.method);
  auto number = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  nlohmann::json rows = nlohmann::json::array();
  for (const nn::GradientStudyRow& r : nn::gradient_study(sys, m, o.T, steps, std::size_t(o.width), std::size_t(o.points), o.seed))
    rows.push_back({{"steps", r.steps},
                    {"loss", r.loss},
                    {"dto_vs_fd", r.dto_vs_fd},
                    {"adjoint_vs_fd", number(r.adjoint_vs_fd)},
                    {"adjoint_vs_dto", number(r.adjoint_vs_dto)},
                    {"cosine", number(r.cosine)}});
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
