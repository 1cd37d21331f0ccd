// McpStdioChannel: an MCP server run as a child process (the stdio transport): JSON-RPC
// messages one per line on its stdin and stdout; its stderr is the gateway's. A reader
// thread matches responses to waiting requests by id, answers the server's own requests
// (ping; anything else "method not found") and drops notifications and lines that are
// not JSON-RPC. The child gets a minimal environment (PATH, HOME, USER, LOGNAME, SHELL,
// TERM, LANG, TMPDIR, TZ from the gateway's) plus the configured `env`, runs in its own
// process group, and inherits no other descriptor.
//
// When the process exits, later requests fail with Unavailable, and so do requests in
// flight that it had not read (the bytes still unread in its stdin pipe say so); one it
// had read fails with UpstreamError, since it may have run. A process that stops reading
// in the middle of a message is treated as dead (the half line would spoil the next). The
// destructor closes the child's stdin, waits up to 2 s, then sends SIGTERM, then SIGKILL
// to its process group, and reaps it. Thread-safe.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/config.h"
#include "workflow/mcp_channel.h"

namespace sy::workflow {

class McpStdioChannel final : public McpChannel {
 public:
  // Fails (Unavailable) when the command cannot be started.
  static Result<std::unique_ptr<McpStdioChannel>> spawn(const McpServerConfig& config);
  ~McpStdioChannel() override;
  McpStdioChannel(const McpStdioChannel&) = delete;
  McpStdioChannel& operator=(const McpStdioChannel&) = delete;

  Result<std::string> request(const std::string& message, int64_t id,
                              const McpDeadline& deadline) override;
  Result<void> notify(const std::string& message, const McpDeadline& deadline) override;

  pid_t pid() const { return pid_; }

 private:
  McpStdioChannel(pid_t pid, int in_fd, int out_fd, std::string name);
  void read_loop();
  void on_line(std::string_view line);
  // Writes `message` and a newline; `*start`, when given, is where it starts in the
  // stream of bytes written to the child.
  Result<void> write_line(const std::string& message, const McpDeadline& deadline,
                          uint64_t* start = nullptr);
  // Whether the child read past byte `offset` of what was written to it.
  bool read_past(uint64_t offset);
  void mark_dead(std::string reason);

  const pid_t pid_;
  const int in_fd_;   // the child's stdin (non-blocking)
  const int out_fd_;  // the child's stdout
  const std::string name_;
  std::mutex write_mu_;
  uint64_t written_ = 0;  // bytes written to the child's stdin (under write_mu_)

  std::mutex mu_;
  std::condition_variable answered_;
  std::map<int64_t, std::optional<std::string>> waiting_;  // id -> the answer, once here
  bool dead_ = false;
  std::string dead_reason_;

  std::atomic<bool> stop_{false};
  std::thread reader_;
};

}  // namespace sy::workflow
