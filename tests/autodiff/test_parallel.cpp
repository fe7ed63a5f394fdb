// Thread counts are a setting of the calling thread, and a ThreadScope gives it back; the
// flush of subnormals reaches every thread of a computation and is given back too.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <omp.h>

#include "autodiff/parallel.hpp"

using namespace nimde::autodiff;

TEST_CASE("a thread scope sets the count for its lifetime and restores it, also on an exception", "[threads]") {
  const int before = num_threads();
  {
    ThreadScope scope(before + 1);
    CHECK(num_threads() == before + 1);
  }
  CHECK(num_threads() == before);
  {
    ThreadScope scope(0);  // leaves the count as it is
    CHECK(num_threads() == before);
  }
  CHECK(num_threads() == before);
  try {
    ThreadScope scope(before + 2);
    throw std::runtime_error("leaving early");
  } catch (const std::runtime_error&) {
  }
  CHECK(num_threads() == before);
  CHECK_THROWS_AS(ThreadScope(-1), std::invalid_argument);
}

TEST_CASE("a thread count set on one std::thread does not reach another", "[threads]") {
  const int before = num_threads();
  int inside = 0, other = 0;
  std::thread worker([&] {
    ThreadScope scope(before + 3);
    inside = num_threads();
    std::thread nested([&] { other = num_threads(); });
    nested.join();
  });
  worker.join();
  CHECK(inside == before + 3);
  CHECK(other != before + 3);
  CHECK(num_threads() == before);
}

namespace {

volatile float one = 1.0f;  // keeps the products below from being computed at compile time

/// On each OpenMP thread of the calling thread's count, 2⁻¹³⁰ · 1 and 2⁻¹³⁰ · 1 + 0 by a fused
/// multiply-add (subnormal both): how many threads got a result other than exactly 0.
int threads_not_flushing() {
  const float tiny = std::ldexp(1.0f, -130);
  std::vector<int> kept(static_cast<std::size_t>(num_threads()), 0);
#pragma omp parallel
  {
    const float product = tiny * one, fused = std::fma(tiny, one, 0.0f);
    kept[static_cast<std::size_t>(omp_get_thread_num())] = product != 0.0f || fused != 0.0f;
  }
  return static_cast<int>(std::count(kept.begin(), kept.end(), 1));
}

}  // namespace

TEST_CASE("subnormals flush to zero on every thread of a computation while a guard holds", "[threads]") {
  ThreadScope two(2);
  REQUIRE(threads_not_flushing() == 2);  // subnormal results, and the pool's threads exist now
  {
    FlushSubnormals flush;
    CHECK(threads_not_flushing() == 0);  // the threads that existed before the guard flush too
    int on_new_thread = -1;
    std::thread worker([&] {  // inherits the mode, and so do the threads it starts
      ThreadScope scope(2);
      on_new_thread = threads_not_flushing();
    });
    worker.join();
    CHECK(on_new_thread == 0);
    {
      FlushSubnormals nested;
    }
    CHECK(threads_not_flushing() == 0);  // a nested guard gives back the flushing mode
  }
  CHECK(threads_not_flushing() == 2);  // the previous mode is back, on every thread
}
