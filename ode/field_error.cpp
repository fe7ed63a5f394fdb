#include "ode/field_error.hpp"

#include <algorithm>
#include <cmath>

namespace nimde::ode {

double field_error(const Field& a, const Field& b, const autodiff::Tensor<double>& points) {
  const Array<double> x(points);
  const Array<double> fa = a(x), fb = b(x);
  const std::size_t n = points.shape()[0], d = points.shape()[1];
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double m = 0;
    for (std::size_t k = 0; k < d; ++k) m = std::max(m, std::abs(fa.value()(i, k) - fb.value()(i, k)));
    sum += m;
  }
  return sum / double(n);
}

}  // namespace nimde::ode
