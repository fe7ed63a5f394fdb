// A user's Butcher tableau on the command line: `--tableau FILE`, and `--allow-inconsistent`
// for a method whose weights do not sum to 1 (solve, imde coefficients, imde eval).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "ode/tableau.hpp"

namespace nimde::experiments {

/// Registers --allow-inconsistent on a command that takes --tableau.
void add_allow_inconsistent(CLI::App* cmd, bool& allow);

/// The tableau of `--tableau path`; its warning, if any (c not the row sums of A), goes to
/// stderr as one line.
ode::Tableau load_user_tableau(const std::string& path, bool allow_inconsistent);

}  // namespace nimde::experiments
