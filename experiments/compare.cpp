#include "experiments/compare.hpp"

#include <stdexcept>

#include "imde/field_series.hpp"
#include "imde/imde_field.hpp"
#include "nn/dataset.hpp"
#include "nn/evaluate.hpp"
#include "ode/method.hpp"

namespace nimde::cli {

Comparison compare_model(const nn::Model& model, int order, int correct_order, std::size_t test_points) {
  const ode::Method method = ode::method(model.method);
  if (method.is_partitioned())
    throw std::invalid_argument("model method " + model.method +
                                " is partitioned; the IMDE is computed for Runge-Kutta methods");
  const ode::System sys = model.true_system();
  const std::size_t points = model.training.value("points", sys.data.train_points);
  const autodiff::Tensor<double> x = nn::make_split(sys, points, test_points, model.T, model.seed).test.x;
  const ode::Field learned =
      nn::MlpField(std::make_shared<nn::MlpParams>(model.net)).field("network", model.names);
  const double h = model.h();

  Comparison c;
  c.points = x.shape()[0];
  c.error_true = nn::field_error(learned, sys.field, x);
  for (int n = 0; n <= order; ++n) {
    const imde::FieldSeries series = imde::inverse_modified_equation(method.tableau(), n);
    c.error_imde.push_back(nn::field_error(learned, imde::imde_field(series, sys.field, h), x));
  }
  if (correct_order >= 0) {
    const imde::FieldSeries modified = imde::modified_equation(method.tableau(), correct_order);
    c.error_corrected = nn::field_error(imde::imde_field(modified, learned, h), sys.field, x);
    c.correct_order = correct_order;
  }
  return c;
}

}  // namespace nimde::cli
