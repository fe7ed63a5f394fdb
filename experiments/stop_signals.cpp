#include "experiments/stop_signals.hpp"

#include <csignal>

namespace nimde::experiments {

namespace {

std::atomic<bool> g_requested{false};
std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  g_requested = true;
}

}  // namespace

StopOnSignals::StopOnSignals() {
  g_requested = false;
  g_signal = 0;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

StopOnSignals::~StopOnSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool>* StopOnSignals::requested() const { return &g_requested; }

int StopOnSignals::signal() const { return g_signal; }

}  // namespace nimde::experiments
