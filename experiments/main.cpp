// Entry point of the `nimde` command line: builds the CLI11 application from the
// subcommand files and turns every error, of the options or of the library, into a one-line
// message and exit code 1.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>

#include "experiments/commands.hpp"
#include "experiments/stop_signals.hpp"

namespace {

/// Flushes standard output: a full disk or a closed pipe must not pass for success.
bool output_written() {
  std::cout.flush();
  if (std::cout && std::fflush(stdout) == 0 && !std::ferror(stdout)) return true;
  std::cerr << "nimde: error: cannot write the output: " << std::strerror(errno ? errno : EIO) << "\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nimde: how numerical integration shapes what a Neural ODE learns"};
  app.set_version_flag("--version", std::string("nimde ") + NIMDE_VERSION);
  app.require_subcommand(0, 1);
  nimde::experiments::add_demo(app);
  nimde::experiments::add_gradients(app);
  nimde::experiments::add_train(app);
  nimde::experiments::add_data(app);
  nimde::experiments::add_eval(app);
  nimde::experiments::add_compare(app);
  nimde::experiments::add_imde(app);
  nimde::experiments::add_solve(app);
  nimde::experiments::add_reproduce(app);
  try {
    app.parse(argc, argv);
    if (argc == 1) {
      std::cout << app.help();
      return 0;
    }
  } catch (const nimde::experiments::ExitStatus& e) {
    return output_written() ? e.code : 1;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line, like every other error (CLI11 would add a second, "Run with --help ...").
    std::cerr << "nimde: error: " << e.what() << " (see --help)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "nimde: error: " << e.what() << "\n";
    return 1;
  }
  return output_written() ? 0 : 1;
}
