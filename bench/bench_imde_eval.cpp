// Elementary differentials of the paper's field 2 → 128 → 128 → 2 (tanh) by jets: every F(τ)
// for the 17 trees up to 5 nodes (what an order-4 IMDE needs) at 2,000 points, and the truncated
// IMDE field itself. Counter: points per second.
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "autodiff/parallel.hpp"
#include "imde/elementary_differentials.hpp"
#include "imde/field_series.hpp"
#include "imde/series_field.hpp"
#include "nn/mlp.hpp"

namespace {

using namespace nimde;

constexpr std::size_t kPoints = 2000;

ode::Field paper_field() {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 128, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 0));
  return nn::MlpField(params).field("mlp", {"p", "q"});
}

autodiff::Tensor<double> pendulum_points() {
  std::mt19937_64 rng(1);
  autodiff::Tensor<double> x = autodiff::zeros<double>(kPoints, 2);
  for (std::size_t i = 0; i < kPoints; ++i) {
    x(i, 0) = std::uniform_real_distribution<double>(-3.8, 3.8)(rng);
    x(i, 1) = std::uniform_real_distribution<double>(-1.2, 1.2)(rng);
  }
  return x;
}

void bm_elementary_differentials(benchmark::State& state, int max_order) {
  const ode::Field f = paper_field();
  const autodiff::Tensor<double> x = pendulum_points();
  const imde::ElementaryDifferentials ed(max_order);
  for (auto _ : state) benchmark::DoNotOptimize(ed(f, x));
  state.counters["points/s"] = benchmark::Counter(double(kPoints), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["trees"] = ed.trees().size();
  state.counters["jet_evaluations"] = ed.jet_evaluations();
  state.counters["threads"] = autodiff::num_threads();
}

void bm_imde_field(benchmark::State& state, const char* method, int order) {
  const ode::Field f = paper_field();
  const autodiff::Tensor<double> x = pendulum_points();
  const imde::SeriesField fh(imde::inverse_modified_equation(ode::rk_tableau(method), order), f, 0.02);
  for (auto _ : state) benchmark::DoNotOptimize(fh(x));
  state.counters["points/s"] = benchmark::Counter(double(kPoints), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = autodiff::num_threads();
}

const int kRegistered = [] {
  benchmark::RegisterBenchmark("elementary_differentials/mlp/order4/2000pts",
                               [](benchmark::State& s) { bm_elementary_differentials(s, 5); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("elementary_differentials/mlp/order6/2000pts",
                               [](benchmark::State& s) { bm_elementary_differentials(s, 7); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("imde_field/mlp/euler/order3/2000pts", [](benchmark::State& s) { bm_imde_field(s, "euler", 3); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  return 0;
}();

}  // namespace
