#include "experiments/user_tableau.hpp"

#include <iostream>

namespace nimde::experiments {

void add_allow_inconsistent(CLI::App* cmd, bool& allow) {
  cmd->add_flag("--allow-inconsistent", allow,
                "Accept a --tableau whose weights b do not sum to 1 (a method that is not consistent)");
}

ode::Tableau load_user_tableau(const std::string& path, bool allow_inconsistent) {
  ode::Tableau t = ode::load_tableau(path, ode::TableauReading{allow_inconsistent});
  if (const std::string warning = ode::tableau_warning(t); !warning.empty()) std::cerr << "warning: " << warning << "\n";
  return t;
}

}  // namespace nimde::experiments
