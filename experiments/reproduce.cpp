// A reproduction in one process: `jobs` threads take runs from the schedule, each training with
// `threads` OpenMP threads.
#include "experiments/reproduce.hpp"

#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "experiments/reproduction.hpp"
#include "experiments/schedule.hpp"
#include "nn/directory_lock.hpp"

namespace nimde::experiments {

ReproduceResult reproduce(const ReproduceOptions& options, ReproduceProgress& progress, const std::atomic<bool>* stop) {
  using Clock = std::chrono::steady_clock;
  const Reproduction rep = prepare(options);
  const ReproduceOptions& o = rep.options;
  ReproduceResult result;
  result.runs = static_cast<int>(rep.jobs.size());
  if (o.plan) {
    result.plan = o.ranks > 0 ? plan_text(rep, o.ranks, "rank") : plan_text(rep, o.jobs, "worker");
    return result;
  }
  const nn::DirectoryLock lock(o.out);  // a second reproduction into DIR is refused
  std::filesystem::create_directories(std::filesystem::path(o.out) / "runs");
  std::filesystem::create_directories(std::filesystem::path(o.out) / "tables");
  const auto t0 = Clock::now();

  const int workers = std::min<int>(o.jobs, std::max<int>(1, static_cast<int>(rep.jobs.size())));
  std::mutex mutex;
  Schedule schedule(rep.costs());
  std::map<std::string, std::string> metrics;
  Execution execution{std::to_string(workers) + " run(s) at once in one process, " + std::to_string(o.threads) +
                          " thread(s) each",
                      "worker", std::vector<double>(workers, 0.0), std::vector<int>(workers, 0)};
  int done = 0;
  double done_cost = 0, total_cost = 0;
  for (const Job& j : rep.jobs) total_cost += j.cost;
  std::set<std::string> current;
  std::exception_ptr failure;
  auto report = [&] {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const double eta = done_cost > 0 ? elapsed * (total_cost - done_cost) / done_cost : NAN;
    progress.update(done, static_cast<int>(rep.jobs.size()), std::vector<std::string>(current.begin(), current.end()),
                    elapsed, eta);
  };
  auto worker = [&](int w) {
    for (;;) {
      const Job* job;
      {
        std::lock_guard<std::mutex> lock(mutex);
        const auto next = failure || (stop && stop->load()) ? std::nullopt : schedule.next();
        if (!next) return;
        job = &rep.jobs[*next];
        current.insert(job->id);
        report();
      }
      std::optional<std::string> text;
      const auto started = Clock::now();
      try {
        text = execute(rep, *job, o.threads, stop);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::make_exception_ptr(std::runtime_error("run " + job->id + ": " + e.what()));
      }
      std::lock_guard<std::mutex> lock(mutex);
      execution.busy[w] += std::chrono::duration<double>(Clock::now() - started).count();
      current.erase(job->id);
      if (text) {
        metrics[job->id] = std::move(*text);
        execution.runs[w] += 1;
        ++done;
        done_cost += job->cost;
      }
      report();
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back(worker, w);
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  if (stop && stop->load()) {
    result.interrupted = true;
    result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return result;
  }
  return finish(rep, metrics, execution, t0, progress);
}

}  // namespace nimde::experiments
