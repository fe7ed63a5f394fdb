// One writer per output directory: a lock held by the process for as long as it writes there.
#pragma once

#include <string>

namespace nimde::nn {

/// Takes DIR/.lock (an advisory flock, released by the kernel when the process exits however it
/// exits, so a crashed holder leaves no stale lock) and writes the holder into it. A second
/// writer gets std::runtime_error naming the holder: "DIR is in use by pid N on HOST since ...".
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace nimde::nn
