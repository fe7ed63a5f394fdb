// `nimde reproduce` started by an MPI launcher: the plan and a bad option are reported once, by
// rank 0; a nimde built without MPI refuses to start under a launcher.
#include <algorithm>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "tests/support/cli_run.hpp"

#ifdef NIMDE_MPIEXEC
#include "tests/experiments/mpi_checks.hpp"

namespace {
int count_of(const std::string& text, const std::string& part) {
  int n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("under mpirun the plan is for the job's ranks and printed once", "[mpi]") {
  const auto r = nimde::test::run_mpi(2, {"reproduce", "--preset", "paper", "--plan"});
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(count_of(r.out, "plan: preset paper, 241 runs on 2 ranks") == 1);
}

TEST_CASE("under mpirun a bad option is reported once, by rank 0, with exit code 1", "[mpi]") {
  const auto r = nimde::test::run_mpi(2, {"reproduce", "--preset", "smoke", "--seeds", "500", "--out", "/nonexistent/x"});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(count_of(r.out, "--seeds 500: must be from 0 to 100") == 1);
}
#else
TEST_CASE("a nimde built without MPI refuses to start under an MPI launcher", "[mpi]") {
  setenv("OMPI_COMM_WORLD_SIZE", "2", 1);  // what mpirun sets
  const auto r = nimde::test::run_cli({"reproduce", "--preset", "smoke", "--out", "/nonexistent/x"});
  unsetenv("OMPI_COMM_WORLD_SIZE");
  nimde::test::check_one_line_error(r, "built without MPI (NIMDE_MPI=OFF)");
}
#endif
