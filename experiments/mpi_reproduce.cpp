// The MPI path of `nimde reproduce`. Only the main thread of a rank calls MPI (the training runs
// in a thread of its own beside it, MPI_THREAD_FUNNELED), and it waits by polling with a short
// sleep: Open MPI's blocking calls spin on a core that the training needs.
//
// Messages, each a JSON text:
//   worker → 0  kReport  the outcome of the last job (none at first) and a request for the next:
//                        {"job": i, "metrics": text | "interrupted": true | "error": why, "busy": s, "runs": n}
//   0 → worker  kAssign  {"job": i, "id": run id} or {"job": -1}: nothing left
//   0 → worker  kStop    checkpoint the run in flight and report (rank 0 was stopped)
//   0 → worker  kFinish  the reproduction is over: a worker told "nothing left" may finalize
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "experiments/mpi_reproduce.hpp"
#include "experiments/reproduction.hpp"
#include "experiments/schedule.hpp"
#include "nn/directory_lock.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kReport = 1, kAssign = 2, kStop = 3, kFinish = 4;
constexpr auto kPoll = std::chrono::milliseconds(20);

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// MPI from MPI_Init_thread to MPI_Finalize.
class Session {
 public:
  Session() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    if (provided < MPI_THREAD_FUNNELED) {
      MPI_Finalize();
      throw std::runtime_error("the MPI library does not allow threads beside the one that calls it "
                               "(MPI_THREAD_FUNNELED)");
    }
  }
  ~Session() { MPI_Finalize(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

void send(const json& message, int to, int tag) {
  const std::string text = message.dump();
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

/// A message with `tag` from `from` (or MPI_ANY_SOURCE), if one has arrived: its source and body.
std::optional<std::pair<int, json>> try_receive(int from, int tag) {
  int arrived = 0;
  MPI_Status status;
  MPI_Iprobe(from, tag, MPI_COMM_WORLD, &arrived, &status);
  if (!arrived) return std::nullopt;
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<std::size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return std::make_pair(status.MPI_SOURCE, json::parse(text));
}

bool signalled(const std::atomic<bool>* stop) { return stop && stop->load(); }

/// One job run in a thread beside the rank's main thread, so that the main thread stays free
/// for messages while it trains.
class Runner {
 public:
  Runner(const Reproduction& rep, const Job& job, std::atomic<bool>& halt)
      : started_(Clock::now()), thread_([this, &rep, &job, &halt] {
          try {
            text_ = execute(rep, job, rep.options.threads, &halt);
          } catch (const std::exception& e) {
            error_ = e.what();
          }
          done_ = true;
        }) {}
  ~Runner() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_; }
  /// Waits for the job; its outcome as a report {"metrics"|"interrupted"|"error"}.
  json outcome() {
    thread_.join();
    seconds_ = seconds_since(started_);
    if (!error_.empty()) return json{{"error", error_}};
    if (!text_) return json{{"interrupted", true}};
    return json{{"metrics", *text_}};
  }
  double seconds() const { return seconds_; }

 private:
  Clock::time_point started_;
  std::optional<std::string> text_;
  std::string error_;
  std::atomic<bool> done_{false};
  double seconds_ = 0;
  std::thread thread_;
};

/// Rank 0: hands out the jobs, trains its share in a thread of its own, gathers the metrics
/// and writes tables, figures and report.
ReproduceResult rank_zero(const Reproduction& rep, const Session& mpi, ReproduceProgress& progress,
                          const std::atomic<bool>* stop) {
  const auto t0 = Clock::now();
  const int size = mpi.size();
  Schedule schedule(rep.costs());
  std::map<std::string, std::string> metrics;
  Execution execution{std::to_string(size) + " MPI rank(s), one run at a time each, " +
                          std::to_string(rep.options.threads) + " thread(s) each",
                      "rank", std::vector<double>(size, 0.0), std::vector<int>(size, 0)};
  std::atomic<bool> halt{false};
  std::string failure;
  std::map<int, std::size_t> in_flight;  // by rank, rank 0's own job included
  std::set<int> open;                     // worker ranks not yet told "nothing left"
  for (int r = 1; r < size; ++r) open.insert(r);
  std::vector<int> told_none;
  int done = 0;
  double done_cost = 0, total_cost = 0;
  for (const Job& j : rep.jobs) total_cost += j.cost;

  auto show = [&] {
    std::vector<std::string> current;
    for (const auto& [r, j] : in_flight) current.push_back(rep.jobs[j].id);
    const double elapsed = seconds_since(t0);
    progress.update(done, static_cast<int>(rep.jobs.size()), current, elapsed,
                    done_cost > 0 ? elapsed * (total_cost - done_cost) / done_cost : NAN);
  };
  auto next_job = [&]() -> std::optional<std::size_t> {
    if (halt || !failure.empty()) return std::nullopt;
    return schedule.next();
  };
  // A finished job's report, from rank `r` (0 included).
  auto record = [&](int r, const json& report) {
    const std::size_t j = in_flight.at(r);
    in_flight.erase(r);
    execution.busy[r] = report.at("busy").get<double>();
    execution.runs[r] = report.at("runs").get<int>();
    if (report.contains("error")) {
      if (failure.empty()) failure = "run " + rep.jobs[j].id + ": " + report["error"].get<std::string>();
    } else if (report.contains("interrupted")) {
      // One stopped rank stops the reproduction, as Ctrl-C does: all resume together.
      halt = true;
    } else {
      metrics[rep.jobs[j].id] = report.at("metrics").get<std::string>();
      ++done;
      done_cost += rep.jobs[j].cost;
    }
    show();
  };
  auto stop_everyone = [&] {
    halt = true;
    for (const auto& [r, j] : in_flight)
      if (r != 0) send(json::object(), r, kStop);
  };

  std::optional<Runner> local;
  double local_busy = 0;
  int local_runs = 0;
  bool local_open = true;
  for (;;) {
    if (signalled(stop) && !halt) stop_everyone();
    bool idle = true;
    // Rank 0's own share.
    if (local && local->done()) {
      json report = local->outcome();
      local_busy += local->seconds();
      local_runs += report.contains("metrics");
      report["busy"] = local_busy;
      report["runs"] = local_runs;
      local.reset();
      const bool was_halted = halt;
      record(0, report);
      if (halt && !was_halted) stop_everyone();
      idle = false;
    }
    if (!local && local_open) {
      if (const auto j = next_job()) {
        in_flight[0] = *j;
        local.emplace(rep, rep.jobs[*j], halt);
        show();
      } else {
        local_open = false;
      }
      idle = false;
    }
    // The workers' reports and requests.
    while (const auto message = try_receive(MPI_ANY_SOURCE, kReport)) {
      const auto& [r, report] = *message;
      idle = false;
      if (report.at("job").get<long>() >= 0) {
        const bool was_halted = halt;
        record(r, report);
        if (halt && !was_halted) stop_everyone();
        if (report.contains("interrupted")) {
          open.erase(r);  // a stopped worker asks for nothing more
          continue;
        }
      }
      if (const auto j = next_job()) {
        in_flight[r] = *j;
        send(json{{"job", *j}, {"id", rep.jobs[*j].id}}, r, kAssign);
        show();
      } else {
        send(json{{"job", -1}}, r, kAssign);
        open.erase(r);
        told_none.push_back(r);
      }
    }
    if (!local && !local_open && open.empty()) break;
    if (idle) std::this_thread::sleep_for(kPoll);
  }

  // Whatever happens next, the workers waiting for the end are released.
  struct Release {
    const std::vector<int>& ranks;
    ~Release() {
      for (int r : ranks) send(json::object(), r, kFinish);
    }
  } release{told_none};
  if (!failure.empty()) throw std::runtime_error(failure);
  ReproduceResult result;
  result.runs = static_cast<int>(rep.jobs.size());
  if (halt) {
    result.interrupted = true;
    result.seconds = seconds_since(t0);
    return result;
  }
  return finish(rep, metrics, execution, t0, progress);
}

/// A rank other than 0: asks rank 0 for a job, runs it, reports it with the next request.
ReproduceResult worker(const Reproduction& rep, const Session& mpi, const std::atomic<bool>* stop) {
  ReproduceResult result;
  result.rank = mpi.rank();
  std::atomic<bool> halt{false};
  auto poll_stop = [&] {
    if (signalled(stop)) halt = true;
    while (try_receive(0, kStop)) halt = true;
  };
  json report{{"job", -1}};
  double busy = 0;
  int runs = 0;
  for (;;) {
    send(report, 0, kReport);
    std::optional<std::pair<int, json>> reply;
    while (!(reply = try_receive(0, kAssign))) {
      poll_stop();
      std::this_thread::sleep_for(kPoll);
    }
    const long j = reply->second.at("job").get<long>();
    if (j < 0) break;
    const Job& job = rep.jobs.at(static_cast<std::size_t>(j));
    report = json{{"job", j}};
    if (job.id != reply->second.at("id").get<std::string>()) {
      // The ranks list their runs alike only when they run the same nimde with the same options.
      report["error"] = "rank " + std::to_string(mpi.rank()) + " has run " + job.id + " where rank 0 has " +
                        reply->second.at("id").get<std::string>() + ": the ranks run different builds of nimde";
    } else if (halt) {
      report["interrupted"] = true;
    } else {
      Runner runner(rep, job, halt);
      while (!runner.done()) {
        poll_stop();
        std::this_thread::sleep_for(kPoll);
      }
      report.update(runner.outcome());
      busy += runner.seconds();
      runs += report.contains("metrics");
    }
    report["busy"] = busy;
    report["runs"] = runs;
    if (report.contains("interrupted")) {
      send(report, 0, kReport);
      result.interrupted = true;
      return result;
    }
  }
  // Nothing left: wait (without spinning in MPI_Finalize) for rank 0 to end the reproduction.
  while (!try_receive(0, kFinish)) {
    if (signalled(stop)) {
      result.interrupted = true;
      return result;
    }
    while (try_receive(0, kStop)) {
    }
    std::this_thread::sleep_for(kPoll);
  }
  while (try_receive(0, kStop)) {
  }
  return result;
}

}  // namespace

bool built_with_mpi() { return true; }

ReproduceResult reproduce_mpi(const ReproduceOptions& options, ReproduceProgress& progress,
                              const std::atomic<bool>* stop) {
  const Session mpi;
  Reproduction rep;
  try {
    ode::require(options.jobs <= 1, "--jobs", options.jobs,
                 "under MPI each rank trains one run at a time: start more ranks, or give each more --threads");
    rep = prepare(options);
  } catch (...) {
    if (mpi.rank() != 0) throw ReportedByRankZero();  // every rank finds the same fault; one says so
    throw;
  }
  if (rep.options.plan) {
    ReproduceResult plan;
    plan.rank = mpi.rank();
    plan.runs = static_cast<int>(rep.jobs.size());
    if (mpi.rank() == 0) plan.plan = plan_text(rep, rep.options.ranks > 0 ? rep.options.ranks : mpi.size(), "rank");
    return plan;
  }
  // Rank 0 alone holds DIR's lock: a second reproduction into DIR is refused on its rank 0.
  std::optional<nn::DirectoryLock> lock;
  std::string refusal;
  if (mpi.rank() == 0) try {
      lock.emplace(rep.options.out);
      fs::create_directories(fs::path(rep.options.out) / "runs");
      fs::create_directories(fs::path(rep.options.out) / "tables");
    } catch (const std::exception& e) {
      refusal = e.what();
    }
  int go = refusal.empty() ? 1 : 0;
  MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!go) {
    if (mpi.rank() != 0) throw ReportedByRankZero();
    throw std::runtime_error(refusal);
  }
  return mpi.rank() == 0 ? rank_zero(rep, mpi, progress, stop) : worker(rep, mpi, stop);
}

}  // namespace nimde::experiments
