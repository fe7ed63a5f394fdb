// `nimde data`: the training and test pairs that `nimde train` with the same settings fits and
// `nimde eval`/`compare` regenerate from the seed, written as files. Code outside nimde (a
// PyTorch loop, experiments/torch_bridge.py's users) then fits exactly the pairs our analysis
// will check it against, with no second reference integrator to keep in agreement.
//   nimde data (--system NAME | --field EXPR --domain ...) [--T T] [--points N] [--test-points M]
//              [--seed s] [--noise σ] [--format csv|binary] --out DIR
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "nn/dataset.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {
namespace {

struct DataOptions {
  SystemOptions system;
  std::string T, noise = "0", out, format;
  long long points = 0, test_points = 0;
  std::uint64_t seed = 0;
  CLI::Option *points_given = nullptr, *test_points_given = nullptr;  ///< not given: the system's (data_setup)
};

void run_data(const DataOptions& o) {
  const ode::System sys = make_system(o.system);
  const nn::DataSetup setup = nn::data_setup(sys);
  const double T = o.T.empty() ? setup.T : parse_positive(o.T, "--T");
  const double noise = ode::parse_double(o.noise, "--noise");
  ode::require(noise >= 0, "--noise", noise, "must not be negative");
  const long long points = o.points_given->count() ? o.points : static_cast<long long>(setup.train_points);
  const long long test_points = o.test_points_given->count() ? o.test_points : static_cast<long long>(setup.test_points);
  ode::require_range<long long>("--points", points, 1, nn::kMaxPoints);
  ode::require_range<long long>("--test-points", test_points, 1, nn::kMaxPoints);
  ode::require(!o.out.empty(), "--out", o.out, "a directory is needed");

  const nn::DataSplit split = nn::make_split(sys, static_cast<std::size_t>(points), static_cast<std::size_t>(test_points),
                                             T, o.seed, noise);
  std::filesystem::create_directories(o.out);
  const std::string ext = o.format == "csv" ? ".csv" : ".bin";
  const std::string train = (std::filesystem::path(o.out) / ("train" + ext)).string(),
                    test = (std::filesystem::path(o.out) / ("test" + ext)).string();
  nn::save_dataset(split.train, train);
  nn::save_dataset(split.test, test);
  std::cout << train << ": " << split.train.size() << " pairs (x, phi_T(x)) of " << sys.name << ", T = " << T
            << ", targets by " << setup.reference << " with " << setup.substeps << " substeps"
            << (noise > 0 ? " plus noise" : "") << "\n"
            << test << ": " << split.test.size() << " pairs" << (setup.trajectory ? " (the training trajectory)" : "")
            << "\n";
}

}  // namespace

void add_data(CLI::App& app) {
  auto o = std::make_shared<DataOptions>();
  auto* cmd = app.add_subcommand("data", "Write the training and test pairs a run with these settings uses");
  add_system_options(cmd, o->system, true);
  cmd->add_option("--T", o->T, "Data step T (default: the system's, 0.04 pendulum)");
  o->points_given = cmd->add_option("--points", o->points, "Training points (default: the system's, 10000)");
  o->test_points_given = cmd->add_option("--test-points", o->test_points, "Test points (default: the system's, 2000)");
  cmd->add_option("--seed", o->seed, "Seed, as given to nimde train")->capture_default_str();
  cmd->add_option("--noise", o->noise, "Std of Gaussian noise on the training targets")->capture_default_str();
  add_choice_option(cmd, "--format", o->format, {"csv", "binary"}, "File format (nn/dataset.hpp)");
  cmd->add_option("--out", o->out, "Directory for train.csv and test.csv (or .bin)")->required();
  cmd->callback([o] { run_data(*o); });
}

}  // namespace nimde::experiments
