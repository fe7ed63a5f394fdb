// `nimde reproduce`: the paper's experiments as one command. Every experiment is a list of runs;
// each run trains (or resumes, or is skipped when finished), then computes the analyses its
// experiments need into DIR/runs/<run-id>/metrics.json. Then the experiments read the metrics
// into DIR/tables/*.csv, the figure script draws DIR/figures/, and DIR/REPORT.md states every
// conclusion: the paper's claim, the measured value, pass or fail.
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace nimde::experiments {

struct ReproduceOptions {
  std::string preset = "quick";
  std::vector<std::string> only;  ///< experiments to run (empty: all of the preset's)
  int seeds = 0;                  ///< seeds of Figure 2 and its extensions (0: the preset's)
  int jobs = 0;                   ///< runs at once (0: as many as fit the cores with `threads` each)
  int threads = 1;                ///< OpenMP threads per run
  std::string out = "runs/reproduce";
  bool figures = true;            ///< draw the figures (python3 with matplotlib)
  bool plan = false;              ///< print the runs, their expected cost and schedule, train nothing
  int ranks = 0;                  ///< with `plan`: the workers to schedule for (0: `jobs`, or the MPI ranks)
};

/// Where a reproduction reports its progress; the command line prints it.
class ReproduceProgress {
 public:
  virtual ~ReproduceProgress() = default;
  /// done of total runs finished, `current` the runs in progress, elapsed seconds and an ETA.
  virtual void update(int done, int total, const std::vector<std::string>& current, double elapsed, double eta) = 0;
  virtual void message(const std::string& line) = 0;
};

struct ReproduceResult {
  int runs = 0, conclusions = 0, failed = 0;
  bool interrupted = false;
  double seconds = 0;
  std::string report;  ///< path of REPORT.md
  std::string plan;    ///< with `plan`: the runs, their cost and schedule, and the balance
  int rank = 0;        ///< under MPI: this process's rank; only rank 0 reports
};

/// Runs the reproduction in this process, `jobs` runs at once. `stop` is polled: when it turns true, the runs in flight write a
/// checkpoint and the call returns with `interrupted` (a later call resumes them).
ReproduceResult reproduce(const ReproduceOptions& options, ReproduceProgress& progress,
                          const std::atomic<bool>* stop = nullptr);

}  // namespace nimde::experiments
