#include "workflow/mcp_stdio.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/log.h"
#include "workflow/mcp_protocol.h"

extern char** environ;

namespace sy::workflow {
namespace {

constexpr size_t kMaxLineBytes = 16u << 20;
constexpr std::chrono::milliseconds kSlice{50};

std::vector<std::string> child_environment(const McpServerConfig& config) {
  std::vector<std::string> env;
  for (const char* name :
       {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "TMPDIR", "TZ"}) {
    if (config.env.contains(name)) continue;
    if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
  }
  for (const auto& [k, v] : config.env) env.push_back(k + "=" + v);
  return env;
}

// Whether the process has ended (and was reaped) within `wait`.
bool reaped_within(pid_t pid, std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

Result<std::unique_ptr<McpStdioChannel>> McpStdioChannel::spawn(const McpServerConfig& config) {
  if (config.command.empty()) return fail(ErrorKind::Unavailable, "no command to start");
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0)
    return fail(ErrorKind::Unavailable, std::string("pipe: ") + std::strerror(errno));
  if (pipe2(out, O_CLOEXEC) != 0) {
    const int e = errno;
    close(in[0]);
    close(in[1]);
    return fail(ErrorKind::Unavailable, std::string("pipe: ") + std::strerror(e));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  if (!config.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, config.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  for (const std::string& a : config.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment(config);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    return fail(ErrorKind::Unavailable,
                "cannot start " + config.command[0] + ": " + std::strerror(rc));
  }
  fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<McpStdioChannel>(new McpStdioChannel(pid, in[1], out[0], config.name));
}

McpStdioChannel::McpStdioChannel(pid_t pid, int in_fd, int out_fd, std::string name)
    : pid_(pid), in_fd_(in_fd), out_fd_(out_fd), name_(std::move(name)) {
  reader_ = std::thread([this] { read_loop(); });
}

McpStdioChannel::~McpStdioChannel() {
  close(in_fd_);  // a well-behaved server exits when its stdin closes
  if (!reaped_within(pid_, std::chrono::seconds(2))) {
    kill(-pid_, SIGTERM);
    if (!reaped_within(pid_, std::chrono::seconds(2))) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  stop_ = true;
  reader_.join();
  close(out_fd_);
}

void McpStdioChannel::mark_dead(std::string reason) {
  std::lock_guard lock(mu_);
  if (!dead_) {
    dead_ = true;
    dead_reason_ = std::move(reason);
  }
  answered_.notify_all();
}

void McpStdioChannel::read_loop() {
  std::string buffer;
  std::vector<char> chunk(64 * 1024);
  while (!stop_.load()) {
    pollfd p{out_fd_, POLLIN, 0};
    const int n = poll(&p, 1, 100);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    const ssize_t got = read(out_fd_, chunk.data(), chunk.size());
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) break;
    buffer.append(chunk.data(), static_cast<size_t>(got));
    size_t start = 0;
    for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
      on_line(std::string_view(buffer).substr(start, nl - start));
    }
    buffer.erase(0, start);
    if (buffer.size() > kMaxLineBytes) {
      spdlog::warn("mcp server {}: a message over {} bytes; dropping the connection", name_,
                   kMaxLineBytes);
      kill(-pid_, SIGTERM);
      break;
    }
  }
  mark_dead("the MCP server process " + name_ + " has exited");
}

void McpStdioChannel::on_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;
  McpMessage m = parse_mcp_message(line);
  switch (m.kind) {
    case McpMessage::Kind::Response:
    case McpMessage::Kind::Error: {
      if (!m.numeric_id) break;
      std::lock_guard lock(mu_);
      if (auto it = waiting_.find(m.id); it != waiting_.end()) {
        it->second = std::string(line);
        answered_.notify_all();
      }
      break;
    }
    case McpMessage::Kind::Request: {
      const McpDeadline soon{std::chrono::steady_clock::now() + std::chrono::seconds(1)};
      (void)write_line(mcp_answer(m), soon);
      break;
    }
    case McpMessage::Kind::Notification:
      break;
    case McpMessage::Kind::Invalid:
      spdlog::debug("mcp server {}: ignoring a line that is not JSON-RPC", name_);
      break;
  }
}

Result<void> McpStdioChannel::write_line(const std::string& message, const McpDeadline& deadline,
                                         uint64_t* start) {
  std::lock_guard lock(write_mu_);
  if (start != nullptr) *start = written_;
  std::string data = message;
  data += '\n';
  // A write to a pipe whose reader has gone raises SIGPIPE, which would end the gateway:
  // block it in this thread while writing and discard it if it came.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  Result<void> result;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(in_fd_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      written_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      const auto left = deadline.left();
      if (left.count() == 0 || deadline.cancelled()) {
        result = fail(ErrorKind::UpstreamTimeout,
                      "the MCP server " + name_ + " does not read its input");
        // Half a line in the pipe would run into the next message: the channel is done.
        if (done > 0) mark_dead("the MCP server " + name_ + " stopped reading mid-message");
        break;
      }
      pollfd p{in_fd_, POLLOUT, 0};
      poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()));
      continue;
    }
    if (n < 0 && errno == EPIPE) {
      const timespec zero{};
      sigtimedwait(&pipe_set, nullptr, &zero);
      result = fail(ErrorKind::Unavailable, "the MCP server process " + name_ + " has exited");
    } else {
      result = fail(ErrorKind::UpstreamError,
                    std::string("writing to the MCP server: ") + std::strerror(errno));
    }
    break;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return result;
}

bool McpStdioChannel::read_past(uint64_t offset) {
  std::lock_guard lock(write_mu_);  // no write may land between the two reads
  // A pipe keeps what its reader left unread after the reader has gone.
  int unread = 0;
  if (ioctl(in_fd_, FIONREAD, &unread) != 0) return true;  // unknown: assume it was read
  return written_ - static_cast<uint64_t>(unread) > offset;
}

Result<std::string> McpStdioChannel::request(const std::string& message, int64_t id,
                                             const McpDeadline& deadline) {
  {
    std::lock_guard lock(mu_);
    if (dead_) return fail(ErrorKind::Unavailable, dead_reason_);
    waiting_[id];
  }
  uint64_t start = 0;
  if (auto w = write_line(message, deadline, &start); !w) {
    std::lock_guard lock(mu_);
    waiting_.erase(id);
    return std::unexpected(w.error());
  }
  std::unique_lock lock(mu_);
  for (;;) {
    auto it = waiting_.find(id);
    if (it->second) {
      std::string answer = std::move(*it->second);
      waiting_.erase(it);
      return answer;
    }
    std::optional<Error> error;
    if (dead_) {
      waiting_.erase(it);
      const std::string reason = dead_reason_;
      lock.unlock();
      // Unavailable has McpClients send the request again on a new process: only when
      // this one died without reading any of it.
      if (!read_past(start)) return fail(ErrorKind::Unavailable, reason);
      return fail(ErrorKind::UpstreamError,
                  reason + " after reading the request (it may have run: not repeated)");
    }
    if (deadline.cancelled()) {
      error = Error::make(ErrorKind::UpstreamTimeout, "cancelled: the engine is stopping");
    } else if (deadline.left().count() == 0) {
      error = Error::make(ErrorKind::UpstreamTimeout,
                          "no answer from the MCP server " + name_ + " in time");
    }
    if (error) {
      waiting_.erase(it);
      return std::unexpected(std::move(*error));
    }
    answered_.wait_for(lock, std::min(deadline.left(), kSlice));
  }
}

Result<void> McpStdioChannel::notify(const std::string& message, const McpDeadline& deadline) {
  {
    std::lock_guard lock(mu_);
    if (dead_) return fail(ErrorKind::Unavailable, dead_reason_);
  }
  return write_line(message, deadline);
}

}  // namespace sy::workflow
