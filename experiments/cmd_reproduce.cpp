// `nimde reproduce`: the paper's experiments, their tables, figures and report in one command.
// Ctrl-C checkpoints the runs in flight and exits 130; a re-run into the same DIR resumes.
// Started by an MPI launcher (mpirun, srun), it spreads the runs over the job's ranks.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "experiments/commands.hpp"
#include "experiments/mpi_reproduce.hpp"
#include "experiments/stop_signals.hpp"
#include "experiments/options.hpp"
#include "experiments/reproduce.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {
namespace {


std::string clock_text(double s) {
  if (!std::isfinite(s)) return "?";
  char b[32];
  const long t = std::lround(s);
  std::snprintf(b, sizeof b, "%ld:%02ld", t / 60, t % 60);
  return b;
}

/// A live status line on a terminal, plain lines (one per finished run) elsewhere.
class TerminalProgress : public ReproduceProgress {
 public:
  explicit TerminalProgress(bool live) : live_(live) {}
  void update(int done, int total, const std::vector<std::string>& current, double elapsed, double eta) override {
    std::string line = "runs " + std::to_string(done) + "/" + std::to_string(total) + "  elapsed " +
                       clock_text(elapsed) + "  ETA " + clock_text(eta);
    if (live_) {
      for (const std::string& c : current) line += "  [" + c + "]";
      std::cerr << "\r" << line.substr(0, 200) << "\033[K" << std::flush;
    } else if (done != last_done_) {
      std::cerr << line << "\n";
    }
    last_done_ = done;
  }
  void message(const std::string& line) override {
    if (live_) std::cerr << "\r\033[K";
    std::cerr << line << "\n";
  }

 private:
  bool live_;
  int last_done_ = -1;
};

struct ReproduceCli {
  ReproduceOptions options;
  std::string only;
  bool no_figures = false, resume = false;
};

void run_reproduce(ReproduceCli& c) {
  if (!c.only.empty()) c.options.only = ode::split_list(c.only, ',');
  c.options.figures = !c.no_figures;
  TerminalProgress progress(isatty(2));
  const StopOnSignals signals;
  ReproduceResult r;
  try {
    r = launched_by_mpi() ? reproduce_mpi(c.options, progress, signals.requested())
                          : reproduce(c.options, progress, signals.requested());
  } catch (const ReportedByRankZero&) {
    throw ExitStatus{1};
  }
  // A rank stopped by another rank (or a run stopped by a rank) saw no signal of its own.
  const int interrupted_status = 128 + (signals.signal() != 0 ? signals.signal() : SIGINT);
  if (r.rank != 0) throw ExitStatus{r.interrupted ? interrupted_status : 0};  // rank 0 reports
  if (c.options.plan) {
    std::cout << r.plan;
    return;
  }
  if (r.interrupted) {
    std::cerr << "\ninterrupted: finished runs are kept; run the same command again to resume\n";
    throw ExitStatus{interrupted_status};
  }
  // The conclusion table of the report, and where everything is.
  std::ifstream report(r.report);
  std::string line;
  bool table = false;
  while (std::getline(report, line)) {
    if (line.rfind("## Conclusions", 0) == 0) table = true;
    else if (line.rfind("## ", 0) == 0) table = false;
    if (table) std::cout << line << "\n";
  }
  std::cout << "report: " << r.report << "\nfigures: " << c.options.out << "/figures/\n";
  if (r.failed > 0)
    throw std::runtime_error(std::to_string(r.failed) + " of " + std::to_string(r.conclusions) +
                             " conclusions failed; see " + r.report);
}

}  // namespace

void add_reproduce(CLI::App& app) {
  auto c = std::make_shared<ReproduceCli>();
  ReproduceOptions& o = c->options;
  auto* cmd = app.add_subcommand("reproduce", "Reproduce the paper's experiments: runs, tables, figures and a report");
  add_choice_option(cmd, "--preset", o.preset, {"quick", "smoke", "paper"},
                    "quick: every figure on 2 cores in minutes; smoke: a subset for CI; paper: the paper's settings");
  cmd->add_option("--only", c->only, "Comma-separated experiments (figure1, figure2, figure3, ext-order, ...)");
  cmd->add_option("--seeds", o.seeds, "Seeds per setting of Figure 2 (default: the preset's)");
  cmd->add_option("--jobs", o.jobs, "Runs at once (default: cores / threads)");
  cmd->add_option("--threads", o.threads, "OpenMP threads per run")->capture_default_str();
  cmd->add_option("--out", o.out, "Output directory")->capture_default_str();
  cmd->add_flag("--resume", c->resume, "Continue in DIR (a plain re-run does the same: finished runs are skipped)");
  cmd->add_flag("--no-figures", c->no_figures, "Write tables and report only");
  cmd->add_flag("--plan", o.plan, "Print the runs, their relative cost and their schedule, train nothing");
  cmd->add_option("--ranks", o.ranks, "With --plan: the ranks (or jobs) to schedule for (default: --jobs, or the MPI job's ranks)");
  cmd->callback([c] { run_reproduce(*c); });
}

}  // namespace nimde::experiments
