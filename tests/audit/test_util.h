// Helpers for the audit tests: a self-deleting temporary directory, whole-file I/O, and
// a writer for sample logs with checkpoints. Not thread-safe; test use only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/segment.h"

namespace sy::audit::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_all(const std::filesystem::path& path);
void write_all(const std::filesystem::path& path, const std::string& content);

// The body of sample entry i: a few members, with some padding that varies with i.
std::string sample_body(uint64_t i);

// Appends `count` sample entries (continuing the log's numbering) and, whenever the log
// reaches one of `checkpoint_sizes`, syncs and appends a checkpoint signed with `key`.
void append_sample_entries(const std::filesystem::path& dir, uint64_t count,
                           const std::vector<uint64_t>& checkpoint_sizes, const SigningKey& key,
                           uint64_t max_segment_bytes = kDefaultMaxSegmentBytes);

// Every entry line of the log, with where it is.
struct LocatedLine {
  uint32_t segment;
  uint64_t offset;
  std::string text;  // without "\n"
};
std::vector<LocatedLine> read_lines(const std::filesystem::path& dir);
// Rewrites the segment files from `lines` (each line goes to its `segment`).
void rewrite_segments(const std::filesystem::path& dir, const std::vector<LocatedLine>& lines);
// Renumbers lines [from, end) to seq = index and recomputes their prev chain, as an attacker
// who knows the format would after editing the log.
void rechain(std::vector<LocatedLine>& lines, size_t from);

}  // namespace sy::audit::testing
