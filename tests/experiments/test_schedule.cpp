// The schedule of a reproduction: longest expected run first, each to the worker that frees up
// first; and `nimde reproduce --plan --ranks N`, which shows what it does with N ranks.
#include <algorithm>
#include <numeric>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "experiments/schedule.hpp"
#include "tests/support/cli_run.hpp"

using nimde::experiments::Schedule;
using nimde::experiments::simulate_schedule;

TEST_CASE("the schedule hands out the longest job first, ties in index order", "[schedule]") {
  Schedule s({2, 5, 3, 5, 1});
  std::vector<std::size_t> order;
  while (const auto j = s.next()) order.push_back(*j);
  CHECK(order == std::vector<std::size_t>{1, 3, 2, 0, 4});
  CHECK(s.remaining() == 0);
}

TEST_CASE("two workers on 5 4 3 3 2 2 finish at 10 and 9, as worked by hand", "[schedule]") {
  // By hand: w0 takes 5, w1 4; w1 frees at 4 and takes 3 (to 7); w0 frees at 5 and takes 3 (to 8);
  // w1 at 7 takes 2 (to 9); w0 at 8 takes 2 (to 10).
  const auto s = simulate_schedule({2, 3, 5, 2, 4, 3}, 2);
  CHECK(s.busy == std::vector<double>{10, 9});
  CHECK(s.jobs == std::vector<int>{3, 3});
  CHECK(s.makespan == 10);
  CHECK(s.total == 19);
  CHECK(s.longest == 5);
  CHECK(s.lower_bound() == 9.5);
  const std::vector<int> worker_of_job{0, 1, 1, 0, 1, 0};  // in hand-out order: 5 4 3 3 2 2
  for (std::size_t k = 0; k < s.placements.size(); ++k) CHECK(s.placements[k].worker == worker_of_job[k]);
}

TEST_CASE("a simulated schedule keeps every worker busy and stays within Graham's bound", "[schedule]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> cost(0.1, 10);
  for (int workers : {1, 3, 16, 200}) {
    std::vector<double> costs(137);
    for (double& c : costs) c = cost(rng);
    const auto s = simulate_schedule(costs, workers);
    INFO(workers << " workers");
    REQUIRE(s.placements.size() == costs.size());
    // Each job once; each worker's jobs back to back from time 0 (a worker never waits).
    std::vector<int> seen(costs.size(), 0);
    std::vector<double> clock(workers, 0.0);
    for (const auto& p : s.placements) {
      seen[p.job] += 1;
      CHECK(p.start == clock[p.worker]);
      CHECK(p.end == p.start + costs[p.job]);
      clock[p.worker] = p.end;
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    CHECK(clock == s.busy);
    const double total = std::accumulate(costs.begin(), costs.end(), 0.0);
    const double longest = *std::max_element(costs.begin(), costs.end());
    CHECK(s.total == Approx(total));
    CHECK(s.makespan >= s.lower_bound());
    // Any list schedule ends by total/m + (1 − 1/m)·longest (Graham 1966).
    CHECK(s.makespan <= total / workers + (1 - 1.0 / workers) * longest + 1e-9);
  }
}

TEST_CASE("the plan for --ranks 16 shows the paper preset's schedule and balance without training", "[schedule]") {
  const auto r = nimde::test::run_cli({"reproduce", "--preset", "paper", "--plan", "--ranks", "16"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("on 16 ranks") && Catch::Contains("lower bound") && Catch::Contains("balance"));
  // The rank table: 16 rows whose busy times add up to the whole (1), the largest the wall time.
  std::istringstream in(r.out.substr(r.out.find("\n  rank   runs")));
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  double sum = 0, largest = 0;
  int runs = 0;
  for (int k = 0; k < 16; ++k) {
    int rank = -1, n = 0;
    double busy = 0;
    REQUIRE(in >> rank >> n >> busy);
    CHECK(rank == k);
    sum += busy;
    runs += n;
    largest = std::max(largest, busy);
  }
  CHECK(sum == Approx(1).margin(1e-4));
  CHECK_THAT(r.out, Catch::Contains("wall time    " + std::to_string(largest).substr(0, 8)));
  CHECK_THAT(r.out, Catch::Contains("paper, " + std::to_string(runs) + " runs"));
}

TEST_CASE("a rank count is refused outside 1.. and without --plan", "[schedule]") {
  nimde::test::check_one_line_error(nimde::test::run_cli({"reproduce", "--plan", "--ranks", "-2"}), "--ranks -2");
  nimde::test::check_one_line_error(nimde::test::run_cli({"reproduce", "--ranks", "4", "--out", "/nonexistent/x"}),
                                    "--ranks 4: only with --plan");
}
