// Reading the options the subcommands share, with one-line errors that name the bad value:
// the field (`--system NAME` or `--field EXPR` with `--param name=value` and `--domain`),
// a choice among words (`--format`), numbers.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "ode/systems.hpp"

namespace nimde::experiments {

/// The options that name a field, as given.
struct SystemOptions {
  std::string system, field, domain;
  std::vector<std::string> params;
  bool canonical = false;
};

/// Registers --system, --field, --param (repeatable), --canonical and, with `with_domain`, --domain.
void add_system_options(CLI::App* cmd, SystemOptions& o, bool with_domain = false);

/// The built-in system or the user expression field the options name; exactly one of
/// --system and --field must be given, and --param/--domain only with --field.
ode::System make_system(const SystemOptions& o);

/// `--param` entries "name=value" → {name: value}; a repeated name is refused. Errors name the
/// entry ("--param 'a=x' ...").
std::map<std::string, double> parse_params(const std::vector<std::string>& entries);

/// "lo1:hi1,lo2:hi2,..." → [lo, hi] per component; errors name the bad entry.
std::vector<std::pair<double, double>> parse_domain(std::string_view text);

/// Registers `name` (e.g. "--format") as a choice among `choices`, the first the default; a
/// value outside them is refused with "NAME 'value' is not one of a, b, c".
CLI::Option* add_choice_option(CLI::App* cmd, const std::string& name, std::string& value,
                               std::vector<std::string> choices, const std::string& description);

/// Throws "OPTION 'value' is not one of a, b, c" unless `value` is one of `choices`.
void check_choice(std::string_view option, const std::string& value, const std::vector<std::string>& choices);

/// The whole of `text` as a double > 0 (correctly rounded, like every number read here);
/// otherwise an error naming OPTION and the text.
double parse_positive(std::string_view text, std::string_view option);

}  // namespace nimde::experiments
