// StepPorts: everything a workflow step reaches outside the engine — a chat completion
// (through the gateway's pipeline, as the run's principal), an HTTP request (an HTTP
// tool step; the engine has checked the allow-list already), an MCP tool call (the
// ports check the server's declaration and allow-list: mcp_client.h), the audit trail,
// and the context windows a route can reach (for context fitting).
// gateway_ports.h implements them on a running Gateway; tests substitute fakes.
// Calls block the calling engine thread; implementations must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "governance/principal.h"

namespace sy::workflow {

struct ChatCall {
  std::string body;        // an OpenAI chat completion request (JSON)
  std::string task;        // the step's task type, sent as x-switchyard-task ("" = none)
  std::string request_id;  // for the audit record: the step's idempotency key + attempt
  const governance::Principal* principal = nullptr;
  std::chrono::milliseconds timeout{300'000};
  // Set when the engine stops: stop waiting for the answer (the step runs again at the
  // next start). May be null.
  const std::atomic<bool>* cancel = nullptr;
};

struct ChatReply {
  unsigned status = 0;     // 0: no answer within the timeout
  std::string body;        // the OpenAI response or error body
  std::string deployment;  // x-switchyard-deployment: what served it
};

struct ToolRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{300'000};
};

struct ToolReply {
  unsigned status = 0;  // 0: transport failure (see error)
  std::string body;
  std::string error;
};

// The context windows (tokens) of the chat deployments a request to a model or route may
// be served by, for a task type (see GatewayPorts::context_window).
struct RouteWindow {
  uint32_t smallest = 0;  // of every candidate: what any of them can take
  uint32_t largest = 0;   // what the route can take at all, falling back if it must
};

struct McpToolRequest {
  std::string server;          // a name in workflows.mcp_servers
  std::string tool;
  std::string arguments_json;  // a JSON object
  std::chrono::milliseconds timeout{300'000};  // unless the server sets its own
  const std::atomic<bool>* cancel = nullptr;    // set when the engine stops; may be null
};

struct McpToolReply {
  int status = 0;  // 200 the tool answered; 403, 404, 502, 503, 504 (mcp_client.h)
  bool is_error = false;    // the tool's result said isError: `error` holds its text
  std::string output_json;  // with 200 and !is_error (mcp_protocol.h: parse_tool_result)
  std::string error;
};

class StepPorts {
 public:
  virtual ~StepPorts() = default;
  virtual ChatReply chat(const ChatCall& call) = 0;
  virtual ToolReply http(const ToolRequest& request) = 0;
  // A tools/call on a declared MCP server. The default: no MCP servers (404).
  virtual McpToolReply mcp(const McpToolRequest& request) {
    return {.status = 404, .error = "no MCP server \"" + request.server + "\" here"};
  }
  // An audit record of kind "admin" for what a step did outside the model API (an HTTP
  // tool call, allowed or denied). `detail_json` is a JSON object.
  virtual void audit(std::string action, const governance::Principal& who, int status,
                     std::string error, std::string detail_json) = 0;
  // The windows a chat call to `model` (a deployment or route) with task `task` ("" =
  // unknown) as `who` can reach; nullopt when it is not known or not limited (then the
  // prompt is sent as it is). The default knows nothing.
  virtual std::optional<RouteWindow> context_window(const std::string& model,
                                                    const std::string& task,
                                                    const governance::Principal& who) {
    (void)model, (void)task, (void)who;
    return std::nullopt;
  }
};

}  // namespace sy::workflow
