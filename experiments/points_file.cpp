#include "experiments/points_file.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "ode/checked_input.hpp"

namespace nimde::experiments {

namespace {

bool is_number(const std::string& cell) {
  double v = 0;
  const char* first = cell.data() + (!cell.empty() && cell[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(first, cell.data() + cell.size(), v);
  return !cell.empty() && end == cell.data() + cell.size() && ec != std::errc::invalid_argument;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ",") + n;
  return s;
}

}  // namespace

autodiff::Tensor<double> points_from_csv(std::string_view text, const std::vector<std::string>& names) {
  const std::size_t d = names.size();
  if (d == 0) throw std::invalid_argument("points: no variables to read");
  std::vector<double> values;
  bool first = true;
  std::size_t line_number = 0, rows = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t content = line.find_first_not_of(" \t");
    if (content == std::string_view::npos || line[content] == '#') continue;
    const std::string where = "line " + std::to_string(line_number);
    const std::vector<std::string> cells = ode::split_list(line, ',');
    if (first) {
      first = false;
      if (!std::all_of(cells.begin(), cells.end(), is_number)) {
        ode::require(cells == names, where, line, "does not name the variables " + joined(names));
        continue;
      }
    }
    ode::require(cells.size() == d, where, line,
                 "has " + std::to_string(cells.size()) + " values, expected " + std::to_string(d));
    ode::require(rows < kMaxFilePoints, where, rows + 1,
                 "more points than " + std::to_string(kMaxFilePoints) + " (split the file)");
    for (const std::string& cell : cells) values.push_back(ode::parse_double(cell, where));
    ++rows;
  }
  if (rows == 0) throw std::invalid_argument("no points in the file");
  autodiff::Tensor<double> x = autodiff::zeros<double>(rows, d);
  std::copy(values.begin(), values.end(), x.begin());
  return x;
}

autodiff::Tensor<double> load_points(const std::string& path, const std::vector<std::string>& names) {
  const std::string text = ode::read_text_file(path, kMaxPointsFileBytes);
  return ode::reading_file(path, [&] { return points_from_csv(text, names); });
}

}  // namespace nimde::experiments
