// The `nimde` subcommands. Each lives in its own cmd_<name>.cpp, adds itself to the
// application and sets a callback; the callback parses nothing further and calls the library.
#pragma once

#include <CLI/CLI.hpp>

namespace nimde::experiments {

void add_demo(CLI::App& app);
void add_gradients(CLI::App& app);
void add_train(CLI::App& app);
void add_data(CLI::App& app);
void add_eval(CLI::App& app);
void add_compare(CLI::App& app);
void add_imde(CLI::App& app);
/// `imde hamiltonian`, a subcommand of `imde` (cmd_imde_hamiltonian.cpp), added by add_imde.
void add_imde_hamiltonian(CLI::App& imde);
void add_solve(CLI::App& app);
void add_reproduce(CLI::App& app);

}  // namespace nimde::experiments
