// One writer per directory: a second lock is refused naming the holder; the lock goes with its holder.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <catch2/catch.hpp>

#include "nn/directory_lock.hpp"

TEST_CASE("a locked directory refuses a second writer, naming the holder, until the first lets go", "[lock]") {
  const auto dir = std::filesystem::temp_directory_path() / ("nimde_lock_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto first = std::make_unique<nimde::nn::DirectoryLock>(dir.string());
  CHECK_THROWS_WITH(nimde::nn::DirectoryLock(dir.string()),
                    Catch::Contains(dir.string() + " is in use by pid " + std::to_string(getpid())));
  first.reset();
  CHECK_NOTHROW(nimde::nn::DirectoryLock(dir.string()));
  std::filesystem::remove_all(dir);
}
