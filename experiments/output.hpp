// Small helpers the subcommands share: reading the common options (a system or a user field,
// `--param name=value`, a choice among words) with one-line errors that name the bad value,
// and writing tables of numbers as CSV or JSON so that every double reads back to the same bits.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ode/systems.hpp"

namespace nimde::cli {

// ---- options ----

/// `--param` entries "name=value" → {name: value}; errors name the entry ("--param 'a=x' ...").
std::map<std::string, double> parse_params(const std::vector<std::string>& entries);

/// A built-in system (`system` non-empty) or a user expression field (`field` non-empty, with
/// `params`); exactly one of the two must be given. `domain` is "lo1:hi1,..." or empty.
ode::System system_from_options(const std::string& system, const std::string& field,
                                const std::vector<std::string>& params, const std::string& domain = "");

/// Throws "OPTION 'value' is not one of a, b, c" unless `value` is one of `choices`.
void check_choice(std::string_view option, const std::string& value, const std::vector<std::string>& choices);

/// The whole of `text` as a double > 0 (correctly rounded, like every number read here);
/// otherwise an error naming OPTION and the text.
double parse_positive(std::string_view text, std::string_view option);

// ---- output ----

/// `v` with 17 significant digits (%.17g): reading the text back gives the same double.
std::string round_trip(double v);

/// A table of doubles: named columns, one vector per row.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};

/// The header line, then one line per row, values written by round_trip. Names containing
/// a comma or a quote are quoted.
void write_csv(std::ostream& out, const Table& table);

/// {"columns": [...], "rows": [[...], ...]}; doubles are written to round-trip, NaN and ±inf as null.
nlohmann::json to_json(const Table& table);

}  // namespace nimde::cli
