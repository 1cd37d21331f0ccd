// Small POSIX file helpers shared by the audit log's writers and readers: an owning file
// descriptor, full writes, whole-file reads, directory fsync and line splitting. Errors
// come back as sy::Result with the path and strerror text. Thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace sy::audit {

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// "<what> <path>: <strerror(err)>" as an Internal error.
Error io_error(std::string_view what, const std::filesystem::path& path, int err);

// Opens with open(2) flags | O_CLOEXEC.
Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, unsigned mode = 0644);
// Writes all of `data`, retrying short writes and EINTR.
Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path);
Result<std::string> read_file(const std::filesystem::path& path);
Result<void> fsync_dir(const std::filesystem::path& dir);
// create_directories, then fsyncs the parent of each directory it created.
Result<void> make_dirs(const std::filesystem::path& dir);

// One line of a text file: its text without the "\n", where it starts, its 1-based number,
// and whether it was terminated by "\n" (false only for the last line of a torn file).
struct TextLine {
  std::string_view text;
  uint64_t offset = 0;
  uint64_t number = 0;
  bool complete = true;
};
// Splits `content` into lines; a final line without "\n" is returned with complete=false;
// an empty content has no lines.
std::vector<TextLine> split_lines(std::string_view content);

}  // namespace sy::audit
