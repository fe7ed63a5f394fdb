#include "nn/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace nimde::nn {

namespace {

constexpr std::string_view kTemporaryMark = ".tmp.";

[[noreturn]] void fail(const std::string& what, const std::string& path, int error, const std::string& tmp) {
  if (!tmp.empty()) ::unlink(tmp.c_str());
  throw std::runtime_error(what + " " + path + ": " + std::strerror(error));
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view text) {
  // pid and a counter: two writers (processes or threads) never share a temporary file.
  static std::atomic<unsigned long> counter{0};
  const std::string tmp =
      path + std::string(kTemporaryMark) + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot write", path, errno, "");
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      fail("cannot write", path, error, tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  // Without the sync a crash of the machine could leave the renamed file empty.
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot write", path, error, tmp);
  }
  if (::close(fd) != 0) fail("cannot write", path, errno, tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename a temporary file to", path, errno, tmp);
}

void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const std::size_t mark = name.rfind(kTemporaryMark);
    if (mark == std::string::npos || mark == 0) continue;
    const std::string_view tail = std::string_view(name).substr(mark + kTemporaryMark.size());
    const bool ours = !tail.empty() && tail.find_first_not_of("0123456789.") == std::string_view::npos;
    if (ours && entry.is_regular_file(ec)) std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace nimde::nn
