// A reproduction spread over the ranks of an MPI job: `mpirun -np N nimde reproduce ...` (or
// `srun`) with the options of a serial run. Rank 0 hands out the runs by the schedule
// (experiments/schedule.hpp) to whichever rank asks next, itself included; each rank trains one
// run at a time with its own `--threads`. The ranks share nothing but DIR (on a file system all
// of them see) and MPI messages; rank 0 gathers the metrics and writes tables, figures and
// REPORT.md, which equal a serial run's but for the execution and timing lines.
#pragma once

#include <atomic>
#include <stdexcept>

#include "experiments/reproduce.hpp"

namespace nimde::experiments {

/// True when an MPI launcher (mpirun, mpiexec, srun) started this process: its rank variables
/// are in the environment.
bool launched_by_mpi();

/// True when this nimde was built with MPI (the build option NIMDE_MPI).
bool built_with_mpi();

/// Thrown on the ranks other than 0 when the reproduction cannot go on: rank 0 says why, once.
struct ReportedByRankZero : std::runtime_error {
  ReportedByRankZero() : std::runtime_error("the reproduction failed; rank 0 reports why") {}
};

/// Runs the reproduction across the job's ranks (MPI_Init to MPI_Finalize). `stop` is polled on
/// every rank: a stopped rank checkpoints its run, rank 0 stops the others, and the call returns
/// `interrupted`. Throws when built without MPI.
ReproduceResult reproduce_mpi(const ReproduceOptions& options, ReproduceProgress& progress,
                              const std::atomic<bool>* stop = nullptr);

}  // namespace nimde::experiments
