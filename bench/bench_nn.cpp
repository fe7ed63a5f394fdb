// Network benchmarks on the paper's field 2 → 128 → 128 → 2 (tanh) at 10,000 points:
// forward and backward through S unrolled steps of a method (mlp_field_fwd_bwd).
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "autodiff/parallel.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"
#include "nn/optimizer.hpp"
#include "ode/systems.hpp"

namespace {

using namespace nimde;

constexpr std::size_t kPoints = 10000;

/// FLOPs of one field evaluation forward + backward (three GEMMs per dense layer, the
/// input-layer gradient excluded as the data need none): 2·n·(2·128 + 128·128 + 128·2) forward.
double field_flops() {
  const double fwd = 2.0 * kPoints * (2 * 128 + 128 * 128 + 128 * 2);
  return 3 * fwd;
}

std::pair<autodiff::Tensor<double>, autodiff::Tensor<double>> pendulum_data() {
  const ode::System& sys = ode::system("pendulum");
  std::mt19937_64 rng(1);
  autodiff::Tensor<double> x = autodiff::zeros<double>(kPoints, 2);
  for (std::size_t i = 0; i < kPoints; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      x(i, k) = std::uniform_real_distribution<double>(sys.domain[k].first, sys.domain[k].second)(rng);
  autodiff::Array<double> y = ode::integrate(ode::method("sv6"), sys.field, autodiff::Array<double>(x), 0.004, 10);
  return {x, y.value()};
}

void bm_mlp_field(benchmark::State& state, const std::string& method, int steps, int evaluations_per_step) {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 128, 2, nn::MlpActivation::tanh, nn::Init::orthogonal, 0));
  const auto [x, y] = pendulum_data();
  auto objective = nn::make_objective(nn::MlpField(params), ode::method(method), steps, 0.04, x, y, "f32");
  std::vector<autodiff::Tensor<double>> grad;
  for (auto _ : state) benchmark::DoNotOptimize(objective->loss_and_grad(grad));
  state.counters["GFLOP/s"] = benchmark::Counter(field_flops() * steps * evaluations_per_step * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = autodiff::num_threads();
}

/// One full Adam iteration: forward through S steps, backward, update.
void bm_train_step(benchmark::State& state, const std::string& method, int steps, const std::string& dtype, int threads) {
  const int saved = autodiff::num_threads();
  autodiff::set_num_threads(threads);
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 128, 2, nn::MlpActivation::tanh, nn::Init::orthogonal, 0));
  const auto [x, y] = pendulum_data();
  auto objective = nn::make_objective(nn::MlpField(params), ode::method(method), steps, 0.04, x, y, dtype);
  std::vector<autodiff::Tensor<double>*> plist;
  for (std::size_t l = 0; l < params->layers(); ++l) {
    plist.push_back(&params->weights[l]);
    plist.push_back(&params->biases[l]);
  }
  nn::Adam adam(plist, nn::make_schedule("geometric", 0.01, 1000000, 1000));
  std::vector<autodiff::Tensor<double>> grad;
  for (auto _ : state) {
    benchmark::DoNotOptimize(objective->loss_and_grad(grad));
    adam.step(grad);
  }
  const int evaluations = method == "rk4" ? 4 : method == "midpoint" ? 2 : 1;
  state.counters["GFLOP/s"] = benchmark::Counter(field_flops() * steps * evaluations * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  autodiff::set_num_threads(saved);
}

const int kRegistered = [] {
  struct Case {
    const char* method;
    int steps, stages;
  };
  for (Case c : {Case{"euler", 2, 1}, Case{"midpoint", 1, 2}, Case{"rk4", 1, 4}}) {
    const std::string name = std::string("mlp_field_fwd_bwd/") + c.method + "/S" + std::to_string(c.steps) + "/f32";
    benchmark::RegisterBenchmark(name.c_str(), [c](benchmark::State& s) { bm_mlp_field(s, c.method, c.steps, c.stages); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  for (Case c : {Case{"euler", 2, 1}, Case{"midpoint", 1, 2}, Case{"rk4", 1, 4}})
    for (const char* dtype : {"f32", "f64"})
      for (int t : {1, 2}) {
        const std::string name = std::string("train_step/pendulum/") + c.method + "/S" + std::to_string(c.steps) + "/" +
                                 dtype + "/omp" + std::to_string(t);
        benchmark::RegisterBenchmark(name.c_str(), [c, dtype, t](benchmark::State& s) {
          bm_train_step(s, c.method, c.steps, dtype, t);
        })->UseRealTime()->Unit(benchmark::kMillisecond);
      }
  return 0;
}();

}  // namespace
