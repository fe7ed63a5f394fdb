#include "ode/field.hpp"

namespace nimde::ode {

autodiff::JetBatch Field::operator()(const autodiff::JetBatch& y) const {
  if (y.cols() != dim())
    throw std::invalid_argument("field " + name_ + ": jets of dimension " + std::to_string(y.cols()) + ", expected " +
                                std::to_string(dim()));
  if (jets_) return jets_(y);
  // Point by point: gather each point's jets, evaluate, scatter the result into the batch.
  autodiff::JetBatch out(y.shape(), y.points(), dim());
  Point<autodiff::Jet> z;
  z.x.resize(dim());
  for (std::size_t p = 0; p < y.points(); ++p) {
    for (std::size_t k = 0; k < dim(); ++k) z.x[k] = y.jet(p, k);
    const Point<autodiff::Jet> w = (*this)(z);
    for (std::size_t k = 0; k < dim(); ++k) out.set(p, k, w.x[k]);
  }
  return out;
}

}  // namespace nimde::ode
