// The experiments of `nimde reproduce`: the paper's Figures 1–3 and the extensions beyond it,
// each with its runs, its tables and its conclusions (the paper's claim against the measured
// value). The claims and their tolerances are those stated in README's reproduction section.
#pragma once

#include <vector>

#include "experiments/findings.hpp"
#include "experiments/presets.hpp"

namespace nimde::experiments {

/// The preset's experiments, in report order.
std::vector<Experiment> paper_experiments(const Preset& preset);

}  // namespace nimde::experiments
