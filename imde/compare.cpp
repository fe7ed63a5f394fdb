#include "imde/compare.hpp"

#include "imde/field_series.hpp"
#include "imde/series_field.hpp"
#include "ode/field_error.hpp"

namespace nimde::imde {

Comparison compare_fields(const ode::Field& learned, const ode::Field& truth, const ode::Tableau& method, double h,
                          const autodiff::Tensor<double>& points, int order, int correct_order) {
  Comparison c;
  c.points = points.shape()[0];
  c.error_true = ode::field_error(learned, truth, points);
  for (int n = 0; n <= order; ++n)
    c.error_imde.push_back(ode::field_error(learned, series_field(inverse_modified_equation(method, n), truth, h), points));
  if (correct_order >= 0) {
    const ode::Field corrected = series_field(modified_equation(method, correct_order), learned, h);
    c.error_corrected = ode::field_error(corrected, truth, points);
    c.correct_order = correct_order;
  }
  return c;
}

}  // namespace nimde::imde
