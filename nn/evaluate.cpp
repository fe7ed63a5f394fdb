#include "nn/evaluate.hpp"

#include <algorithm>
#include <cmath>

#include "nn/dataset.hpp"
#include "nn/objective.hpp"
#include "ode/field_error.hpp"

namespace nimde::nn {

Evaluation evaluate(const Model& model, std::size_t test_points, std::uint64_t test_seed) {
  const ode::System sys = model.true_system();
  const DataSetup setup = data_setup(sys);
  const std::size_t points = model.training.value("points", setup.train_points);
  const double noise = model.training.value("noise", 0.0);
  const std::size_t trained_test_points = model.training.value("test_points", setup.test_points);
  const Dataset train_set = make_split(sys, points, trained_test_points, model.T, model.seed, noise).train;
  const Dataset test_set = make_split(sys, points, test_points, model.T, test_seed, noise).test;

  auto params = std::make_shared<MlpParams>(model.net);
  MlpField net(params);
  const ode::Method method = ode::method(model.method);
  Evaluation e;
  e.train_loss = make_objective(net, method, model.steps, model.T, train_set.x, train_set.y, "f64")->loss();
  e.test_loss = make_objective(net, method, model.steps, model.T, test_set.x, test_set.y, "f64")->loss();
  e.accurate_test_loss = make_objective(net, ode::method("rk4"), 100, model.T, test_set.x, test_set.y, "f64")->loss();
  e.field_error = ode::field_error(net.field("network", model.names), sys.field, test_set.x);
  e.fits_solver_not_ode = e.accurate_test_loss > 10 * e.train_loss;
  return e;
}

}  // namespace nimde::nn
