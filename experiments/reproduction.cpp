#include "experiments/reproduction.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "autodiff/parallel.hpp"
#include "experiments/analyses.hpp"
#include "experiments/output.hpp"
#include "experiments/paper_experiments.hpp"
#include "experiments/schedule.hpp"
#include "nn/model_file.hpp"
#include "nn/progress.hpp"
#include "nn/settings.hpp"
#include "nn/trainer.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json parse_or_null(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception&) {
    return json();  // a file cut short by a crash is recomputed
  }
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return json();
  std::stringstream s;
  s << in.rdbuf();
  return parse_or_null(s.str());
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

std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
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

/// The report's lines on how the runs were spread and how long they took: the only lines in
/// which reproductions of the same preset differ (besides the date).
std::string execution_lines(const Execution& e, double seconds) {
  std::ostringstream r;
  r << "- Execution: " << e.layout << "\n";
  const std::size_t n = e.busy.size();
  r << "- Busy time per " << e.worker_name << " (time in runs, runs done): ";
  if (n <= 16) {
    for (std::size_t k = 0; k < n; ++k)
      r << (k ? ", " : "") << e.worker_name << " " << k << " " << fixed(e.busy[k], 1) << " s (" << e.runs[k] << ")";
  } else {
    const auto [lo, hi] = std::minmax_element(e.busy.begin(), e.busy.end());
    const double mean = std::accumulate(e.busy.begin(), e.busy.end(), 0.0) / double(n);
    r << n << " " << e.worker_name << "s, from " << fixed(*lo, 1) << " s to " << fixed(*hi, 1) << " s, mean "
      << fixed(mean, 1) << " s";
  }
  r << "\n- Wall time of this invocation: " << fixed(seconds, 0) << " s (" << fixed(seconds / 60, 1)
    << " min; runs finished earlier are not counted)\n";
  return r.str();
}

void write_report(const Reproduction& rep, const Findings& findings, const Execution& execution, double seconds,
                  const std::string& figures_problem) {
  const fs::path out(rep.options.out);
  const Preset& preset = rep.preset;
  std::ostringstream r;
  const TrainingSettings& t = preset.training;
  r << "# Reproduction of Zhu, Jin, Zhu & Tang (ICML 2022): preset `" << preset.name << "`\n\n"
    << "- Machine: " << machine() << "\n"
    << "- Date: " << today() << "\n"
    << "- Runs: " << rep.jobs.size() << "\n"
    << execution_lines(execution, seconds)
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
  for (const Experiment& e : rep.experiments) {
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

std::vector<double> Reproduction::costs() const {
  std::vector<double> c;
  for (const Job& j : jobs) c.push_back(j.cost);
  return c;
}

fs::path Reproduction::run_dir(const Job& job) const { return fs::path(options.out) / "runs" / job.id; }

Reproduction prepare(const ReproduceOptions& o_in) {
  Reproduction r;
  r.options = o_in;
  ReproduceOptions& o = r.options;
  r.preset = experiments::preset(o.preset);
  ode::require_range("--seeds", o.seeds, 0, 100);
  if (o.seeds > 0) r.preset.seeds = o.seeds;
  ode::require_range("--threads", o.threads, 1, nn::kMaxThreads);
  ode::require_range("--jobs", o.jobs, 0, nn::kMaxWorkers);
  ode::require_range("--ranks", o.ranks, 0, nn::kMaxWorkers);
  ode::require(o.ranks == 0 || o.plan, "--ranks", o.ranks,
               "only with --plan (an MPI job has the ranks mpirun gives it)");
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  if (o.jobs == 0) o.jobs = std::max(1, cores / o.threads);
  for (const std::string& name : o.only)
    if (std::find(r.preset.experiments.begin(), r.preset.experiments.end(), name) == r.preset.experiments.end()) {
      std::string known;
      for (const std::string& e : r.preset.experiments) known += (known.empty() ? "" : ", ") + e;
      throw ode::SettingError("--only", ode::shown(name), "not an experiment of preset " + r.preset.name + " (" + known + ")");
    }
  if (!o.only.empty()) r.preset.experiments = o.only;
  r.experiments = paper_experiments(r.preset);

  // One job per distinct run, with the union of the analyses its experiments need.
  std::map<std::string, Job> by_id;
  for (const Experiment& e : r.experiments)
    for (const RunSpec& run : e.runs) {
      const std::string id = run_id(run);
      Job& j = by_id[id];
      j.run = run;
      j.id = id;
      j.cost = expected_cost(run);
      j.analyses.insert(e.analyses.begin(), e.analyses.end());
      if (const auto more = e.run_analyses.find(id); more != e.run_analyses.end())
        j.analyses.insert(more->second.begin(), more->second.end());
    }
  for (auto& [id, j] : by_id) r.jobs.push_back(std::move(j));
  return r;
}

std::optional<std::string> execute(const Reproduction& r, const Job& job, int threads, const std::atomic<bool>* stop) {
  const fs::path dir = r.run_dir(job);
  const fs::path metrics_path = dir / "metrics.json";
  json metrics = read_json(metrics_path);
  if (!metrics.is_object() || !metrics.contains("training")) {
    nn::NullProgress quiet;
    const bool resume = fs::exists(dir / "run.json");  // a run begun (resume restarts one without checkpoint)
    const nn::TrainResult t = resume ? nn::resume_training(dir.string(), quiet, stop)
                                     : nn::train(train_config(job.run, dir.string(), threads), quiet, stop);
    if (t.interrupted) return std::nullopt;
    metrics = json{{"run", to_json(job.run)},
                   {"id", job.id},
                   {"training", {{"iterations", t.iterations}, {"train_loss", t.train_loss}, {"seconds", t.seconds}}}};
    nn::write_file_atomically(metrics_path.string(), metrics.dump(1) + "\n");
  }
  const autodiff::ThreadScope scope(threads);  // the analyses' kernels share the run's threads
  std::unique_ptr<nn::Model> model;
  for (const std::string& key : job.analyses) {
    if (metrics.contains(key)) continue;
    if (stop && stop->load()) return std::nullopt;
    if (!model) model = std::make_unique<nn::Model>(nn::load_model((dir / "model.json").string()));
    metrics[key] = analyse(*model, key);
    nn::write_file_atomically(metrics_path.string(), metrics.dump(1) + "\n");
  }
  return metrics.dump(1) + "\n";  // exactly the file's text
}

ReproduceResult finish(const Reproduction& rep, const std::map<std::string, std::string>& texts,
                       const Execution& execution, std::chrono::steady_clock::time_point started,
                       ReproduceProgress& progress) {
  const fs::path out(rep.options.out);
  std::map<std::string, json> metrics;
  for (const Job& j : rep.jobs) {
    const auto t = texts.find(j.id);
    metrics[j.id] = t != texts.end() ? parse_or_null(t->second) : read_json(rep.run_dir(j) / "metrics.json");
  }
  const MetricsOf metrics_of = [&](const RunSpec& r) -> const json& { return metrics.at(run_id(r)); };
  Findings findings;
  for (const Experiment& e : rep.experiments) {
    progress.message("report: " + e.name);
    e.report(metrics_of, findings);
  }
  for (const auto& [name, rows] : findings.tables) write_table(out / "tables" / (name + ".csv"), rows);
  std::string figures_problem = "skipped (--no-figures)";
  if (rep.options.figures) figures_problem = draw_figures(out);
  ReproduceResult result;
  result.runs = static_cast<int>(rep.jobs.size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  write_report(rep, findings, execution, result.seconds, figures_problem);
  result.conclusions = static_cast<int>(findings.conclusions.size());
  for (const Conclusion& c : findings.conclusions) result.failed += !c.pass;
  result.report = (out / "REPORT.md").string();
  return result;
}

std::string plan_text(const Reproduction& r, int workers, const std::string& worker_name) {
  const std::vector<double> costs = r.costs();
  const SimulatedSchedule s = simulate_schedule(costs, workers);
  // Costs as shares of the whole: 1 is the wall time of all runs one after another.
  const double total = s.total > 0 ? s.total : 1;
  std::ostringstream t;
  t << "plan: preset " << r.preset.name << ", " << r.jobs.size() << " runs on " << workers << " " << worker_name
    << (workers == 1 ? "" : "s") << ", longest expected first, each to the " << worker_name
    << " that frees up first\n"
    << "cost: a run's expected training time as a share of all runs' (field evaluations x points x iterations x "
       "width^2)\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-56s %10s %6s %10s %10s\n", "run", "cost", worker_name.c_str(), "start", "end");
  t << line;
  for (const Placement& p : s.placements) {
    std::snprintf(line, sizeof line, "%-56s %10.6f %6d %10.6f %10.6f\n", r.jobs[p.job].id.c_str(), costs[p.job] / total,
                  p.worker, p.start / total, p.end / total);
    t << line;
  }
  std::snprintf(line, sizeof line, "\n%6s %6s %10s\n", worker_name.c_str(), "runs", "busy");
  t << line;
  for (int w = 0; w < workers; ++w) {
    std::snprintf(line, sizeof line, "%6d %6d %10.6f\n", w, s.jobs[w], s.busy[w] / total);
    t << line;
  }
  const double balance = s.makespan > 0 ? s.total / (workers * s.makespan) : 1;
  std::snprintf(line, sizeof line,
                "\nwall time    %.6f (1 = all runs on one %s)\nlower bound  %.6f = max(longest run %.6f, all runs / "
                "%d %ss %.6f): no schedule finishes sooner\nbalance      %.1f %% (mean busy time / wall time)\n",
                s.makespan / total, worker_name.c_str(), s.lower_bound() / total, s.longest / total, workers,
                worker_name.c_str(), s.total / workers / total, 100 * balance);
  t << line;
  return t.str();
}

}  // namespace nimde::experiments
