// Files that are either whole or absent: written under a temporary name unique to the writer,
// flushed to the disk, then renamed over the target, so that a reader (or a run resumed after a
// crash, a kill or a full disk) never sees half a file.
#pragma once

#include <string>
#include <string_view>

namespace nimde::nn {

/// Writes `text` to PATH.tmp.<pid>.<n>, syncs it and renames it over PATH. On any failure the
/// temporary file is removed and std::runtime_error says which file and why ("cannot write
/// DIR/checkpoint.json: No space left on device").
void write_file_atomically(const std::string& path, std::string_view text);

/// Removes the temporary files a killed writer left in `dir` (NAME.tmp.<pid>.<n>). Call it only
/// while holding the directory's lock, so that no live writer's file is touched.
void remove_stale_temporaries(const std::string& dir);

}  // namespace nimde::nn
