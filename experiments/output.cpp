#include "experiments/output.hpp"

#include <cstdio>
#include <ostream>

namespace nimde::experiments {

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

}  // namespace nimde::experiments
