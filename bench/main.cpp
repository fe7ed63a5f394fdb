#include <benchmark/benchmark.h>

#include "autodiff/parallel.hpp"

int main(int argc, char** argv) {
  // Training flushes subnormals (nn::train); the iterations measured here run as it runs them.
  // Set before any thread starts, so that every thread inherits it.
  const nimde::autodiff::FlushSubnormals flush;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
