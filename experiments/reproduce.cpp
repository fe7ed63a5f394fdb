#include "experiments/reproduce.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "autodiff/parallel.hpp"
#include "experiments/analyses.hpp"
#include "experiments/output.hpp"
#include "experiments/paper_experiments.hpp"
#include "experiments/presets.hpp"
#include "nn/directory_lock.hpp"
#include "nn/model_file.hpp"
#include "nn/progress.hpp"
#include "nn/trainer.hpp"

namespace nimde::experiments {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// A run and every analysis the experiments that use it need.
struct Job {
  RunSpec run;
  std::string id;
  std::set<std::string> analyses;
  double cost = 0;
};

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return json();
  try {
    return json::parse(in);
  } catch (const json::exception&) {
    return json();  // a file cut short by a crash is recomputed
  }
}

/// Trains the run (resuming a checkpoint, skipping a finished training), then computes the
/// analyses metrics.json lacks. Returns false when stopped.
bool execute(const Job& job, const fs::path& dir, int threads, const std::atomic<bool>* stop) {
  const fs::path metrics_path = dir / "metrics.json";
  json metrics = read_json(metrics_path);
  if (!metrics.is_object() || !metrics.contains("training")) {
    nn::NullProgress quiet;
    const bool resume = fs::exists(dir / "run.json");  // a run begun (resume restarts one without checkpoint)
    const nn::TrainResult r = resume ? nn::resume_training(dir.string(), quiet, stop)
                                     : nn::train(train_config(job.run, dir.string(), threads), quiet, stop);
    if (r.interrupted) return false;
    metrics = json{{"run", to_json(job.run)},
                   {"id", job.id},
                   {"training", {{"iterations", r.iterations}, {"train_loss", r.train_loss}, {"seconds", r.seconds}}}};
    nn::write_file_atomically(metrics_path.string(), metrics.dump(1) + "\n");
  }
  const autodiff::ThreadScope scope(threads);  // the analyses' kernels share the run's threads
  std::unique_ptr<nn::Model> model;
  for (const std::string& key : job.analyses) {
    if (metrics.contains(key)) continue;
    if (stop && stop->load()) return false;
    if (!model) model = std::make_unique<nn::Model>(nn::load_model((dir / "model.json").string()));
    metrics[key] = analyse(*model, key);
    nn::write_file_atomically(metrics_path.string(), metrics.dump(1) + "\n");
  }
  return true;
}

std::string number(double v) { return std::isnan(v) ? "" : round_trip(v); }

void write_table(const fs::path& path, const std::vector<TableRow>& rows) {
  std::ostringstream s;
  s << "experiment,run_id,system,method,T,S,h,seed,series,x,quantity,value\n";
  for (const TableRow& r : rows)
    s << r.experiment << "," << r.run_id << "," << r.system << "," << r.method << "," << number(r.T) << ","
      << number(r.S) << "," << number(r.h) << "," << number(r.seed) << "," << r.series << "," << number(r.x) << ","
      << r.quantity << "," << (std::isnan(r.value) ? "nan" : round_trip(r.value)) << "\n";
  nn::write_file_atomically(path.string(), s.str());
}

std::string machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores; compiler " + __VERSION__;
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return b;
}

std::string markdown_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

/// Draws the figures with the project's script; returns an empty string or why it could not.
std::string draw_figures(const fs::path& out) {
  const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string script = NIMDE_FIGURES_SCRIPT;
  if (std::system((python + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) != 0)
    return "python3 with matplotlib was not found (Debian: apt-get install python3-matplotlib)";
  const std::string command = python + " '" + script + "' '" + out.string() + "' > '" + (out / "figures.log").string() + "' 2>&1";
  if (std::system(command.c_str()) != 0) return "the figure script failed: see " + (out / "figures.log").string();
  return "";
}

void write_report(const fs::path& out, const Preset& preset, const std::vector<Experiment>& experiments,
                  const Findings& findings, std::size_t runs, double seconds, const ReproduceOptions& o,
                  const std::string& figures_problem) {
  std::ostringstream r;
  const TrainingSettings& t = preset.training;
  r << "# Reproduction of Zhu, Jin, Zhu & Tang (ICML 2022): preset `" << preset.name << "`\n\n"
    << "- Machine: " << machine() << "\n"
    << "- Date: " << today() << "\n"
    << "- Runs: " << runs << ", " << o.jobs << " at once with " << o.threads << " thread(s) each\n";
  char wall[64];
  std::snprintf(wall, sizeof wall, "%.0f s (%.1f min)", seconds, seconds / 60);
  r << "- Wall time of this invocation: " << wall << " (runs finished earlier are not counted)\n"
    << "- Training: " << t.points << " training and " << t.test_points << " test points, width " << t.width << " x 2 tanh, "
    << t.optimizer << " in " << t.dtype << ", " << t.iterations << " iterations, lr " << t.lr
    << (t.optimizer == "adam" ? " decayed geometrically by " + round_trip(t.lr_decay) : std::string()) << ", best of checkpoints every "
    << t.checkpoint_every << "; seeds per Figure 2 setting: " << preset.seeds << "\n\n";
  r << "## Departures from the paper\n\n";
  if (preset.departures.empty()) r << "None: these are the paper's settings.\n";
  for (const std::string& d : preset.departures) r << "- " << d << "\n";
  int failed = 0;
  for (const Conclusion& c : findings.conclusions) failed += !c.pass;
  r << "\n## Conclusions: " << findings.conclusions.size() - failed << " of " << findings.conclusions.size()
    << " pass\n\n| experiment | claim | measured | result |\n|---|---|---|---|\n";
  for (const Conclusion& c : findings.conclusions)
    r << "| " << c.experiment << " | " << markdown_cell(c.claim) << " | " << markdown_cell(c.measured) << " | "
      << (c.pass ? "pass" : "**FAIL**") << " |\n";
  r << "\n## Figures\n\n";
  if (!figures_problem.empty())
    r << "Not drawn: " << figures_problem << ". Draw them later with `/usr/bin/python3 experiments/figures.py "
      << out.string() << "`.\n\n";
  for (const Experiment& e : experiments) {
    std::string name = e.name;
    std::replace(name.begin(), name.end(), '-', '_');
    r << "### " << e.title << "\n\n";
    if (fs::exists(out / "figures" / (name + ".png"))) r << "![" << e.title << "](figures/" << name << ".png)\n\n";
    if (findings.tables.count(name)) r << "Table: `tables/" << name << ".csv`\n\n";
  }
  r << "## How the fits were made\n\n";
  for (const std::string& n : findings.notes) r << "- " << n << "\n";
  r << "\nTables are tidy CSV (experiment, run_id, system, method, T, S, h, seed, series, x, quantity, value); "
       "every run's model, loss curve and metrics are in `runs/<run-id>/`.\n";
  nn::write_file_atomically((out / "REPORT.md").string(), r.str());
  std::ostringstream csv;
  csv << "experiment,claim,measured,pass\n";
  for (const Conclusion& c : findings.conclusions)
    csv << c.experiment << ",\"" << c.claim << "\",\"" << c.measured << "\"," << (c.pass ? 1 : 0) << "\n";
  nn::write_file_atomically((out / "tables" / "conclusions.csv").string(), csv.str());
}

}  // namespace

ReproduceResult reproduce(const ReproduceOptions& o_in, ReproduceProgress& progress, const std::atomic<bool>* stop) {
  ReproduceOptions o = o_in;
  Preset preset = experiments::preset(o.preset);
  if (o.seeds < 0 || o.seeds > 100) throw std::invalid_argument("--seeds " + std::to_string(o.seeds) + " is out of range 1..100");
  if (o.seeds > 0) preset.seeds = o.seeds;
  if (o.threads < 1 || o.threads > 256) throw std::invalid_argument("--threads " + std::to_string(o.threads) + " is out of range 1..256");
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  if (o.jobs < 0 || o.jobs > 1024) throw std::invalid_argument("--jobs " + std::to_string(o.jobs) + " is out of range 1..1024");
  if (o.jobs == 0) o.jobs = std::max(1, cores / o.threads);
  for (const std::string& name : o.only)
    if (std::find(preset.experiments.begin(), preset.experiments.end(), name) == preset.experiments.end()) {
      std::string known;
      for (const std::string& e : preset.experiments) known += (known.empty() ? "" : ", ") + e;
      throw std::invalid_argument("--only '" + name + "' is not an experiment of preset " + preset.name + " (" + known + ")");
    }
  if (!o.only.empty()) preset.experiments = o.only;
  const std::vector<Experiment> experiments = paper_experiments(preset);

  // One job per distinct run, with the union of the analyses its experiments need.
  std::map<std::string, Job> jobs_by_id;
  for (const Experiment& e : experiments)
    for (const RunSpec& r : e.runs) {
      const std::string id = run_id(r);
      Job& j = jobs_by_id[id];
      j.run = r;
      j.id = id;
      j.cost = expected_cost(r);
      j.analyses.insert(e.analyses.begin(), e.analyses.end());
    }
  std::vector<Job> jobs;
  for (auto& [id, j] : jobs_by_id) jobs.push_back(j);
  std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.cost > b.cost; });

  const fs::path out(o.out);
  ReproduceResult result;
  result.runs = static_cast<int>(jobs.size());
  if (o.plan) {
    double total = 0;
    for (const Job& j : jobs) total += j.cost;
    for (const Job& j : jobs) progress.message(j.id + "  cost " + round_trip(j.cost / total));
    return result;
  }
  const nn::DirectoryLock lock(out.string());  // a second reproduction into DIR is refused
  fs::create_directories(out / "runs");
  fs::create_directories(out / "tables");
  const auto t0 = Clock::now();

  // J workers take the longest remaining run first.
  std::mutex mutex;
  std::size_t next = 0;
  int done = 0;
  double done_cost = 0, total_cost = 0;
  for (const Job& j : jobs) total_cost += j.cost;
  std::set<std::string> current;
  std::exception_ptr failure;
  auto report = [&] {
    const double elapsed = seconds_since(t0);
    const double eta = done_cost > 0 ? elapsed * (total_cost - done_cost) / done_cost : NAN;
    progress.update(done, static_cast<int>(jobs.size()), std::vector<std::string>(current.begin(), current.end()),
                    elapsed, eta);
  };
  auto worker = [&] {
    for (;;) {
      const Job* job;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == jobs.size() || failure || (stop && stop->load())) return;
        job = &jobs[next++];
        current.insert(job->id);
        report();
      }
      bool finished = false;
      try {
        finished = execute(*job, out / "runs" / job->id, o.threads, stop);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure)
          failure = std::make_exception_ptr(std::runtime_error("run " + job->id + ": " + e.what()));
      }
      std::lock_guard<std::mutex> lock(mutex);
      current.erase(job->id);
      if (finished) {
        ++done;
        done_cost += job->cost;
      }
      report();
    }
  };
  std::vector<std::thread> workers;
  for (int k = 0; k < std::min<int>(o.jobs, static_cast<int>(jobs.size())); ++k) workers.emplace_back(worker);
  for (std::thread& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
  if (stop && stop->load()) {
    result.interrupted = true;
    result.seconds = seconds_since(t0);
    return result;
  }

  // The experiments read the metrics.
  std::map<std::string, json> metrics;
  for (const Job& j : jobs) metrics[j.id] = read_json(out / "runs" / j.id / "metrics.json");
  const MetricsOf metrics_of = [&](const RunSpec& r) -> const json& { return metrics.at(run_id(r)); };
  Findings findings;
  for (const Experiment& e : experiments) {
    progress.message("report: " + e.name);
    e.report(metrics_of, findings);
  }
  for (const auto& [name, rows] : findings.tables) write_table(out / "tables" / (name + ".csv"), rows);
  std::string figures_problem = "skipped (--no-figures)";
  if (o.figures) figures_problem = draw_figures(out);
  result.seconds = seconds_since(t0);
  write_report(out, preset, experiments, findings, jobs.size(), result.seconds, o, figures_problem);
  result.conclusions = static_cast<int>(findings.conclusions.size());
  for (const Conclusion& c : findings.conclusions) result.failed += !c.pass;
  result.report = (out / "REPORT.md").string();
  return result;
}

}  // namespace nimde::experiments
