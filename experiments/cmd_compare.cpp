// `nimde compare`: Error(f_θ, f) and Error(f_θ, f_h^[n]) of a trained model, and with
// --correct N the error of the learned field corrected by the method's modified equation.
#include <iomanip>
#include <iostream>

#include "experiments/commands.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"
#include "experiments/options.hpp"
#include "experiments/compare.hpp"

namespace nimde::experiments {
namespace {

struct CompareOptions {
  std::string model, format;
  int order = 3, correct = -1;
  long long test_points = 2000;  // signed, so that -1 is refused rather than wrapped
};

void run_compare(const CompareOptions& o) {
  if (o.order < 0 || o.order > 7) throw std::invalid_argument("--order " + std::to_string(o.order) + " (use 0..7)");
  if (o.correct < -1 || o.correct > 7)
    throw std::invalid_argument("--correct " + std::to_string(o.correct) + " (use 0..7; -1 for none)");
  ode::require_range<long long>("--test-points", o.test_points, 1, nn::kMaxPoints);
  const nn::Model m = nn::load_model(o.model);
  const imde::Comparison c = compare_model(m, o.order, o.correct, std::size_t(o.test_points));
  if (o.format == "json") {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t n = 0; n < c.error_imde.size(); ++n) rows.push_back({{"order", n}, {"error", c.error_imde[n]}});
    nlohmann::json j{{"model", o.model}, {"method", m.method}, {"h", m.h()}, {"points", c.points}, {"error_true", c.error_true}, {"error_imde", rows}};
    if (c.correct_order >= 0) j["corrected"] = {{"order", c.correct_order}, {"error", c.error_corrected}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  if (o.format == "csv") {
    std::cout << "against,order,error\n" << std::setprecision(17) << "f,," << c.error_true << "\n";
    for (std::size_t n = 0; n < c.error_imde.size(); ++n) std::cout << "imde," << n << "," << c.error_imde[n] << "\n";
    if (c.correct_order >= 0) std::cout << "corrected," << c.correct_order << "," << c.error_corrected << "\n";
    return;
  }
  std::cout << "# " << o.model << ": " << m.system << ", " << m.method << ", S = " << m.steps << ", h = " << m.h()
            << ", " << c.points << " test points (mean over points of the max-norm)\n"
            << std::setprecision(4) << std::left;
  const auto row = [](const std::string& label, double value) { std::cout << std::setw(30) << label << value; };
  row("Error(f_theta, f)", c.error_true);
  std::cout << "\n";
  for (std::size_t n = 0; n < c.error_imde.size(); ++n) {
    row("Error(f_theta, f_h^[" + std::to_string(n) + "])", c.error_imde[n]);
    std::cout << "\n";
  }
  if (c.correct_order >= 0) {
    row("Error(corrected f_theta, f)", c.error_corrected);
    std::cout << "   (modified equation to h^" << c.correct_order << ")\n";
  }
}

}  // namespace

void add_compare(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand("compare", "Compare a trained field with the true field and the truncated IMDE");
  cmd->add_option("--model", o->model, "Model file (DIR/model.json)")->required();
  cmd->add_option("--order", o->order, "Compare with f_h^[n] for n = 0..order")->capture_default_str();
  cmd->add_option("--correct", o->correct, "Also correct f_theta by the modified equation to this order");
  cmd->add_option("--test-points", o->test_points, "Test points")->capture_default_str();
  add_choice_option(cmd, "--format", o->format, {"text", "json", "csv"}, "Output format");
  cmd->callback([o] { run_compare(*o); });
}

}  // namespace nimde::experiments
