// McpClients: the MCP servers of workflows.mcp_servers, each with one session that is
// started on first use and reused by every step: a session is a channel (stdio or
// HTTP, mcp_channel.h) on which initialize → notifications/initialized → tools/list
// (every page) has run. call() checks the server is declared, the tool is on its
// allow-list and among the tools it lists, then sends tools/call. A session whose
// process died or whose HTTP session expired before the server read the call is replaced
// once per call, and the call made on the new one; a process that dies after reading the
// call fails it (502), since the tool may have run.
//
// Thread-safe: engine threads call at once. Starting a session is serialized per
// server; requests on a session run concurrently (matched by JSON-RPC id). Destroying
// McpClients ends every session (stdio children are stopped and reaped) and must not
// race with calls.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/config.h"
#include "workflow/mcp_channel.h"
#include "workflow/ports.h"

namespace sy::workflow {

class McpServerSession;

// Opens a new channel to a server (tests substitute their own).
using McpChannelFactory =
    std::function<Result<std::unique_ptr<McpChannel>>(const McpServerConfig&)>;
McpChannelFactory default_mcp_channel_factory();

class McpClients {
 public:
  explicit McpClients(std::map<std::string, McpServerConfig> servers,
                      McpChannelFactory factory = default_mcp_channel_factory());
  ~McpClients();
  McpClients(const McpClients&) = delete;
  McpClients& operator=(const McpClients&) = delete;

  // Statuses: 200 the tool answered (is_error says whether it reported a failure);
  // 403 not on the server's allow-list; 404 no such server, or the server does not list
  // the tool; 502 a protocol or JSON-RPC error; 503 the server could not be started or
  // reached; 504 no answer within the timeout (the server's `timeout`, else the
  // request's), or cancelled.
  McpToolReply call(const McpToolRequest& request);

 private:
  struct Server;
  std::map<std::string, std::unique_ptr<Server>> servers_;
  McpChannelFactory factory_;
  std::atomic<int64_t> next_id_{1};
};

}  // namespace sy::workflow
