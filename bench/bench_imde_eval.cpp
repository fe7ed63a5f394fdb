// Elementary differentials of the paper's field 2 → 128 → 128 → 2 (tanh) by jets: every F(τ)
// for the 17 trees up to 5 nodes (what an order-4 IMDE needs) at 2,000 points, and the truncated
// IMDE field itself; and a corrected field integrated from one point (a rollout), where every
// evaluation is a batch of one point. Counters: points per second; for the differentials also
// GFLOP/s and the percentage of the measured f64 FMA peak (one thread per OpenMP thread).
#include <chrono>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "autodiff/parallel.hpp"
#include "bench/fma_peak.hpp"
#include "imde/elementary_differentials.hpp"
#include "imde/field_series.hpp"
#include "imde/series_field.hpp"
#include "nn/mlp.hpp"
#include "ode/method.hpp"

namespace {

using namespace nimde;

constexpr std::size_t kPoints = 2000, kWidth = 128;

ode::Field paper_field() {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, kWidth, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 0));
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

/// The f64 FMA peak of `threads` threads in GFLOP/s, measured as peak/fma/f32 in
/// bench_autodiff.cpp is: 12 independent FMA chains per thread at the kernels' vector width.
double f64_peak(int threads) {
  constexpr long kIters = 1 << 24;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(bench::fma_chains<double>(threads, kIters));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, bench::fma_chains_flops<double>(threads, kIters) * 1e-9 / seconds);
  }
  return best;
}

/// Floating-point operations per point, counted as:
///   GEMMs: 2·in·out per layer for every coefficient row, i.e. (1 + Σ_boxes Π(α_i + 1)) rows per
///     point (the plain evaluation and every coefficient of every box);
///   tanh's jet recurrence on each hidden unit: 3 flops (weight × a, then one FMA) per term of
///     its two sums, the chain sum (pairs 0 < γ ≤ β) and the square sum (pairs γ ≤ β − γ, β ≠ 0).
/// Bias additions, the value tanh(a_0) and data movement are not counted.
double flops_per_point(const imde::ElementaryDifferentials& ed) {
  const double layer_flops = 2.0 * (2 * kWidth + kWidth * kWidth + kWidth * 2);
  double rows = 1, recurrence_terms = 0;
  for (const std::vector<int>& box : ed.boxes()) {
    const autodiff::JetShape s(box);
    rows += s.size();
    for (int b = 1; b < s.size(); ++b)
      for (int g = 0; g <= b; ++g) {
        const std::vector<int> beta = s.multi_index(b), gamma = s.multi_index(g);
        bool below = true;
        for (std::size_t i = 0; i < beta.size(); ++i) below = below && gamma[i] <= beta[i];
        if (!below) continue;
        recurrence_terms += (g != 0) + (g <= b - g);  // chain term, square term
      }
  }
  return rows * layer_flops + 3.0 * recurrence_terms * 2 * kWidth;
}

void bm_elementary_differentials(benchmark::State& state, int max_order) {
  const ode::Field f = paper_field();
  const autodiff::Tensor<double> x = pendulum_points();
  const imde::ElementaryDifferentials ed(max_order);
  static const double peak = f64_peak(autodiff::num_threads());
  for (auto _ : state) benchmark::DoNotOptimize(ed(f, x));
  const double flops = flops_per_point(ed) * double(kPoints);
  state.counters["points/s"] = benchmark::Counter(double(kPoints), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["pct_of_f64_peak"] = benchmark::Counter(100 * flops * 1e-9 / peak, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["f64_peak_GFLOP/s"] = peak;
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

/// The IMDE of `method` at h = 0.04 truncated after h^order, made concrete for the network and
/// integrated by 10,000 RK4 steps of 0.04 from one point: 40,000 evaluations of one point each.
void bm_rollout(benchmark::State& state, const char* method, int order) {
  constexpr int kSteps = 10000;
  const ode::Field corrected =
      imde::series_field(imde::inverse_modified_equation(ode::rk_tableau(method), order), paper_field(), 0.04);
  const ode::Method rk4 = ode::method("rk4");
  for (auto _ : state) benchmark::DoNotOptimize(ode::integrate(rk4, corrected, ode::Point<double>{{0.5, 0.2}}, 0.04, kSteps));
  state.counters["steps/s"] = benchmark::Counter(kSteps, benchmark::Counter::kIsIterationInvariantRate);
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
  for (int order : {2, 3})
    benchmark::RegisterBenchmark(("rollout/corrected/euler/order" + std::to_string(order) + "/rk4x10000").c_str(),
                                 [order](benchmark::State& s) { bm_rollout(s, "euler", order); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  return 0;
}();

}  // namespace
