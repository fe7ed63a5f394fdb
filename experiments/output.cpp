#include "experiments/output.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "ode/parse_numbers.hpp"

namespace nimde::cli {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
}  // namespace

std::map<std::string, double> parse_params(const std::vector<std::string>& entries) {
  std::map<std::string, double> params;
  for (const std::string& entry : entries) {
    const auto eq = entry.find('=');
    const std::string name(eq == std::string::npos ? std::string_view() : trim(std::string_view(entry).substr(0, eq)));
    if (name.empty() || name.find_first_of(" =") != std::string::npos)
      throw std::invalid_argument("--param '" + entry + "' is not of the form name=value");
    if (params.count(name)) throw std::invalid_argument("--param " + name + " is given twice");
    params[name] = ode::parse_double(trim(std::string_view(entry).substr(eq + 1)), "--param " + name);
  }
  return params;
}

ode::System system_from_options(const std::string& system, const std::string& field,
                                const std::vector<std::string>& params, const std::string& domain) {
  if (system.empty() == field.empty()) throw std::invalid_argument("give exactly one of --system NAME and --field EXPR");
  if (!system.empty()) {
    if (!params.empty()) throw std::invalid_argument("--param applies only to --field, not to --system " + system);
    return ode::system(system);
  }
  return ode::expression_system(field, parse_params(params), domain.empty() ? std::vector<std::pair<double, double>>{}
                                                                             : ode::parse_domain(domain));
}

void check_choice(std::string_view option, const std::string& value, const std::vector<std::string>& choices) {
  std::string known;
  for (const std::string& c : choices) {
    if (c == value) return;
    known += (known.empty() ? "" : ", ") + c;
  }
  throw std::invalid_argument(std::string(option) + " '" + value + "' is not one of " + known);
}

double parse_positive(std::string_view text, std::string_view option) {
  const double v = ode::parse_double(text, option);
  if (!(v > 0)) throw std::invalid_argument(std::string(option) + " must be > 0, got '" + std::string(text) + "'");
  return v;
}

std::string round_trip(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}
}  // namespace

void write_csv(std::ostream& out, const Table& table) {
  for (std::size_t j = 0; j < table.columns.size(); ++j) out << (j ? "," : "") << csv_field(table.columns[j]);
  out << "\n";
  for (const std::vector<double>& row : table.rows) {
    for (std::size_t j = 0; j < row.size(); ++j) out << (j ? "," : "") << round_trip(row[j]);
    out << "\n";
  }
}

nlohmann::json to_json(const Table& table) {
  return nlohmann::json{{"columns", table.columns}, {"rows", table.rows}};
}

}  // namespace nimde::cli
