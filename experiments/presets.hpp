// The three sizes of `nimde reproduce`: `paper` (the paper's settings exactly), `quick` (every
// figure and extension on 2 cores in minutes, with the departures it needs stated) and `smoke`
// (a subset for CI).
#pragma once

#include <string>
#include <vector>

#include "experiments/runs.hpp"

namespace nimde::experiments {

struct Preset {
  std::string name;
  TrainingSettings training;
  /// For the runs whose errors sit closest to the learning floor (Figure 2's midpoint runs, the
  /// higher orders, the symplectic comparison): a lower floor at a higher cost.
  TrainingSettings fine;
  /// ext-hnn's runs, Hamiltonian networks and the Neural ODEs beside them (its effects stand far
  /// above any learning floor, so the quick presets train them more lightly).
  TrainingSettings hnn;
  int seeds = 1;                       ///< per setting of Figure 2 and its extensions
  std::vector<double> t_sweep;         ///< Figure 2 top: T with S = 1
  double s_sweep_T = 0.12;             ///< Figure 2 bottom: T, with
  std::vector<int> s_sweep;            ///< these S
  std::size_t s_sweep_fit_points = 4;  ///< fewest of its h its slopes are fitted over
  std::vector<double> system_t_sweep;  ///< ext-system (Lotka-Volterra): T with S = 1 (Figure 2's)
  std::vector<std::string> experiments;
  std::vector<std::string> departures;  ///< how the preset differs from the paper, one line each
};

/// "smoke", "quick" or "paper"; throws std::invalid_argument naming anything else.
Preset preset(const std::string& name);

}  // namespace nimde::experiments
