#include "audit/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace sy::audit {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(std::exchange(other.fd_, -1));
  return *this;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
  return Error::make(ErrorKind::Internal,
                     std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, unsigned mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return std::unexpected(io_error("cannot open", path, errno));
  return UniqueFd(fd);
}

Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error("cannot write", path, errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<std::string> read_file(const std::filesystem::path& path) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return std::unexpected(fd.error());
  std::string out;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error("cannot read", path, errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<void> fsync_dir(const std::filesystem::path& dir) {
  auto fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return std::unexpected(fd.error());
  if (::fsync(fd->get()) != 0) return std::unexpected(io_error("cannot fsync", dir, errno));
  return {};
}

Result<void> make_dirs(const std::filesystem::path& dir) {
  // Find the outermost missing ancestor, create the chain, then make each new entry
  // durable by fsyncing its parent.
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  if (missing.empty()) return {};
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(io_error("cannot create directory", dir, ec.value()));
  for (const auto& p : missing) {
    auto parent = p.parent_path();
    if (parent.empty()) parent = ".";
    if (auto r = fsync_dir(parent); !r) return r;
  }
  return {};
}

std::vector<TextLine> split_lines(std::string_view content) {
  std::vector<TextLine> lines;
  uint64_t offset = 0;
  uint64_t number = 0;
  while (offset < content.size()) {
    const size_t nl = content.find('\n', offset);
    TextLine line;
    line.offset = offset;
    line.number = ++number;
    if (nl == std::string_view::npos) {
      line.text = content.substr(offset);
      line.complete = false;
      offset = content.size();
    } else {
      line.text = content.substr(offset, nl - offset);
      offset = nl + 1;
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace sy::audit
