// McpChannel: one transport connection to one MCP server, carrying JSON-RPC messages —
// a child process over stdio (mcp_stdio.h) or a streamable HTTP endpoint (mcp_http.h).
// request() sends one request and returns the server's response to its id (a response
// or an error message, as text); notify() sends a notification.
//
// Failures: Unavailable (503) — the process died or the HTTP session expired before the
// server read the request, so it did not run: start a new channel, initialize again and
// send it there (a process that dies after reading the request fails it with
// UpstreamError: it may have run, and is not repeated); UpstreamTimeout (504) — no
// answer in time or the call was cancelled; UpstreamError (502) — anything else.
// Implementations are thread-safe: several requests may be in flight at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace sy::workflow {

struct McpDeadline {
  std::chrono::steady_clock::time_point until;
  const std::atomic<bool>* cancel = nullptr;  // stop waiting when it turns true; may be null

  std::chrono::milliseconds left() const {
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    return d.count() > 0 ? d : std::chrono::milliseconds(0);
  }
  bool cancelled() const { return cancel != nullptr && cancel->load(); }
};

class McpChannel {
 public:
  virtual ~McpChannel() = default;
  virtual Result<std::string> request(const std::string& message, int64_t id,
                                      const McpDeadline& deadline) = 0;
  virtual Result<void> notify(const std::string& message, const McpDeadline& deadline) = 0;
  // The version initialize agreed on (HTTP sends it as MCP-Protocol-Version).
  virtual void set_protocol_version(const std::string& version) { (void)version; }
};

}  // namespace sy::workflow
