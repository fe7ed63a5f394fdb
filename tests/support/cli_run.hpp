// Runs the built `nimde` binary (NIMDE_CLI) with arguments; captures stdout, stderr, exit code.
// Also the check every bad-argument test makes: a non-zero exit and one line naming the value,
// and the reading of a CSV output back into numbers.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

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

/// `nimde` followed by `arguments`, already quoted for the shell.
inline CliRun run_cli_line(const std::string& arguments) {
  static int counter = 0;
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("nimde_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  const std::string command = shell_quote(NIMDE_CLI) + " " + arguments + " 2>" + shell_quote(err_file.string());
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

/// `nimde` with each argument quoted for the shell.
inline CliRun run_cli(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& a : args) line += (line.empty() ? "" : " ") + shell_quote(a);
  return run_cli_line(line);
}

/// The lines of a CSV output: the header into `header`, then the rows of numbers.
inline std::vector<std::vector<double>> csv_rows(const std::string& text, std::string& header) {
  std::istringstream in(text);
  std::getline(in, header);
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<double> row;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

/// A refused run: non-zero exit, nothing on stdout, and one line on stderr containing `named`.
inline void check_one_line_error(const CliRun& r, const std::string& named) {
  INFO(named << ": " << r.err);
  CHECK(r.code != 0);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains(named));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace nimde::test
