#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "nn/atomic_file.hpp"

namespace fs = std::filesystem;
using namespace nimde;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("nimde_atomic_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string contents(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("an atomic write replaces the file whole and leaves no temporary behind", "[files]") {
  const fs::path dir = fresh_dir("replace");
  const std::string path = (dir / "a.json").string();
  nn::write_file_atomically(path, "first\n");
  nn::write_file_atomically(path, "second\n");
  CHECK(contents(path) == "second\n");
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("a write that fails names the file and the reason and removes its temporary file", "[files]") {
  const fs::path dir = fresh_dir("fail");
  const std::string path = (dir / "checkpoint.json").string();
  nn::write_file_atomically(path, "old and whole\n");
  // A child whose files may not grow beyond 16 bytes: write() fails with EFBIG, as on a full disk.
  int pipe_fd[2];
  REQUIRE(::pipe(pipe_fd) == 0);
  const pid_t child = ::fork();
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{16, 16};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::string message = "no error";
    try {
      nn::write_file_atomically(path, std::string(1000, 'x'));
    } catch (const std::runtime_error& e) {
      message = e.what();
    }
    (void)!::write(pipe_fd[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_fd[1]);
  char buffer[512] = {};
  const ssize_t n = ::read(pipe_fd[0], buffer, sizeof buffer - 1);
  ::close(pipe_fd[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string message(buffer, n > 0 ? std::size_t(n) : 0);
  CHECK(message == "cannot write " + path + ": File too large");
  CHECK(contents(path) == "old and whole\n");  // the old file is untouched
  CHECK(entries(dir) == 1);                    // and no temporary file is left
  fs::remove_all(dir);
}

TEST_CASE("a write into a missing directory says so", "[files]") {
  const std::string path = "/nonexistent-nimde-dir/model.json";
  CHECK_THROWS_WITH(nn::write_file_atomically(path, "x"), "cannot write " + path + ": No such file or directory");
}

TEST_CASE("stale temporary files of killed writers are removed, nothing else", "[files]") {
  const fs::path dir = fresh_dir("stale");
  for (const char* name : {"model.json.tmp.123.0", "checkpoint.json.tmp.99.7", "model.json", "notes.tmp.txt", ".tmp.1"})
    std::ofstream(dir / name) << "x";
  nn::remove_stale_temporaries(dir.string());
  CHECK_FALSE(fs::exists(dir / "model.json.tmp.123.0"));
  CHECK_FALSE(fs::exists(dir / "checkpoint.json.tmp.99.7"));
  CHECK(fs::exists(dir / "model.json"));
  CHECK(fs::exists(dir / "notes.tmp.txt"));
  CHECK(fs::exists(dir / ".tmp.1"));
  fs::remove_all(dir);
}
