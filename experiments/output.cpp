#include "experiments/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
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

CsvRows::CsvRows(std::ostream& out, const std::vector<std::string>& columns) : out_(out) {
  for (std::size_t j = 0; j < columns.size(); ++j) out_ << (j ? "," : "") << csv_field(columns[j]);
  out_ << "\n";
  check();
}

void CsvRows::add(const std::vector<double>& row) {
  for (std::size_t j = 0; j < row.size(); ++j) out_ << (j ? "," : "") << round_trip(row[j]);
  out_ << "\n";
  check();
}

void CsvRows::check() {
  if (!out_) throw std::runtime_error(std::string("cannot write the output: ") + std::strerror(errno ? errno : EIO));
}

void write_csv(std::ostream& out, const Table& table) {
  CsvRows rows(out, table.columns);
  for (const std::vector<double>& row : table.rows) rows.add(row);
}

nlohmann::json to_json(const Table& table) {
  return nlohmann::json{{"columns", table.columns}, {"rows", table.rows}};
}

}  // namespace nimde::experiments
