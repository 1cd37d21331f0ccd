// The JSON-RPC 2.0 messages of the Model Context Protocol (spec 2025-06-18, also
// 2025-03-26) that a client calling tools needs: building `initialize`,
// `notifications/initialized`, `tools/list`, `tools/call` and `notifications/cancelled`;
// classifying what a server sends (a response, an error, a request of its own, a notification);
// reading the initialize, tools/list and tools/call results; answering a server's requests
// (`ping`; anything else is "method not found"). Pure functions, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sy::workflow {

inline constexpr std::string_view kMcpProtocolVersion = "2025-06-18";
// The versions this client speaks (its tools/call subset is the same in each).
bool mcp_version_supported(std::string_view version);

std::string mcp_request(int64_t id, std::string_view method, std::string_view params_json);
std::string mcp_notification(std::string_view method);
// notifications/cancelled for the request `request_id`, with `reason`.
std::string mcp_cancelled(int64_t request_id, std::string_view reason);
std::string mcp_initialize_params();
std::string mcp_tools_list_params(const std::string& cursor);
std::string mcp_tools_call_params(const std::string& tool, const std::string& arguments_json);

struct McpMessage {
  enum class Kind { Response, Error, Request, Notification, Invalid };
  Kind kind = Kind::Invalid;
  bool numeric_id = false;
  int64_t id = 0;           // when numeric_id
  std::string id_json;      // the id as sent (to answer a server's request)
  std::string method;       // Request, Notification
  std::string result_json;  // Response
  int64_t error_code = 0;   // Error
  std::string error_message;
};

// One message (a JSON object). Anything else — not JSON, a batch, no "jsonrpc", an empty
// method — is Invalid.
McpMessage parse_mcp_message(std::string_view text);

// The answer to a server's request: `{}` for ping, a -32601 error otherwise.
std::string mcp_answer(const McpMessage& request);

// The initialize result's protocolVersion, when this client speaks it.
Result<std::string> mcp_negotiated_version(const std::string& result_json);

// One page of tools/list: the tool names and the cursor of the next page ("" = last).
struct McpToolPage {
  std::vector<std::string> names;
  std::string next_cursor;
};
Result<McpToolPage> parse_tool_page(const std::string& result_json);

// A tools/call result. The output is `structuredContent` when present; otherwise the
// text content (text items joined with "\n"), as the JSON it holds when it is JSON, else
// as a JSON string; with no text either, the `content` array itself. `text` is the text
// content (the message of an isError result).
struct McpToolResult {
  bool is_error = false;
  std::string output_json;
  std::string text;
};
Result<McpToolResult> parse_tool_result(const std::string& result_json);

}  // namespace sy::workflow
