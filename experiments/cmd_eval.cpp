// `nimde eval`: losses, Error(f_θ, f), and the finer-solver check of a trained model.
#include <iostream>

#include <nlohmann/json.hpp>

#include "experiments/commands.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"
#include "experiments/options.hpp"
#include "nn/dataset.hpp"
#include "nn/evaluate.hpp"

namespace nimde::experiments {
namespace {

struct EvalOptions {
  std::string model, format;
  long long test_points = 0;  // 0: the model's own test set; signed, so that -1 is refused rather than wrapped
  long long seed = -1;  ///< -1: the model's own test set
  CLI::Option* test_points_given = nullptr;
};

void run_eval(const EvalOptions& o) {
  if (o.test_points_given->count() > 0) ode::require_range<long long>("--test-points", o.test_points, 1, nn::kMaxPoints);
  const nn::Model m = nn::load_model(o.model);
  const std::size_t test_points =
      o.test_points > 0 ? std::size_t(o.test_points)
                        : m.training.value("test_points", nn::data_setup(m.true_system()).test_points);
  const nn::Evaluation e = nn::evaluate(m, test_points, o.seed < 0 ? m.seed : static_cast<std::uint64_t>(o.seed));
  if (o.format == "json") {
    std::cout << nlohmann::json{{"model", o.model},
                                {"system", m.system},
                                {"method", m.method},
                                {"steps", m.steps},
                                {"T", m.T},
                                {"train_loss", e.train_loss},
                                {"test_loss", e.test_loss},
                                {"field_error", e.field_error},
                                {"accurate_test_loss", e.accurate_test_loss},
                                {"fits_solver_not_ode", e.fits_solver_not_ode}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "model           " << o.model << " (" << m.system << ", " << m.method << ", S = " << m.steps
            << ", T = " << m.T << ", h = " << m.h() << ")\n"
            << "train loss      " << e.train_loss << "\n"
            << "test loss       " << e.test_loss << "\n"
            << "Error(f_theta, f) " << e.field_error << "   (mean over test points of the max-norm)\n"
            << "test loss, learned field integrated accurately (rk4, 100 substeps): " << e.accurate_test_loss << "\n";
  if (e.fits_solver_not_ode) std::cout << "WARNING: fits its solver, not an ODE (accurate loss > 10x training loss)\n";
}

}  // namespace

void add_eval(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a trained model: losses, Error(f_theta, f), finer-solver check");
  cmd->add_option("--model", o->model, "Model file (DIR/model.json)")->required();
  o->test_points_given = cmd->add_option("--test-points", o->test_points, "Test points (default: as many as the model was tested on)");
  cmd->add_option("--seed", o->seed, "Seed of the test points (default: the model's own test set)");
  add_choice_option(cmd, "--format", o->format, {"text", "json"}, "Output format");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace nimde::experiments
