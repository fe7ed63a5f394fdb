// The parts of `nimde reproduce` that do not depend on how the runs are spread (threads of one
// process, or the ranks of an MPI job): what to run, running one run, and reading the metrics
// into tables, figures and the report. reproduce.cpp spreads runs over threads,
// mpi_reproduce.cpp over ranks; both hand them out by experiments/schedule.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "experiments/findings.hpp"
#include "experiments/presets.hpp"
#include "experiments/reproduce.hpp"

namespace nimde::experiments {

/// A run and every analysis the experiments that use it need.
struct Job {
  RunSpec run;
  std::string id;
  std::set<std::string> analyses;
  double cost = 0;  ///< expected_cost(run)
};

/// A reproduction resolved from its options.
struct Reproduction {
  ReproduceOptions options;  ///< checked; `jobs` resolved (never 0)
  Preset preset;
  std::vector<Experiment> experiments;
  std::vector<Job> jobs;  ///< one per distinct run, ordered by id (the same on every rank)

  std::vector<double> costs() const;
  std::filesystem::path run_dir(const Job& job) const;
};

/// Checks the options (a bad one: a one-line error naming it) and lists the distinct runs.
Reproduction prepare(const ReproduceOptions& options);

/// Trains the job's run (resuming a checkpoint, skipping a finished training), then computes
/// the analyses its metrics.json lacks. Returns metrics.json's text, or nothing when stopped.
std::optional<std::string> execute(const Reproduction& r, const Job& job, int threads, const std::atomic<bool>* stop);

/// How the runs were spread, for the report's execution lines.
struct Execution {
  std::string layout;       ///< e.g. "2 runs at once with 1 thread each"
  std::string worker_name;  ///< "worker" or "rank"
  std::vector<double> busy;  ///< seconds each worker spent in runs
  std::vector<int> runs;     ///< runs each worker did
};

/// Reads every run's metrics (`metrics` by run id, metrics.json's text as a worker returned
/// it; a run missing there is read from its directory), writes the tables, the figures and
/// REPORT.md. `started` is when the invocation started (for the wall time).
ReproduceResult finish(const Reproduction& r, const std::map<std::string, std::string>& metrics,
                       const Execution& execution, std::chrono::steady_clock::time_point started,
                       ReproduceProgress& progress);

/// `--plan`: every run with its expected cost and the worker the schedule gives it on
/// `workers` workers, the busy time of each and the balance; nothing is trained.
std::string plan_text(const Reproduction& r, int workers, const std::string& worker_name);

}  // namespace nimde::experiments
