// Runs the built `nimde` binary (NIMDE_CLI) with arguments; captures stdout, stderr, exit code.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nimde::test {

struct CliRun {
  std::string out, err;
  int code = -1;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline CliRun run_cli(const std::vector<std::string>& args) {
  static int counter = 0;
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("nimde_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::string command = shell_quote(NIMDE_CLI);
  for (const std::string& a : args) command += " " + shell_quote(a);
  command += " 2>" + shell_quote(err_file.string());
  CliRun r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  std::stringstream err;
  err << in.rdbuf();
  r.err = err.str();
  std::filesystem::remove(err_file);
  return r;
}

}  // namespace nimde::test
