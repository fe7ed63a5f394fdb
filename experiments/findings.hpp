// What the experiments of a reproduction find: tidy table rows, slope fits, and conclusions
// (the paper's claim, the measured value, pass or fail).
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/runs.hpp"

namespace nimde::experiments {

/// One measured quantity; tables are lists of these (README documents the columns).
struct TableRow {
  std::string experiment, run_id, system, method;
  double T = NAN, S = NAN, h = NAN;
  double seed = NAN;
  std::string series;
  double x = NAN;  ///< the independent variable of a series (t, N, ...); NaN: none
  std::string quantity;
  double value = NAN;
};

struct Conclusion {
  std::string experiment, claim, measured;
  bool pass = false;
};

struct Findings {
  std::map<std::string, std::vector<TableRow>> tables;  ///< by table name (file tables/<name>.csv)
  std::vector<Conclusion> conclusions;
  std::vector<std::string> notes;  ///< which values entered each fit and why others did not

  /// A row of `table` describing run `run` (its settings filled in).
  TableRow& add(const std::string& table, const std::string& experiment, const RunSpec* run, std::string series,
                double x, std::string quantity, double value);
  void conclude(std::string experiment, std::string claim, std::string measured, bool pass);
};

/// The metrics.json of a run (every analysis the run's experiments asked for).
using MetricsOf = std::function<const nlohmann::json&(const RunSpec&)>;

/// One experiment: the runs it needs, the analyses of each, and how it reads them.
struct Experiment {
  std::string name, title;
  std::vector<RunSpec> runs;
  std::vector<std::string> analyses;  ///< analysis keys (analyses.hpp) needed of every run
  std::function<void(const MetricsOf&, Findings&)> report;
  std::map<std::string, std::vector<std::string>> run_analyses{};  ///< further ones of single runs, by run id
};

}  // namespace nimde::experiments
