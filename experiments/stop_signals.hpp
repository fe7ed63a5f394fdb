// Ctrl-C and SIGTERM for the long commands (train, reproduce): the first asks the work to stop
// at its next safe point (a checkpoint is written); the command then exits with 128 + the
// signal's number (130, 143), as a shell expects of an interrupted program, so that
// `nimde train ... && next-step` does not go on with an unfinished model.
#pragma once

#include <atomic>

namespace nimde::experiments {

/// While alive, SIGINT and SIGTERM set `requested()` instead of ending the process.
class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  /// The flag the library polls.
  const std::atomic<bool>* requested() const;
  /// The signal received, 0 if none.
  int signal() const;
};

/// Thrown by a command that has written its output and must exit with `code` without an
/// error message (main returns it).
struct ExitStatus {
  int code;
};

}  // namespace nimde::experiments
