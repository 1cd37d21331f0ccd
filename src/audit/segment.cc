#include "audit/segment.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "audit/encoding.h"
#include "audit/json_scratch.h"

namespace sy::audit {
namespace {

constexpr std::string_view kSeqPrefix = "{\"seq\":";
constexpr std::string_view kPrevPrefix = ",\"prev\":\"";
constexpr std::string_view kSegmentPrefix = "segment-";
constexpr std::string_view kSegmentSuffix = ".jsonl";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr size_t kReadChunk = size_t{1} << 20;

std::unexpected<Error> invalid(std::string message) {
  return fail(ErrorKind::InvalidRequest, std::move(message));
}

std::unexpected<Error> corrupt(std::string message) {
  return fail(ErrorKind::Internal, std::move(message));
}

// Error for body #index of a batch; param carries the index.
std::unexpected<Error> bad_body(size_t index, std::string what) {
  return fail(ErrorKind::InvalidRequest,
              "audit entry body #" + std::to_string(index) + " " + std::move(what),
              std::to_string(index), "invalid_audit_body");
}

std::string location(const std::filesystem::path& dir, uint32_t segment, uint64_t line) {
  return (dir / segment_file_name(segment)).string() + " line " + std::to_string(line);
}

}  // namespace

void append_entry(std::string& out, uint64_t seq, const Hash& prev, std::string_view body) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seq);
  (void)ec;  // 24 bytes always fit a uint64
  out += kSeqPrefix;
  out.append(digits, end);
  out += kPrevPrefix;
  const size_t at = out.size();
  out.resize(at + 64);
  for (size_t i = 0; i < prev.size(); ++i) {
    out[at + 2 * i] = kHexDigits[prev[i] >> 4];
    out[at + 2 * i + 1] = kHexDigits[prev[i] & 0xf];
  }
  out += "\",";
  out += body;
  out += '}';
}

Result<EntryPrefix> parse_entry_prefix(std::string_view line) {
  if (!line.starts_with(kSeqPrefix)) return invalid("does not start with {\"seq\":");
  size_t pos = kSeqPrefix.size();
  size_t digits_end = pos;
  while (digits_end < line.size() && line[digits_end] >= '0' && line[digits_end] <= '9') {
    ++digits_end;
  }
  EntryPrefix prefix;
  const auto [ptr, ec] = std::from_chars(line.data() + pos, line.data() + digits_end, prefix.seq);
  if (digits_end == pos || ec != std::errc() || ptr != line.data() + digits_end ||
      (line[pos] == '0' && digits_end - pos > 1)) {
    return invalid("\"seq\" is not a canonical decimal uint64");
  }
  pos = digits_end;
  if (line.substr(pos, kPrevPrefix.size()) != kPrevPrefix) {
    return invalid("\"seq\" is not followed by ,\"prev\":\"");
  }
  pos += kPrevPrefix.size();
  if (line.size() < pos + 64 || !hex_decode(line.substr(pos, 64), prefix.prev)) {
    return invalid("\"prev\" is not 64 lowercase hex digits");
  }
  pos += 64;
  if (line.substr(pos, 2) != "\",") return invalid("\"prev\" is not followed by ,");
  pos += 2;
  if (line.size() < pos + 2 || line.back() != '}') {
    return invalid("has no members after \"prev\" or does not end with }");
  }
  return prefix;
}

Result<void> check_entry_json(std::string_view line) {
  simdjson::dom::element doc;
  if (auto err = parse_json(line).get(doc)) {
    return invalid(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return invalid("not a JSON object");
  int seq = 0;
  int prev = 0;
  for (simdjson::dom::key_value_pair field : obj) {
    if (field.key == "seq") ++seq;
    if (field.key == "prev") ++prev;
  }
  if (seq != 1 || prev != 1) return invalid("\"seq\" and \"prev\" must occur exactly once");
  return {};
}

std::string segment_file_name(uint32_t number) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "segment-%06u.jsonl", number);
  return std::string(buf, static_cast<size_t>(n));
}

Result<std::vector<uint32_t>> list_segments(const std::filesystem::path& dir) {
  std::vector<uint32_t> numbers;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return std::unexpected(io_error("cannot list", dir, ec.value()));
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix)) continue;
    const std::string_view digits = std::string_view(name).substr(
        kSegmentPrefix.size(), name.size() - kSegmentPrefix.size() - kSegmentSuffix.size());
    uint32_t number = 0;
    const auto [ptr, perr] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (perr != std::errc() || ptr != digits.data() + digits.size() || number == 0 ||
        segment_file_name(number) != name) {
      return corrupt("unexpected file " + (dir / name).string() +
                     " (segment files are named segment-000001.jsonl, segment-000002.jsonl, …)");
    }
    numbers.push_back(number);
  }
  if (ec) return std::unexpected(io_error("cannot list", dir, ec.value()));
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

// ---- SegmentReader ----

Result<SegmentReader> SegmentReader::open(const std::filesystem::path& dir) {
  auto segments = list_segments(dir);
  if (!segments) return std::unexpected(segments.error());
  SegmentReader reader;
  reader.dir_ = dir;
  reader.segments_ = std::move(*segments);
  return reader;
}

Result<std::optional<EntryLine>> SegmentReader::next() {
  while (true) {
    if (!fd_.valid()) {
      if (index_ >= segments_.size()) return std::nullopt;
      auto fd = open_file(dir_ / segment_file_name(segments_[index_]), O_RDONLY);
      if (!fd) return std::unexpected(fd.error());
      fd_ = std::move(*fd);
      begin_ = end_ = 0;
      buffer_offset_ = 0;
      line_number_ = 0;
      eof_ = false;
      if (buffer_.size() < kReadChunk) buffer_.resize(kReadChunk);
    }
    const uint32_t segment = segments_[index_];
    if (begin_ < end_) {
      const char* start = buffer_.data() + begin_;
      if (const void* nl = std::memchr(start, '\n', end_ - begin_)) {
        const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
        EntryLine line{segment, buffer_offset_ + begin_, ++line_number_, {start, len}, true};
        begin_ += len + 1;
        return line;
      }
    }
    if (!eof_) {
      // Move the partial line to the front and read more, growing for long lines.
      if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        buffer_offset_ += begin_;
        end_ -= begin_;
        begin_ = 0;
      }
      if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
      const ssize_t n = ::read(fd_.get(), buffer_.data() + end_, buffer_.size() - end_);
      if (n < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(io_error("cannot read", dir_ / segment_file_name(segment), errno));
      }
      if (n == 0) eof_ = true;
      end_ += static_cast<size_t>(n);
      continue;
    }
    if (begin_ < end_) {  // the file ends inside a line
      EntryLine line{segment,
                     buffer_offset_ + begin_,
                     ++line_number_,
                     {buffer_.data() + begin_, end_ - begin_},
                     false};
      begin_ = end_;
      return line;
    }
    fd_.reset();
    ++index_;
  }
}

// ---- SegmentWriter ----

SegmentWriter::SegmentWriter(SegmentWriter&&) noexcept = default;
SegmentWriter& SegmentWriter::operator=(SegmentWriter&&) noexcept = default;
SegmentWriter::~SegmentWriter() = default;

std::filesystem::path SegmentWriter::segment_path(uint32_t number) const {
  return dir_ / segment_file_name(number);
}

Result<SegmentWriter> SegmentWriter::open(const std::filesystem::path& dir,
                                          const SegmentOptions& options) {
  if (auto r = make_dirs(dir); !r) return std::unexpected(r.error());
  SegmentWriter w;
  w.dir_ = dir;
  w.options_ = options;
  auto dir_fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  if (!dir_fd) return std::unexpected(dir_fd.error());
  w.dir_fd_ = std::move(*dir_fd);
  if (::flock(w.dir_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return fail(ErrorKind::Unavailable,
                  "audit log " + dir.string() + " is already open by another writer");
    }
    return std::unexpected(io_error("cannot lock", dir, errno));
  }

  auto reader = SegmentReader::open(dir);
  if (!reader) return std::unexpected(reader.error());
  const std::vector<uint32_t> segments = reader->segments();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != i + 1) {
      return corrupt(
          "audit log " + dir.string() + ": " + segment_file_name(static_cast<uint32_t>(i + 1)) +
          " is missing (the next segment file is " + segment_file_name(segments[i]) + ")");
    }
  }

  // Replay every entry: check the sequence and the chain, rebuild the frontier.
  std::optional<uint64_t> torn_offset;
  while (true) {
    auto next = reader->next();
    if (!next) return std::unexpected(next.error());
    if (!*next) break;
    const EntryLine& line = **next;
    const auto where = [&] { return location(dir, line.segment, line.line_number); };
    if (!line.complete) {
      if (line.segment != segments.back()) {
        return corrupt(where() +
                       ": incomplete line (no trailing newline) in a segment that is not the last");
      }
      torn_offset = line.offset;
      break;
    }
    auto prefix = parse_entry_prefix(line.text);
    if (!prefix) return corrupt(where() + ": malformed entry: " + prefix.error().message);
    const uint64_t expected = w.frontier_.size();
    if (prefix->seq != expected) {
      return corrupt(where() + ": expected seq " + std::to_string(expected) + ", found " +
                     std::to_string(prefix->seq));
    }
    if (prefix->prev != w.last_leaf_) {
      return corrupt(where() + ": entry " + std::to_string(expected) +
                     "'s prev does not match the leaf hash of the entry before it");
    }
    w.last_leaf_ = leaf_hash(line.text);
    w.frontier_.append(w.last_leaf_);
  }

  if (segments.empty()) {
    w.segment_ = 1;
    auto fd = open_file(w.segment_path(1), O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
    if (!fd) return std::unexpected(fd.error());
    w.fd_ = std::move(*fd);
    if (::fsync(w.dir_fd_.get()) != 0) return std::unexpected(io_error("cannot fsync", dir, errno));
    return w;
  }
  w.segment_ = segments.back();
  const auto path = w.segment_path(w.segment_);
  auto fd = open_file(path, O_WRONLY | O_APPEND);
  if (!fd) return std::unexpected(fd.error());
  w.fd_ = std::move(*fd);
  struct stat st {};
  if (::fstat(w.fd_.get(), &st) != 0) return std::unexpected(io_error("cannot stat", path, errno));
  w.segment_bytes_ = static_cast<uint64_t>(st.st_size);
  if (torn_offset) {
    if (::ftruncate(w.fd_.get(), static_cast<off_t>(*torn_offset)) != 0) {
      return std::unexpected(io_error("cannot drop the torn tail of", path, errno));
    }
    w.repaired_bytes_ = w.segment_bytes_ - *torn_offset;
    w.segment_bytes_ = *torn_offset;
  }
  // What a crashed writer left in the page cache is readable but maybe not on disk yet:
  // make it durable before anyone signs a checkpoint over it. (Earlier segments were
  // synced when the next one was created.)
  if (::fdatasync(w.fd_.get()) != 0) {
    return std::unexpected(io_error("cannot fdatasync", path, errno));
  }
  return w;
}

Result<void> SegmentWriter::check_usable() const {
  if (!failure_.empty()) {
    return fail(ErrorKind::Internal, "audit log writer for " + dir_.string() + " failed earlier (" +
                                         failure_ + "); open the log again");
  }
  if (!fd_.valid()) return fail(ErrorKind::Internal, "audit log writer is not open");
  return {};
}

Result<void> SegmentWriter::rotate() {
  if (unsynced_ && ::fdatasync(fd_.get()) != 0) {
    auto err = io_error("cannot fdatasync", segment_path(segment_), errno);
    failure_ = err.message;
    return std::unexpected(std::move(err));
  }
  unsynced_ = false;
  const uint32_t next = segment_ + 1;
  auto fd = open_file(segment_path(next), O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
  if (!fd) return std::unexpected(fd.error());
  fd_ = std::move(*fd);
  segment_ = next;
  segment_bytes_ = 0;
  if (::fsync(dir_fd_.get()) != 0) return std::unexpected(io_error("cannot fsync", dir_, errno));
  return {};
}

std::string SegmentWriter::roll_back(uint32_t segment, uint64_t segment_bytes) {
  fd_.reset();
  for (uint32_t n = segment_; n > segment; --n) {
    if (::unlink(segment_path(n).c_str()) != 0 && errno != ENOENT) {
      return io_error("cannot remove", segment_path(n), errno).message;
    }
  }
  if (segment_ != segment && ::fsync(dir_fd_.get()) != 0) {
    return io_error("cannot fsync", dir_, errno).message;
  }
  segment_ = segment;
  auto fd = open_file(segment_path(segment), O_WRONLY | O_APPEND);
  if (!fd) return fd.error().message;
  if (::ftruncate(fd->get(), static_cast<off_t>(segment_bytes)) != 0) {
    return io_error("cannot truncate", segment_path(segment), errno).message;
  }
  fd_ = std::move(*fd);
  segment_bytes_ = segment_bytes;
  unsynced_ = true;
  return {};
}

Result<std::vector<AppendedEntry>> SegmentWriter::append(std::span<const std::string_view> bodies) {
  if (auto r = check_usable(); !r) return std::unexpected(r.error());
  std::vector<AppendedEntry> out;
  out.reserve(bodies.size());

  // Plan: build every line (and its leaf) into buffer_, split into per-segment groups.
  struct Group {
    size_t begin = 0;
    size_t end = 0;
    bool rotate_before = false;
  };
  std::vector<Group> groups;
  Group group;
  buffer_.clear();
  MerkleFrontier frontier = frontier_;
  Hash prev = last_leaf_;
  uint32_t segment = segment_;
  uint64_t segment_bytes = segment_bytes_;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const std::string_view body = bodies[i];
    if (body.empty()) return bad_body(i, "is empty");
    if (body.find('\n') != std::string_view::npos) return bad_body(i, "contains a newline");
    if (segment_bytes >= options_.max_segment_bytes && segment_bytes > 0) {
      if (buffer_.size() > group.begin) {
        group.end = buffer_.size();
        groups.push_back(group);
        group = Group{buffer_.size(), 0, true};
      } else {
        group.rotate_before = true;
      }
      ++segment;
      segment_bytes = 0;
    }
    const size_t start = buffer_.size();
    const uint64_t seq = frontier.size();
    append_entry(buffer_, seq, prev, body);
    const std::string_view line(buffer_.data() + start, buffer_.size() - start);
    if (options_.validate_json) {
      if (auto r = check_entry_json(line); !r) {
        return bad_body(i, "does not make a valid entry: " + r.error().message);
      }
    }
    prev = leaf_hash(line);
    frontier.append(prev);
    buffer_ += '\n';
    out.push_back({seq, segment, segment_bytes, prev});
    segment_bytes += buffer_.size() - start;
  }
  group.end = buffer_.size();
  if (group.end > group.begin) groups.push_back(group);

  // Write: one write() per group; undo everything on failure.
  const uint32_t start_segment = segment_;
  const uint64_t start_bytes = segment_bytes_;
  for (const Group& g : groups) {
    Result<void> r;
    if (g.rotate_before) r = rotate();
    if (r) {
      r = write_all(fd_.get(), std::string_view(buffer_).substr(g.begin, g.end - g.begin),
                    segment_path(segment_));
    }
    if (!r) {
      if (std::string undo = roll_back(start_segment, start_bytes); !undo.empty()) {
        failure_ = r.error().message + "; rolling back failed: " + undo;
      }
      return std::unexpected(r.error());
    }
    segment_bytes_ += g.end - g.begin;
    unsynced_ = true;
  }
  frontier_ = std::move(frontier);
  last_leaf_ = prev;
  return out;
}

Result<AppendedEntry> SegmentWriter::append(std::string_view body) {
  auto r = append(std::span<const std::string_view>(&body, 1));
  if (!r) return std::unexpected(r.error());
  return r->front();
}

Result<void> SegmentWriter::sync() {
  if (auto r = check_usable(); !r) return r;
  if (!unsynced_) return {};
  if (::fdatasync(fd_.get()) != 0) {
    auto err = io_error("cannot fdatasync", segment_path(segment_), errno);
    failure_ = err.message;
    return std::unexpected(std::move(err));
  }
  unsynced_ = false;
  return {};
}

}  // namespace sy::audit
