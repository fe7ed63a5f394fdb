// The order in which a reproduction hands out its runs, and what that order does with a given
// number of workers. One rule, used by the threads of one process, by the ranks of an MPI job
// and by `--plan`: the longest expected run first, to whichever worker asks next (longest
// processing time first, LPT). A long run started last would leave every other worker idle
// while it finishes; started first, it overlaps with the short ones.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace nimde::experiments {

/// Hands out job indices, longest expected cost first (ties: the lower index first).
class Schedule {
 public:
  explicit Schedule(const std::vector<double>& costs);
  /// The longest job not yet handed out; nothing once all are.
  std::optional<std::size_t> next();
  std::size_t remaining() const { return order_.size() - next_; }

 private:
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
};

/// One job of a simulated schedule: which worker takes it, and when, in units of cost.
struct Placement {
  std::size_t job = 0;
  int worker = 0;
  double start = 0, end = 0;
};

/// What `workers` workers asking a Schedule for work would do if every job took exactly its
/// expected cost: in hand-out order, each job goes to the worker that frees up first (the
/// lowest-numbered of those free at once).
struct SimulatedSchedule {
  std::vector<Placement> placements;  ///< in hand-out order
  std::vector<double> busy;           ///< per worker
  std::vector<int> jobs;              ///< jobs per worker
  double makespan = 0;                ///< the wall time: when the last worker finishes
  double total = 0;                   ///< the sum of all costs (the wall time of one worker)
  double longest = 0;                 ///< the longest job: no number of workers finishes sooner
  /// The bound no schedule beats: max(longest, total / workers).
  double lower_bound() const;
};

SimulatedSchedule simulate_schedule(const std::vector<double>& costs, int workers);

}  // namespace nimde::experiments
