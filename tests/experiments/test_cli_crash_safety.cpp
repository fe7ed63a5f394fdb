// A training killed with SIGKILL at arbitrary moments (before its first checkpoint, during a
// write, between checkpoints) leaves a directory of whole files that resumes to the same bytes
// as a training that was never interrupted.
#include <sys/wait.h>

#include <csignal>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using nimde::test::run_cli_line;
using nimde::test::shell_quote;

namespace {

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("nimde_crash_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  return d;
}

// Small enough that a whole training takes a few seconds, with a checkpoint (four file
// writes) every 10 iterations, so that kills often land in a write.
const std::string kSettings =
    "--system pendulum --points 300 --test-points 60 --width 24 --iters 2000 --optimizer adam --dtype f64 "
    "--threads 1 --checkpoint-every 10 --log-every 10 --seed 3";

}  // namespace

TEST_CASE("a training killed at random moments always resumes to the uninterrupted result", "[train][crash]") {
  const fs::path reference = fresh_dir("reference"), dir = fresh_dir("killed");
  const auto begin = std::chrono::steady_clock::now();
  REQUIRE(run_cli_line("train " + kSettings + " --out " + shell_quote(reference.string())).code == 0);
  const double whole = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

  // Delays scale with this machine's speed: 24 kills of at most 1/20 of a whole training each
  // cannot together finish it, so nearly every attempt ends in a kill.
  std::mt19937 random(20261202);
  std::uniform_real_distribution<double> delay(0.0, std::clamp(whole / 20, 0.01, 0.25));
  int kills = 0;
  for (int attempt = 0; attempt < 24; ++attempt) {
    // The first kills come before anything is written; later ones anywhere.
    const double seconds = attempt < 2 ? 0.001 * (attempt + 1) : std::max(0.001, delay(random));  // (0 would mean no limit)
    const bool started = fs::exists(dir / "run.json");
    const std::string args =
        started ? "train --resume " + shell_quote(dir.string()) : "train " + kSettings + " --out " + shell_quote(dir.string());
    char when[32];
    std::snprintf(when, sizeof when, "%.3f", seconds);
    const fs::path err = fs::path(dir.string() + ".err");
    // --foreground: timeout kills only the training and waits for it to be gone. Without it,
    // timeout kills its whole process group, itself included, and can return while the training
    // is still exiting and holding the directory's lock, which the next attempt then finds.
    const std::string command = "timeout --foreground -s KILL " + std::string(when) + " " + shell_quote(NIMDE_CLI) +
                                " " + args + " >/dev/null 2>" + shell_quote(err.string());
    const int status = std::system(command.c_str());
    // The shell may report the kill as 137 or pass the signal on.
    kills += (WIFEXITED(status) && WEXITSTATUS(status) == 137) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {  // refused: no moment of a kill may cause that
      const std::string message = contents(err);
      FAIL_CHECK("attempt " << attempt << " (" << args << ") refused after " << when << " s: "
                            << message.substr(message.rfind('\n', message.size() - 2) + 1));
    }
    // Whatever the moment, every file in the directory is whole.
    for (const char* name : {"run.json", "checkpoint.json", "model.json"}) {
      if (!fs::exists(dir / name)) continue;
      INFO(name << " after a kill at " << when << " s");
      CHECK(nlohmann::json::accept(contents(dir / name)));
    }
    if (fs::exists(dir / "loss.csv")) CHECK(contents(dir / "loss.csv").rfind("iteration,train_loss", 0) == 0);
  }
  CHECK(kills >= 20);

  // Then to the end, resuming (or starting, if no kill ever let it begin).
  const bool started = fs::exists(dir / "run.json");
  const auto r = run_cli_line(started ? "train --resume " + shell_quote(dir.string())
                                      : "train " + kSettings + " --out " + shell_quote(dir.string()));
  INFO(r.err);
  REQUIRE(r.code == 0);
  for (const char* name : {"model.json", "loss.csv"}) {  // (the checkpoint holds wall times)
    INFO(name);
    CHECK(contents(dir / name) == contents(reference / name));
  }
  // No temporary file of a killed writer is left behind.
  for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
  fs::remove_all(reference);
  fs::remove_all(dir);
  fs::remove(fs::path(dir.string() + ".err"));
}
