// The audit log's entries and the segment files that hold them.
//
// Entry: one line of UTF-8 JSON object text with no raw newline, terminated by "\n":
//
//   {"seq":<decimal uint64>,"prev":"<64 lowercase hex>",<body>}\n
//
// `body` is the caller's JSON members without braces ("time":"…","kind":"request",…).
// seq is the entry's 0-based index in the whole log. prev of seq 0 is 64 '0's; prev of
// seq n is the hex of leaf_hash(entry n-1), the hash chain. The Merkle leaf of an entry is
// leaf_hash(line without its "\n") (merkle.h).
//
// Segments: <dir>/segment-000001.jsonl, segment-000002.jsonl, … numbered from 1 without
// gaps (%06u, so more digits past 999999). A segment holds whole entries; the writer starts
// the next one before an entry once the current one holds max_segment_bytes or more.
//
// SegmentWriter is the append side, owned by one writer thread: not thread-safe, blocking
// I/O. It holds an exclusive flock on the directory, so a second writer (in this or
// another process) fails to open. SegmentReader reads a log in order; it is a plain
// single-owner object and may read a log that a writer is appending to. The free
// functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/file_io.h"
#include "audit/merkle.h"
#include "core/error.h"

namespace sy::audit {

// ---- Entry format (pure) ----

struct EntryPrefix {
  uint64_t seq = 0;
  Hash prev{};
};

// Appends the entry line for (seq, prev, body) to `out`, without the "\n".
void append_entry(std::string& out, uint64_t seq, const Hash& prev, std::string_view body);
// Parses the `{"seq":N,"prev":"<hex>",` prefix of an entry line (without "\n") and checks
// the line ends with '}'. The error message is the reason, for the caller to place.
Result<EntryPrefix> parse_entry_prefix(std::string_view line);
// Checks the whole line is one valid UTF-8 JSON object in which "seq" and "prev" occur
// once at the top level. Slower than parse_entry_prefix (a full parse).
Result<void> check_entry_json(std::string_view line);

// ---- Segment files ----

inline constexpr uint64_t kDefaultMaxSegmentBytes = uint64_t{64} << 20;

// "segment-000001.jsonl" for 1.
std::string segment_file_name(uint32_t number);
// The segment numbers in `dir`, ascending (gaps are not checked here). Fails if `dir`
// cannot be read or holds a file named segment-*.jsonl that is not a canonical name.
Result<std::vector<uint32_t>> list_segments(const std::filesystem::path& dir);

struct SegmentOptions {
  uint64_t max_segment_bytes = kDefaultMaxSegmentBytes;
  // Reject a batch if a body would make an entry that is not a valid JSON object (a full
  // parse per entry). Bodies containing "\n", and empty bodies, are always rejected.
  bool validate_json = true;
};

// Where one appended entry went.
struct AppendedEntry {
  uint64_t seq = 0;
  uint32_t segment = 0;  // segment file number
  uint64_t offset = 0;   // byte offset of the entry's line in that file
  Hash leaf{};           // its Merkle leaf hash
};

class SegmentWriter {
 public:
  // Opens (creating if needed) the log in `dir`: checks the segments are numbered 1..N,
  // drops a torn tail of the last segment (bytes after its last "\n", left by a crash in
  // the middle of a write; see repaired_bytes()), and reads every entry to rebuild the
  // next seq, the hash chain and the Merkle frontier. Any other inconsistency (a gap, a
  // malformed line, an unexpected seq, a broken chain) fails, naming the file and line;
  // nothing else is repaired. On success everything in the log is durable (the last
  // segment is fdatasync'ed), so a checkpoint may cover it at once.
  static Result<SegmentWriter> open(const std::filesystem::path& dir,
                                    const SegmentOptions& options = {});

  SegmentWriter(SegmentWriter&&) noexcept;
  SegmentWriter& operator=(SegmentWriter&&) noexcept;
  ~SegmentWriter();  // closes files; does not sync

  // Appends one entry per body, in order: builds the lines and writes them with one
  // write() per segment touched. It does not fsync, except when it fills a segment: before
  // creating the next one it fdatasyncs the full one and then fsyncs the directory, so a
  // crash can never leave a torn segment followed by another. All or nothing: if a body
  // is invalid nothing is written and the error is InvalidRequest with `param` the body's
  // index (the writer stays usable); if a write fails, the files are rolled back to where
  // they were before the call. If even the rollback fails (or an fsync fails, after which
  // what reached the disk is unknown) the writer enters a failed state in which every
  // call fails; open the log again to recover.
  Result<std::vector<AppendedEntry>> append(std::span<const std::string_view> bodies);
  Result<AppendedEntry> append(std::string_view body);
  // Makes everything appended so far durable (fdatasync of the current segment; earlier
  // segments and the directory were synced when the segment was created). After a failed
  // sync the writer is in the failed state. Sign checkpoints only for synced sizes.
  Result<void> sync();

  // Entries in the log: the seq the next entry gets.
  uint64_t size() const { return frontier_.size(); }
  // Merkle root of all entries (empty_root() when none). O(log n).
  Hash root() const { return frontier_.root(); }
  const MerkleFrontier& frontier() const { return frontier_; }
  // Leaf hash of the last entry (all zero when the log is empty): the next entry's prev.
  const Hash& last_leaf() const { return last_leaf_; }
  uint32_t segment() const { return segment_; }
  uint64_t segment_bytes() const { return segment_bytes_; }
  // Bytes of torn tail that open() dropped (0 when the log was clean).
  uint64_t repaired_bytes() const { return repaired_bytes_; }
  // Why the writer is in the failed state ("" when it is not).
  const std::string& failure() const { return failure_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  SegmentWriter() = default;
  Result<void> check_usable() const;
  // Syncs the current segment, creates segment_ + 1 and syncs the directory.
  Result<void> rotate();
  // Undoes a partly written batch: deletes segments after `segment` and truncates it to
  // `segment_bytes`. Returns "" on success, else what went wrong.
  std::string roll_back(uint32_t segment, uint64_t segment_bytes);
  std::filesystem::path segment_path(uint32_t number) const;

  std::filesystem::path dir_;
  SegmentOptions options_;
  UniqueFd dir_fd_;  // holds the flock
  UniqueFd fd_;      // current segment, O_APPEND
  uint32_t segment_ = 0;
  uint64_t segment_bytes_ = 0;
  MerkleFrontier frontier_;
  Hash last_leaf_{};
  uint64_t repaired_bytes_ = 0;
  bool unsynced_ = false;  // fd_ has data not yet fdatasync'ed
  std::string failure_;
  std::string buffer_;  // reused line buffer
};

// One line of a segment file.
struct EntryLine {
  uint32_t segment = 0;      // segment file number
  uint64_t offset = 0;       // byte offset of the line in the file
  uint64_t line_number = 0;  // 1-based line number in the file
  std::string_view text;     // without "\n"; valid until the next call to next()
  bool complete = true;      // false: the file ends without "\n" after `text` (torn)
};

// Reads the lines of every segment in ascending segment order (whatever gaps there are),
// in chunks, without interpreting them.
class SegmentReader {
 public:
  static Result<SegmentReader> open(const std::filesystem::path& dir);

  // The segment numbers found, ascending.
  const std::vector<uint32_t>& segments() const { return segments_; }
  // The next line, or nullopt after the last one.
  Result<std::optional<EntryLine>> next();

 private:
  std::filesystem::path dir_;
  std::vector<uint32_t> segments_;
  size_t index_ = 0;  // into segments_
  UniqueFd fd_;
  std::string buffer_;
  size_t begin_ = 0;  // unread data is buffer_[begin_, end_)
  size_t end_ = 0;
  uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  uint64_t line_number_ = 0;
  bool eof_ = false;
};

}  // namespace sy::audit
