// The MCP JSON-RPC messages (mcp_protocol.h): classifying what a server sends, answering
// its requests, and reading initialize, tools/list and tools/call results — the edge
// cases; the real servers are in tests/e2e/workflows_mcp.test.mjs.
#include "workflow/mcp_protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sy::workflow {
namespace {

using nlohmann::json;

TEST(McpProtocol, RequestsAndNotificationsAreJsonRpc) {
  const json r = json::parse(
      mcp_request(7, "tools/call", mcp_tools_call_params("echo", R"({"message":"hi"})")));
  EXPECT_EQ(r["jsonrpc"], "2.0");
  EXPECT_EQ(r["id"], 7);
  EXPECT_EQ(r["method"], "tools/call");
  EXPECT_EQ(r["params"]["name"], "echo");
  EXPECT_EQ(r["params"]["arguments"]["message"], "hi");
  const json n = json::parse(mcp_notification("notifications/initialized"));
  EXPECT_FALSE(n.contains("id"));
  const json c = json::parse(mcp_cancelled(9, "no answer \"in time\""));
  EXPECT_FALSE(c.contains("id"));
  EXPECT_EQ(c["method"], "notifications/cancelled");
  EXPECT_EQ(c["params"], json({{"requestId", 9}, {"reason", "no answer \"in time\""}}));
  const json init = json::parse(mcp_initialize_params());
  EXPECT_EQ(init["protocolVersion"], "2025-06-18");
  EXPECT_TRUE(init["capabilities"].is_object());
  EXPECT_EQ(json::parse(mcp_tools_list_params(""))["cursor"], nullptr);
  EXPECT_EQ(json::parse(mcp_tools_list_params("c2"))["cursor"], "c2");
  // Arguments that are not an object are sent as an empty object.
  EXPECT_EQ(json::parse(mcp_tools_call_params("t", "[1]"))["arguments"], json::object());
}

TEST(McpProtocol, ClassifiesWhatAServerSends) {
  auto m = parse_mcp_message(R"({"jsonrpc":"2.0","id":3,"result":{"a":1}})");
  EXPECT_EQ(m.kind, McpMessage::Kind::Response);
  EXPECT_TRUE(m.numeric_id);
  EXPECT_EQ(m.id, 3);
  EXPECT_EQ(json::parse(m.result_json)["a"], 1);

  m = parse_mcp_message(R"({"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"bad"}})");
  EXPECT_EQ(m.kind, McpMessage::Kind::Error);
  EXPECT_EQ(m.id, 4);
  EXPECT_EQ(m.error_code, -32602);
  EXPECT_EQ(m.error_message, "bad");

  m = parse_mcp_message(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse"}})");
  EXPECT_EQ(m.kind, McpMessage::Kind::Error);
  EXPECT_FALSE(m.numeric_id);

  m = parse_mcp_message(R"({"jsonrpc":"2.0","id":"srv-1","method":"ping"})");
  EXPECT_EQ(m.kind, McpMessage::Kind::Request);
  EXPECT_FALSE(m.numeric_id);
  EXPECT_EQ(m.id_json, "\"srv-1\"");

  m = parse_mcp_message(R"({"method":"notifications/tools/list_changed","jsonrpc":"2.0"})");
  EXPECT_EQ(m.kind, McpMessage::Kind::Notification);
  EXPECT_EQ(m.method, "notifications/tools/list_changed");

  for (const char* bad :
       {"Starting default (STDIO) server...", "", "[]", R"({"id":1,"result":{}})",
        R"({"jsonrpc":"1.0","id":1,"result":{}})", R"({"jsonrpc":"2.0","id":1})",
        R"({"jsonrpc":"2.0","id":{"x":1},"result":{}})", R"({"jsonrpc":"2.0","result":{}})",
        R"({"jsonrpc":"2.0","id":4,"method":"","params":{}})", R"({"jsonrpc":"2.0","method":""})"}) {
    EXPECT_EQ(parse_mcp_message(bad).kind, McpMessage::Kind::Invalid) << bad;
  }
}

TEST(McpProtocol, AnswersPingAndRefusesOtherRequests) {
  const json ping =
      json::parse(mcp_answer(parse_mcp_message(R"({"jsonrpc":"2.0","id":"p","method":"ping"})")));
  EXPECT_EQ(ping["id"], "p");
  EXPECT_EQ(ping["result"], json::object());
  const json other = json::parse(mcp_answer(
      parse_mcp_message(R"({"jsonrpc":"2.0","id":9,"method":"sampling/createMessage"})")));
  EXPECT_EQ(other["id"], 9);
  EXPECT_EQ(other["error"]["code"], -32601);
}

TEST(McpProtocol, NegotiatesOnlyVersionsItSpeaks) {
  EXPECT_EQ(*mcp_negotiated_version(R"({"protocolVersion":"2025-03-26"})"), "2025-03-26");
  EXPECT_EQ(*mcp_negotiated_version(R"({"protocolVersion":"2025-06-18","capabilities":{}})"),
            "2025-06-18");
  EXPECT_FALSE(mcp_negotiated_version(R"({"protocolVersion":"2024-11-05"})"));
  EXPECT_FALSE(mcp_negotiated_version(R"({"capabilities":{}})"));
  EXPECT_FALSE(mcp_negotiated_version("[]"));
}

TEST(McpProtocol, ReadsToolPages) {
  auto p = parse_tool_page(
      R"({"tools":[{"name":"echo"},{"name":"get-sum"},{"title":"no name"}],"nextCursor":"2"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->names, (std::vector<std::string>{"echo", "get-sum"}));
  EXPECT_EQ(p->next_cursor, "2");
  p = parse_tool_page(R"({"tools":[]})");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->next_cursor.empty());
  EXPECT_FALSE(parse_tool_page(R"({"tool":[]})"));
}

TEST(McpProtocol, ToolOutputPrefersStructuredContentThenText) {
  auto r = parse_tool_result(
      R"({"content":[{"type":"text","text":"{\"t\":36}"}],"structuredContent":{"t":36,"c":"rain"}})");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->is_error);
  EXPECT_EQ(json::parse(r->output_json), json({{"t", 36}, {"c", "rain"}}));

  r = parse_tool_result(R"({"content":[{"type":"text","text":"Echo: hi"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->output_json), "Echo: hi");

  // Text that is JSON is taken as JSON; several text items are joined with newlines.
  r = parse_tool_result(
      R"({"content":[{"type":"text","text":"[1,"},{"type":"image","data":"x"},{"type":"text","text":"2]"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->output_json), json::parse("[1,2]"));
  EXPECT_EQ(r->text, "[1,\n2]");

  // No text and no structured content: the content array itself.
  r = parse_tool_result(R"({"content":[{"type":"image","data":"AAAA","mimeType":"image/png"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->output_json)[0]["type"], "image");

  r = parse_tool_result(
      R"({"content":[{"type":"text","text":"Tool nope not found"}],"isError":true})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is_error);
  EXPECT_EQ(r->text, "Tool nope not found");

  EXPECT_FALSE(parse_tool_result("\"text\""));
}

}  // namespace
}  // namespace sy::workflow
