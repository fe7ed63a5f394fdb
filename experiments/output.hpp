// Writing tables of numbers as CSV or JSON so that every double reads back to the same bits.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nimde::experiments {

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

/// A CSV table written row by row as the rows are computed. A row that cannot be written
/// (a full disk, a closed pipe) throws "cannot write the output: REASON", so that the work
/// stops there instead of running on.
class CsvRows {
 public:
  CsvRows(std::ostream& out, const std::vector<std::string>& columns);
  void add(const std::vector<double>& row);

 private:
  void check();
  std::ostream& out_;
};

/// {"columns": [...], "rows": [[...], ...]}; doubles are written to round-trip, NaN and ±inf as null.
nlohmann::json to_json(const Table& table);

}  // namespace nimde::experiments
