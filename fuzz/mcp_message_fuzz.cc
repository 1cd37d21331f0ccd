// Fuzzes what an MCP server sends the workflow engine's MCP client (workflow/mcp_protocol.h):
// parse_mcp_message over any bytes, then the result readers (initialize, tools/list,
// tools/call) over the result of whatever parsed as a response, and the answer to whatever
// parsed as a server request. Checks: a response has an id; an answer to a server request
// is valid JSON that parses back as a response or an error with the same id; a tool
// result's output is valid JSON; a listed tool name makes a valid tools/call request.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_check.h"
#include "workflow/mcp_protocol.h"

using sy::workflow::McpMessage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const McpMessage m = sy::workflow::parse_mcp_message(text);
  switch (m.kind) {
    case McpMessage::Kind::Response: {
      FUZZ_CHECK(!m.id_json.empty() || m.numeric_id);
      (void)sy::workflow::mcp_negotiated_version(m.result_json);
      if (auto page = sy::workflow::parse_tool_page(m.result_json)) {
        // A listed name goes back into a tools/call request: it must stay valid JSON.
        for (const auto& name : page->names) {
          FUZZ_CHECK(nlohmann::json::accept(sy::workflow::mcp_tools_call_params(name, "{}")));
        }
      }
      if (auto result = sy::workflow::parse_tool_result(m.result_json)) {
        FUZZ_CHECK(nlohmann::json::accept(result->output_json));
      }
      break;
    }
    case McpMessage::Kind::Request: {
      FUZZ_CHECK(!m.method.empty());
      const std::string answer = sy::workflow::mcp_answer(m);
      FUZZ_CHECK(nlohmann::json::accept(answer));
      const McpMessage back = sy::workflow::parse_mcp_message(answer);
      FUZZ_CHECK(back.kind == McpMessage::Kind::Response || back.kind == McpMessage::Kind::Error);
      FUZZ_CHECK(back.id_json == m.id_json);
      break;
    }
    case McpMessage::Kind::Error:
    case McpMessage::Kind::Notification:
    case McpMessage::Kind::Invalid:
      break;
  }
  return 0;
}
