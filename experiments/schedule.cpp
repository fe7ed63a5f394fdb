#include "experiments/schedule.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace nimde::experiments {

Schedule::Schedule(const std::vector<double>& costs) : order_(costs.size()) {
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
}

std::optional<std::size_t> Schedule::next() {
  if (next_ == order_.size()) return std::nullopt;
  return order_[next_++];
}

double SimulatedSchedule::lower_bound() const {
  return busy.empty() ? 0 : std::max(longest, total / static_cast<double>(busy.size()));
}

SimulatedSchedule simulate_schedule(const std::vector<double>& costs, int workers) {
  if (workers < 1) throw std::invalid_argument("a schedule needs at least one worker");
  SimulatedSchedule s;
  s.busy.assign(static_cast<std::size_t>(workers), 0.0);
  s.jobs.assign(static_cast<std::size_t>(workers), 0);
  // A worker is free again when its busy time has elapsed: it never waits between jobs.
  Schedule schedule(costs);
  while (const auto job = schedule.next()) {
    const auto w = static_cast<std::size_t>(std::min_element(s.busy.begin(), s.busy.end()) - s.busy.begin());
    const double start = s.busy[w];
    s.busy[w] += costs[*job];
    s.jobs[w] += 1;
    s.placements.push_back({*job, static_cast<int>(w), start, s.busy[w]});
    s.total += costs[*job];
    s.longest = std::max(s.longest, costs[*job]);
  }
  s.makespan = *std::max_element(s.busy.begin(), s.busy.end());
  return s;
}

}  // namespace nimde::experiments
