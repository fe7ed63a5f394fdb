// `nimde reproduce --preset smoke` end to end: every conclusion of the preset passes, the tables
// and report are written, and a reproduction interrupted (SIGINT, SIGKILL) and run again gives
// the same models, byte for byte, as one that never stopped. With MPI, the same smoke on 2
// ranks gives the same models, tables and report (but for its execution and timing lines), and
// so does a 2-rank reproduction with a rank killed, resumed. One serial smoke serves every
// comparison: it is the expensive part.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/support/cli_run.hpp"
#ifdef NIMDE_MPIEXEC
#include "tests/experiments/mpi_checks.hpp"
#endif

namespace fs = std::filesystem;
using nimde::test::run_cli;
using nimde::test::shell_quote;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("nimde_reproduce_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  return d;
}

/// The exit status of `nimde ARGS` sent `signal` after `seconds` (timeout(1) delivers it).
/// --foreground: timeout signals only nimde and waits for it to be gone; otherwise a KILL takes
/// timeout down with its process group, and it can return while nimde still holds the lock.
int run_interrupted(const std::string& signal, int seconds, const std::string& args) {
  const std::string command = "timeout --foreground --preserve-status -s " + signal + " " +
                              std::to_string(seconds) + " " + shell_quote(NIMDE_CLI) + " " + args + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("the smoke reproduction passes every conclusion, and an interrupted one resumes to the same models",
          "[reproduce]") {
  const fs::path full = fresh_dir("full");
  const auto run = run_cli({"reproduce", "--preset", "smoke", "--out", full.string()});
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK_THAT(run.out, Catch::Contains("Conclusions") && !Catch::Contains("FAIL"));
  for (const char* table : {"figure2", "figure3", "fits", "ext_correct", "ext_certify", "ext_gradients", "conclusions"})
    CHECK(fs::exists(full / "tables" / (std::string(table) + ".csv")));
  CHECK(fs::exists(full / "REPORT.md"));

  // Figure 3's two runs, stopped part-way by each signal, then run again.
  for (const std::string signal : {"INT", "KILL"}) {
    INFO("signal " << signal);
    const fs::path dir = fresh_dir(signal);
    const std::string args = "reproduce --preset smoke --only figure3 --no-figures --out " + shell_quote(dir.string());
    const int code = run_interrupted(signal, 4, args);
    CHECK(code == (signal == "INT" ? 130 : 128 + 9));
    REQUIRE(nimde::test::run_cli_line(args).code == 0);
    for (const auto& entry : fs::directory_iterator(dir / "runs")) {
      const fs::path model = entry.path() / "model.json";
      INFO(entry.path().filename().string());
      CHECK(read_file(model) == read_file(full / "runs" / entry.path().filename() / "model.json"));
    }
    fs::remove_all(dir);
  }
#ifdef NIMDE_MPIEXEC
  nimde::test::check_mpi_smoke_matches(full);
  nimde::test::check_killed_rank_resumes(full);
#endif
  fs::remove_all(full);
}
