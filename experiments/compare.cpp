#include "experiments/compare.hpp"

#include <stdexcept>

#include "nn/dataset.hpp"
#include "nn/mlp.hpp"
#include "ode/method.hpp"

namespace nimde::experiments {

imde::Comparison compare_model(const nn::Model& model, int order, int correct_order, std::size_t test_points) {
  const ode::Method method = ode::method(model.method);
  if (method.is_partitioned())
    throw std::invalid_argument("model method " + model.method +
                                " is partitioned; the IMDE is computed for Runge-Kutta methods");
  const ode::System sys = model.true_system();
  const std::size_t points = model.training.value("points", nn::data_setup(sys).train_points);
  const autodiff::Tensor<double> x = nn::make_split(sys, points, test_points, model.T, model.seed).test.x;
  const ode::Field learned = nn::MlpField(std::make_shared<nn::MlpParams>(model.net)).field("network", model.names);
  return imde::compare_fields(learned, sys.field, method.tableau(), model.h(), x, order, correct_order);
}

}  // namespace nimde::experiments
