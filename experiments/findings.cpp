#include "experiments/findings.hpp"

namespace nimde::experiments {

TableRow& Findings::add(const std::string& table, const std::string& experiment, const RunSpec* run, std::string series,
                        double x, std::string quantity, double value) {
  TableRow row;
  row.experiment = experiment;
  if (run) {
    row.run_id = run_id(*run);
    row.system = run->system;
    row.method = run->method;
    row.T = run->T;
    row.S = run->steps;
    row.h = run->h();
    row.seed = double(run->seed);
  }
  row.series = std::move(series);
  row.x = x;
  row.quantity = std::move(quantity);
  row.value = value;
  std::vector<TableRow>& rows = tables[table];
  rows.push_back(std::move(row));
  return rows.back();
}

void Findings::conclude(std::string experiment, std::string claim, std::string measured, bool pass) {
  conclusions.push_back(Conclusion{std::move(experiment), std::move(claim), std::move(measured), pass});
}

}  // namespace nimde::experiments
