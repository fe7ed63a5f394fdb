#include "imde/field_series.hpp"

#include <stdexcept>

namespace nimde::imde {

SeriesKind parse_series_kind(std::string_view text) {
  if (text == "inverse") return SeriesKind::inverse;
  if (text == "modified") return SeriesKind::modified;
  throw std::invalid_argument("unknown series kind '" + std::string(text) + "' (known: inverse, modified)");
}

std::string to_string(SeriesKind kind) { return kind == SeriesKind::inverse ? "inverse" : "modified"; }

Coefficient FieldSeries::written_once(int tree) const {
  return coefficients[tree] / Coefficient(static_cast<long>(trees[tree].sigma));
}

FieldSeries field_series(const ode::Tableau& tableau, SeriesKind kind, int order) {
  if (order < 0 || order > FieldSeries::kMaxOrder) {
    throw std::invalid_argument("series order " + std::to_string(order) + " out of range 0.." +
                                std::to_string(FieldSeries::kMaxOrder));
  }
  FieldSeries series;
  series.method = tableau.name;
  series.method_order = tableau.order > 0 ? tableau.order : method_order(tableau);
  series.kind = kind;
  series.order = order;
  series.trees = RootedTrees(order + 1);
  const Coefficients phi = elementary_weights(tableau, series.trees);
  const Coefficients e = exact_flow(series.trees);
  series.coefficients = kind == SeriesKind::inverse ? solve_substitution(phi, e, series.trees)
                                                    : solve_substitution(e, phi, series.trees);
  return series;
}

FieldSeries inverse_modified_equation(const ode::Tableau& tableau, int order) {
  return field_series(tableau, SeriesKind::inverse, order);
}

FieldSeries modified_equation(const ode::Tableau& tableau, int order) {
  return field_series(tableau, SeriesKind::modified, order);
}

}  // namespace nimde::imde
