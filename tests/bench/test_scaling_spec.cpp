// The names of nimde-bench's scaling family (bench/scaling.hpp): what NIMDE_BENCH_SCALING may
// say, what it is refused with, and the FLOP count the family reports.
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "bench/scaling.hpp"

using namespace nimde;
using Catch::Matchers::Contains;

TEST_CASE("a scaling benchmark's name spells its case and reads back to the same case", "[bench]") {
  const bench::ScalingCase c = bench::parse_scaling_name("scaling/N1000000/W512/S64/recompute/omp2");
  CHECK(c.points == 1000000);
  CHECK(c.width == 512);
  CHECK(c.steps == 64);
  CHECK(c.backprop == nn::Backprop::recompute);
  CHECK(c.threads == 2);
  CHECK(c.name() == "scaling/N1000000/W512/S64/recompute/omp2");
  CHECK(bench::parse_scaling_name(c.name()).name() == c.name());
}

TEST_CASE("a list of scaling names gives one case per name, in order", "[bench]") {
  const auto cases = bench::parse_scaling_list("scaling/N1000/W32/S1/taped/omp1,scaling/N2000/W32/S2/recompute/omp1");
  REQUIRE(cases.size() == 2);
  CHECK(cases[0].backprop == nn::Backprop::taped);
  CHECK(cases[1].points == 2000);
  CHECK(cases[1].steps == 2);
}

TEST_CASE("a bad scaling name is refused naming the name and its wrong part", "[bench]") {
  struct Bad {
    const char* name;
    const char* says;
  };
  for (const Bad b : {Bad{"scaling/N10x/W32/S1/taped/omp1", "points '10x'"},
                      Bad{"scaling/N0/W32/S1/taped/omp1", "points '0'"},
                      Bad{"scaling/N1000/W32/S1/adjoint/omp1", "backprop 'adjoint'"},
                      Bad{"scaling/N1000/X32/S1/taped/omp1", "'X32' should start with W"},
                      Bad{"scaling/N1000/W32/S1/taped", "not six parts"},
                      Bad{"train_step/N1000/W32/S1/taped/omp1", "not six parts"},
                      Bad{"scaling/N99999999999/W32/S1/taped/omp1", "points '99999999999'"},
                      Bad{"scaling/N1000/W32/S1/taped/omp0", "threads '0'"}}) {
    INFO(b.name);
    REQUIRE_THROWS_AS(bench::parse_scaling_name(b.name), std::invalid_argument);
    try {
      bench::parse_scaling_name(b.name);
    } catch (const std::invalid_argument& e) {
      CHECK_THAT(e.what(), Contains(b.name) && Contains(b.says));
    }
  }
  CHECK_THROWS_WITH(bench::parse_scaling_list("scaling/N1000/W32/S1/taped/omp1,"), Contains("empty item"));
}

TEST_CASE("the FLOP count of a field evaluation grows as N and as the square of the width", "[bench]") {
  // 2 -> 128 -> 128 -> 2 at 10,000 points: 6 · 10⁴ · (256 + 16384 + 256) = 1.01376 GFLOP.
  CHECK(bench::field_flops(10000, 2, 128) == 6.0 * 10000 * (2 * 128 + 128 * 128 + 128 * 2));
  CHECK(bench::field_flops(20000, 2, 128) == 2 * bench::field_flops(10000, 2, 128));
  CHECK(bench::field_flops(10000, 2, 128, nn::ModelKind::hnn) == 12.0 * 10000 * (2 * 128 + 128 * 128 + 128));
  CHECK(bench::field_flops(10000, 2, 512) > 15 * bench::field_flops(10000, 2, 128));
}
