// One step of a method on the pendulum over 10,000 points (Array<double>): the cost of data
// generation and plain evaluation, from one field evaluation (euler) to sv6's 27 and the
// fixed-point iterations of implicit midpoint; and the whole reference flow of a data set.
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "nn/dataset.hpp"
#include "ode/method.hpp"
#include "ode/systems.hpp"

namespace {

using namespace nimde;

constexpr std::size_t kPoints = 10000;

autodiff::Array<double> pendulum_points() {
  const ode::System& sys = ode::system("pendulum");
  std::mt19937_64 rng(1);
  autodiff::Tensor<double> x = autodiff::zeros<double>(kPoints, 2);
  for (std::size_t i = 0; i < kPoints; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      x(i, k) = std::uniform_real_distribution<double>(sys.domain[k].first, sys.domain[k].second)(rng);
  return autodiff::Array<double>(x);
}

void bm_step(benchmark::State& state, const std::string& method) {
  const ode::System& sys = ode::system("pendulum");
  const ode::Method m = ode::method(method);
  const autodiff::Array<double> x = pendulum_points();
  const nn::DataSetup setup = nn::data_setup(sys);
  const double h = setup.T / setup.substeps;
  for (auto _ : state) {
    autodiff::Array<double> y = m.step(sys.field, x, h);
    benchmark::DoNotOptimize(y.value().data());
  }
  state.counters["points/s"] = benchmark::Counter(static_cast<double>(kPoints), benchmark::Counter::kIsIterationInvariantRate);
}

// The paper's reference flow: sv6 with 10 substeps over T = 0.04 at 10,000 pendulum points,
// what generating a training set costs.
void bm_reference_flow(benchmark::State& state) {
  const ode::System& sys = ode::system("pendulum");
  const autodiff::Array<double> x = pendulum_points();
  for (auto _ : state) benchmark::DoNotOptimize(nn::reference_flow(sys, x.value(), 0.04).data());
  state.counters["points/s"] = benchmark::Counter(static_cast<double>(kPoints), benchmark::Counter::kIsIterationInvariantRate);
}

const int kRegistered = [] {
  for (const char* method : {"euler", "midpoint", "rk4", "implicit-midpoint", "stormer-verlet", "sv6"}) {
    const std::string name = std::string("step/") + method + "/pendulum/f64/10000";
    // No UseRealTime(): it would append "/real_time" to the name.
    benchmark::RegisterBenchmark(name.c_str(), [method](benchmark::State& s) { bm_step(s, method); })
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("reference_flow/sv6/pendulum/10000", bm_reference_flow)->Unit(benchmark::kMillisecond);
  return 0;
}();

}  // namespace
