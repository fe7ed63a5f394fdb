// Exact IMDE coefficients: every rooted tree up to order + 1 nodes, in GMP rationals.
#include <benchmark/benchmark.h>

#include "imde/field_series.hpp"
#include "ode/tableau.hpp"

namespace {

void imde_coefficients(benchmark::State& state, const char* method, int order) {
  const nimde::ode::Tableau& tableau = nimde::ode::rk_tableau(method);
  for (auto _ : state) {
    auto series = nimde::imde::inverse_modified_equation(tableau, order);
    benchmark::DoNotOptimize(series.coefficients.data());
  }
  state.counters["trees"] = nimde::imde::RootedTrees(order + 1).size();
}

}  // namespace

BENCHMARK_CAPTURE(imde_coefficients, rk4_order8, "rk4", 8)
    ->Name("imde_coefficients/rk4/order8")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(imde_coefficients, rk4_order10, "rk4", 10)
    ->Name("imde_coefficients/rk4/order10")
    ->Unit(benchmark::kMillisecond);
