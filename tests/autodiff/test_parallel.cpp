// Thread counts are a setting of the calling thread, and a ThreadScope gives it back.
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

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
