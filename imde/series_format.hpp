// A field series as text, JSON or LaTeX, each elementary differential written once:
//   text   f
//          + h/2 f'f
//          + h^2 (1/6 f''(f,f) + 1/6 f'f'f)
//          + O(h^3)
//   latex  the same lines with \frac, f^{\prime\prime} and \mathcal{O}
//   json   {"method", "kind", "order", "method_order", "terms": [{"order": |τ|, "h_power", "tree",
//           "differential", "sigma", "gamma", "coefficient": "1/8"}, …]} listing every tree up to
//           order + 1 nodes, zero coefficients included.
// Text and LaTeX give one power of h per line and omit zero terms.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "imde/field_series.hpp"

namespace nimde::imde {

/// How to print a series.
enum class SeriesFormat { text, json, latex };

/// "text", "json" or "latex"; throws std::invalid_argument naming anything else.
SeriesFormat parse_series_format(std::string_view text);

std::string to_text(const FieldSeries& series);
std::string to_latex(const FieldSeries& series);
nlohmann::json to_json(const FieldSeries& series);

/// The series in the given format (JSON indented by two spaces), ending in a newline.
std::string format_series(const FieldSeries& series, SeriesFormat format);

}  // namespace nimde::imde
