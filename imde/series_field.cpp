#include "imde/series_field.hpp"

#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "ode/quadratic_rational.hpp"

namespace nimde::imde {

namespace {

/// h^(|τ|−1) c(τ)/σ(τ) for each tree of the series.
std::vector<double> series_weights(const FieldSeries& series, double h) {
  if (!std::isfinite(h)) throw std::invalid_argument("series field: step h = " + std::to_string(h) + " is not finite");
  if (series.trees.max_order() > ElementaryDifferentials::kMaxOrder)
    throw std::invalid_argument("series field: order " + std::to_string(series.order) + " needs trees of " +
                                std::to_string(series.trees.max_order()) + " nodes; at most order " +
                                std::to_string(ElementaryDifferentials::kMaxOrder - 1) + " is supported");
  std::vector<double> w(static_cast<std::size_t>(series.trees.size()));
  for (int t = 0; t < series.trees.size(); ++t)
    w[static_cast<std::size_t>(t)] = ode::to_double(series.written_once(t)) * std::pow(h, series.trees[t].order - 1);
  return w;
}

std::vector<bool> nonzero(const FieldSeries& series) {
  std::vector<bool> wanted;
  for (int t = 0; t < series.trees.size(); ++t) wanted.push_back(!series.coefficients[static_cast<std::size_t>(t)].is_zero());
  return wanted;
}

}  // namespace

SeriesField::SeriesField(const FieldSeries& series, ode::Field base, double h)
    : base_(std::move(base)), h_(h), order_(series.order), kind_(series.kind), method_(series.method),
      weights_(series_weights(series, h)), differentials_(series.trees, nonzero(series)) {}

std::vector<double> SeriesField::operator()(std::span<const double> y) const {
  return differentials_.combine(base_, weights_, y);
}

autodiff::Tensor<double> SeriesField::operator()(const autodiff::Tensor<double>& points) const {
  return differentials_.combine(base_, weights_, points);
}

ode::Field SeriesField::field() const {
  auto self = std::make_shared<const SeriesField>(*this);
  std::ostringstream name;
  name << (kind_ == SeriesKind::inverse ? "IMDE" : "modified equation") << " of " << base_.name() << " for "
       << method_ << " (h = " << h_ << ", order " << order_ << ")";
  auto eval = [self, label = name.str()](const auto& y) {
    using State = std::decay_t<decltype(y)>;
    if constexpr (std::is_same_v<State, ode::Point<double>>) {
      return State{(*self)(std::span<const double>(y.x))};
    } else if constexpr (std::is_same_v<State, ode::Array<double>>) {
      return State((*self)(y.value()));
    } else if constexpr (std::is_same_v<State, ode::Array<float>>) {
      autodiff::Tensor<double> x(y.value().shape());
      std::copy(y.value().begin(), y.value().end(), x.begin());
      const autodiff::Tensor<double> fx = (*self)(x);
      autodiff::Tensor<float> out(fx.shape());
      std::copy(fx.begin(), fx.end(), out.begin());
      return State(std::move(out));
    } else {
      throw std::logic_error("the " + label + " is evaluated on plain points and batches only " +
                             "(Array<double>, Array<float>, Point<double>), not on tapes or jets");
      return y;
    }
  };
  return ode::Field(name.str(), base_.names(), eval);
}

ode::Field series_field(const FieldSeries& series, const ode::Field& base, double h) {
  return SeriesField(series, base, h).field();
}

}  // namespace nimde::imde
