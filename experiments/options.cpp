#include "experiments/options.hpp"

#include <stdexcept>

#include "ode/checked_input.hpp"
#include "ode/domain.hpp"

namespace nimde::experiments {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string choice_error(std::string_view option, const std::string& value, const std::vector<std::string>& choices) {
  std::string known;
  for (const std::string& c : choices) {
    if (c == value) return {};
    known += (known.empty() ? "" : ", ") + c;
  }
  return std::string(option) + " '" + value + "' is not one of " + known;
}
}  // namespace

void add_system_options(CLI::App* cmd, SystemOptions& o, bool with_domain) {
  auto non_empty = [](std::string message) {
    return CLI::Validator([message](std::string& v) { return v.empty() ? message : std::string(); }, "", "");
  };
  std::string systems;
  for (const std::string& n : ode::system_names()) systems += (systems.empty() ? "" : ", ") + n;
  cmd->add_option("--system", o.system, "Built-in system (pendulum, cubic-oscillator, lorenz, harmonic, kepler, ...)")
      ->check(non_empty("--system '' is empty: give one of " + systems));
  cmd->add_option("--field", o.field, "User field instead of --system, e.g. \"p' = -10*sin(q); q' = p\"")
      ->check(non_empty("--field '' is empty: give the field's equations"));
  cmd->add_option("--param", o.params, "Parameter of --field, name=value (repeatable)");
  cmd->add_flag("--canonical", o.canonical, "The variables of --field are canonical coordinates (p..., q...) of a Hamiltonian system");
  if (with_domain) cmd->add_option("--domain", o.domain, "Sampling box of --field, \"lo1:hi1,lo2:hi2,...\"");
}

ode::System make_system(const SystemOptions& o) {
  if (o.system.empty() == o.field.empty()) throw std::invalid_argument("give exactly one of --system NAME and --field EXPR");
  if (!o.system.empty()) {
    if (!o.params.empty()) throw std::invalid_argument("--param applies only to --field, not to --system " + o.system);
    if (!o.domain.empty()) throw std::invalid_argument("--domain applies only to --field, not to --system " + o.system);
    if (o.canonical) throw std::invalid_argument("--canonical applies only to --field; --system " + o.system + " knows its coordinates");
    return ode::system(o.system);
  }
  return ode::expression_system(o.field, parse_params(o.params),
                                o.domain.empty() ? std::vector<std::pair<double, double>>{} : parse_domain(o.domain),
                                o.canonical);
}

std::map<std::string, double> parse_params(const std::vector<std::string>& entries) {
  std::map<std::string, double> params;
  for (const std::string& entry : entries) {
    const auto eq = entry.find('=');
    const std::string name(eq == std::string::npos ? std::string_view() : trim(std::string_view(entry).substr(0, eq)));
    if (name.empty() || name.find_first_of(" =") != std::string::npos)
      throw std::invalid_argument("--param '" + entry + "' is not of the form name=value");
    if (params.count(name)) throw std::invalid_argument("--param " + name + " is given twice");
    params[name] = ode::parse_double(trim(std::string_view(entry).substr(eq + 1)), "--param " + name);
  }
  return params;
}

std::vector<std::pair<double, double>> parse_domain(std::string_view text) { return ode::parse_domain(text, "--domain"); }

CLI::Option* add_choice_option(CLI::App* cmd, const std::string& name, std::string& value,
                               std::vector<std::string> choices, const std::string& description) {
  value = choices.front();
  std::string list;
  for (const std::string& c : choices) list += (list.empty() ? "" : ", ") + c;
  return cmd->add_option(name, value, description + ": " + list)
      ->capture_default_str()
      ->check(CLI::Validator(
          [name, choices](std::string& v) { return choice_error(name, v, choices); }, "", ""));
}

void check_choice(std::string_view option, const std::string& value, const std::vector<std::string>& choices) {
  const std::string error = choice_error(option, value, choices);
  if (!error.empty()) throw std::invalid_argument(error);
}

double parse_positive(std::string_view text, std::string_view option) {
  const double v = ode::parse_double(text, option);
  if (!(v > 0)) throw std::invalid_argument(std::string(option) + " must be > 0, got '" + std::string(text) + "'");
  return v;
}

}  // namespace nimde::experiments
