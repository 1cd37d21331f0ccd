// McpHttpChannel: an MCP server behind the streamable HTTP transport. Each message is a
// POST to the one endpoint (Accept: application/json, text/event-stream); the response
// to a request comes back as an application/json body or inside a text/event-stream,
// read until the event carrying the response to its id (other events — notifications,
// the server's own requests — are skipped: this client never answers them over HTTP).
// The Mcp-Session-Id the server assigns at initialize is sent with every later message,
// and MCP-Protocol-Version once initialize has agreed on one. A 404 on a request that
// carries a session id means the session expired (so does a 400 whose body mentions the
// session, as servers built on the reference SDK's examples answer): Unavailable, so the
// caller starts a new session. Configured headers (with ${ENV} already expanded) go on every
// request.
//
// Each message runs on a private io_context on the calling thread with the project's
// upstream client (http/client.h), so calls are independent; thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "core/config.h"
#include "core/url.h"
#include "workflow/mcp_channel.h"

namespace sy::workflow {

class McpHttpChannel final : public McpChannel {
 public:
  // Fails (UpstreamError) on a URL the client cannot use.
  static Result<std::unique_ptr<McpHttpChannel>> open(const McpServerConfig& config);

  Result<std::string> request(const std::string& message, int64_t id,
                              const McpDeadline& deadline) override;
  Result<void> notify(const std::string& message, const McpDeadline& deadline) override;
  void set_protocol_version(const std::string& version) override;

  std::string session_id() const;

 private:
  McpHttpChannel(const McpServerConfig& config, Endpoint endpoint, std::string target);
  // One POST; `id` < 0 for a notification (any 2xx will do).
  Result<std::string> post(const std::string& message, int64_t id, const McpDeadline& deadline);

  const std::string name_;
  const std::string url_;
  const Endpoint endpoint_;
  const std::string target_;  // path and query
  const std::map<std::string, std::string> headers_;
  mutable std::mutex mu_;
  std::string session_id_;
  std::string protocol_version_;
};

}  // namespace sy::workflow
