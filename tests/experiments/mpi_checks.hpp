// The MPI checks of the reproduction, run against a serial smoke reproduction (the expensive
// part, made once by test_cli_reproduce.cpp): a 2-rank smoke gives the same models, tables and
// report; a 2-rank reproduction with a rank killed mid-run, then resumed, the same models.
// NIMDE_MPIEXEC is mpirun; CI runs as root, hence --allow-run-as-root, and may have fewer
// cores than ranks, hence --oversubscribe.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/cli_run.hpp"

extern char** environ;

namespace nimde::test {

inline std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> mpirun_args(int ranks, const std::vector<std::string>& nimde_args) {
  std::vector<std::string> a{NIMDE_MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-np", std::to_string(ranks)};
#ifdef NIMDE_SANITIZE
  // Open MPI leaves allocations at MPI_Finalize, many in plugins it has unloaded by then, so
  // they cannot be suppressed by name; LeakSanitizer's exit code would fail every MPI run.
  // The same code's leaks are checked by every serial test of the sanitized build.
  a.insert(a.end(), {"-x", "ASAN_OPTIONS=detect_leaks=0"});
#endif
  a.push_back(NIMDE_CLI);
  a.insert(a.end(), nimde_args.begin(), nimde_args.end());
  return a;
}

inline CliRun run_mpi(int ranks, const std::vector<std::string>& nimde_args) {
  std::string line;
  for (const std::string& a : mpirun_args(ranks, nimde_args)) line += (line.empty() ? "" : " ") + shell_quote(a);
  CliRun r;
  FILE* pipe = popen((line + " 2>&1").c_str(), "r");
  char buffer[4096];
  std::size_t n;
  while (pipe && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = pipe ? pclose(pipe) : -1;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// REPORT.md without the lines that say how the runs were spread and how long they took.
inline std::string report_without_timing(const std::filesystem::path& report) {
  std::istringstream in(file_text(report));
  std::string line, kept;
  while (std::getline(in, line)) {
    bool timing = false;
    for (const char* prefix : {"- Date:", "- Execution:", "- Busy time", "- Wall time"})
      timing = timing || line.rfind(prefix, 0) == 0;
    if (!timing) kept += line + "\n";
  }
  return kept;
}

/// Every run directory of `a` has a model.json equal to `b`'s, byte for byte.
inline void check_same_models(const std::filesystem::path& a, const std::filesystem::path& b) {
  int models = 0;
  for (const auto& entry : std::filesystem::directory_iterator(a / "runs")) {
    INFO(entry.path().filename().string());
    CHECK(file_text(entry.path() / "model.json") == file_text(b / "runs" / entry.path().filename() / "model.json"));
    ++models;
  }
  CHECK(models > 0);
}

inline void check_mpi_smoke_matches(const std::filesystem::path& serial) {
  const auto dir = std::filesystem::temp_directory_path() / ("nimde_reproduce_mpi_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const CliRun r = run_mpi(2, {"reproduce", "--preset", "smoke", "--out", dir.string()});
  INFO(r.out);
  REQUIRE(r.code == 0);
  check_same_models(dir, serial);
  check_same_models(serial, dir);
  int tables = 0;
  for (const auto& entry : std::filesystem::directory_iterator(serial / "tables")) {
    INFO(entry.path().filename().string());
    CHECK(file_text(entry.path()) == file_text(dir / "tables" / entry.path().filename()));
    ++tables;
  }
  CHECK(tables >= 7);
  CHECK(report_without_timing(dir / "REPORT.md") == report_without_timing(serial / "REPORT.md"));
  CHECK_THAT(file_text(dir / "REPORT.md"), Catch::Contains("- Execution: 2 MPI rank(s)") && Catch::Contains("- Busy time per rank"));
  std::filesystem::remove_all(dir);
}

/// The pid of the child of `parent` whose MPI rank is `rank`, or -1.
inline pid_t child_with_rank(pid_t parent, int rank) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::istringstream stat(file_text(entry.path() / "stat"));
    std::string pid, comm, state;
    pid_t ppid = 0;
    stat >> pid >> comm >> state >> ppid;
    if (ppid != parent) continue;
    const std::string env = file_text(entry.path() / "environ");
    if (env.find(std::string("OMPI_COMM_WORLD_RANK=") + std::to_string(rank) + '\0') != std::string::npos)
      return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

inline void check_killed_rank_resumes(const std::filesystem::path& serial) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("nimde_reproduce_mpikill_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::vector<std::string> args{"reproduce", "--preset", "smoke", "--only", "figure3", "--no-figures",
                                      "--out", dir.string()};
  std::vector<std::string> argv_text = mpirun_args(2, args);
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t mpirun = -1;
  REQUIRE(posix_spawn(&mpirun, argv[0], &quiet, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&quiet);

  // Once both of Figure 3's runs train (each rank has one), kill rank 1 part-way.
  auto training = [&] {
    int n = 0;
    if (fs::exists(dir / "runs"))
      for (const auto& e : fs::directory_iterator(dir / "runs")) n += fs::exists(e.path() / "run.json");
    return n;
  };
  for (int k = 0; k < 600 && training() < 2; ++k) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(training() == 2);
  // Meanwhile a second reproduction into the same directory is refused, naming the holder.
  const CliRun second = run_cli({"reproduce", "--preset", "smoke", "--only", "figure3", "--out", dir.string()});
  CHECK(second.code == 1);
  CHECK_THAT(second.err, Catch::Contains("is in use by pid"));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const pid_t rank1 = child_with_rank(mpirun, 1);
  REQUIRE(rank1 > 0);
  REQUIRE(kill(rank1, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(mpirun, &status, 0) == mpirun);
  CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));  // the job ended with the rank

  std::vector<std::string> resume = args;
  resume.push_back("--resume");
  const CliRun r = run_mpi(2, resume);
  INFO(r.out);
  REQUIRE(r.code == 0);
  check_same_models(dir, serial);
  fs::remove_all(dir);
}

}  // namespace nimde::test
