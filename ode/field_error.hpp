// The paper's distance between two vector fields on a set of points.
#pragma once

#include "autodiff/tensor.hpp"
#include "ode/field.hpp"

namespace nimde::ode {

/// Error(g₁, g₂) = mean over the rows y of `points` of max_k |g₁(y)_k − g₂(y)_k|.
double field_error(const Field& a, const Field& b, const autodiff::Tensor<double>& points);

}  // namespace nimde::ode
