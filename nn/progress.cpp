#include "nn/progress.hpp"

#include <iomanip>
#include <sstream>

namespace nimde::nn {

std::string format_duration(double seconds) {
  std::ostringstream s;
  const long t = static_cast<long>(seconds + 0.5);
  if (t >= 3600) s << t / 3600 << "h";
  if (t >= 60) s << (t % 3600) / 60 << "m";
  s << t % 60 << "s";
  return s.str();
}

std::string format_status(const TrainStatus& st) {
  std::ostringstream s;
  s << "iter " << st.iteration << "/" << st.total << "  loss " << std::setprecision(4) << std::scientific << st.loss
    << "  test " << st.test_loss << "  lr " << std::setprecision(3) << st.lr << std::defaultfloat << std::fixed
    << std::setprecision(1) << "  " << st.rate << " it/s  ETA " << format_duration(st.eta);
  return s.str();
}

void LineProgress::report(const TrainStatus& status) {
  if (live_) {
    out_ << "\r" << format_status(status) << "\033[K" << std::flush;
    open_line_ = true;
  } else {
    out_ << format_status(status) << "\n" << std::flush;
  }
}

void LineProgress::end_line() {
  if (open_line_) out_ << "\n";
  open_line_ = false;
}

void LineProgress::message(std::string_view text) {
  end_line();
  out_ << text << "\n" << std::flush;
}

void LineProgress::finish() {
  end_line();
  out_ << std::flush;
}

}  // namespace nimde::nn
