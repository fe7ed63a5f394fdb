// Where a training reports how it goes. The trainer calls a sink it is given and never looks
// at a terminal itself: the caller chooses a live line, plain lines, nothing, or its own sink
// (a driver running several trainings at once gives each its own).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace nimde::nn {

/// A training's state at a log interval.
struct TrainStatus {
  long iteration = 0;     ///< iterations done
  long total = 0;         ///< iterations the run is to do
  double loss = 0;        ///< training loss
  double test_loss = 0;
  double lr = 0;          ///< the learning rate of the last iteration
  double rate = 0;        ///< iterations per second in this call
  double eta = 0;         ///< seconds left at that rate
};

/// Receives a training's progress, from the thread that trains.
class TrainProgress {
 public:
  virtual ~TrainProgress() = default;
  /// At each log interval.
  virtual void report(const TrainStatus& status) = 0;
  /// A note, e.g. why the optimiser stopped early.
  virtual void message(std::string_view text) = 0;
  /// Once, when training returns normally.
  virtual void finish() = 0;
};

/// Reports nothing.
class NullProgress final : public TrainProgress {
 public:
  void report(const TrainStatus&) override {}
  void message(std::string_view) override {}
  void finish() override {}
};

/// One line per report on `out`: with `live` (for a terminal) the line rewrites itself in
/// place, otherwise lines accumulate (for a log file or a pipe).
class LineProgress final : public TrainProgress {
 public:
  LineProgress(std::ostream& out, bool live) : out_(out), live_(live) {}
  void report(const TrainStatus& status) override;
  void message(std::string_view text) override;
  void finish() override;

 private:
  void end_line();
  std::ostream& out_;
  bool live_;
  bool open_line_ = false;  ///< a live line is showing and has no newline yet
};

/// "iter 100/2000  loss 1.2340e-03  test 1.3000e-03  lr 9.886e-03  250.0 it/s  ETA 7s".
std::string format_status(const TrainStatus& status);
/// "1h2m3s", "4m0s", "5s".
std::string format_duration(double seconds);

}  // namespace nimde::nn
