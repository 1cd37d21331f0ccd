#include "workflow/mcp_protocol.h"

#include <nlohmann/json.hpp>

namespace sy::workflow {

using nlohmann::json;

bool mcp_version_supported(std::string_view version) {
  return version == "2025-06-18" || version == "2025-03-26";
}

std::string mcp_request(int64_t id, std::string_view method, std::string_view params_json) {
  json m = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params_json.empty()) m["params"] = json::parse(params_json, nullptr, false);
  return m.dump();
}

std::string mcp_notification(std::string_view method) {
  return json{{"jsonrpc", "2.0"}, {"method", method}}.dump();
}

std::string mcp_cancelled(int64_t request_id, std::string_view reason) {
  return json{{"jsonrpc", "2.0"},
              {"method", "notifications/cancelled"},
              {"params", {{"requestId", request_id}, {"reason", reason}}}}
      .dump();
}

std::string mcp_initialize_params() {
  return json{{"protocolVersion", kMcpProtocolVersion},
              {"capabilities", json::object()},
              {"clientInfo", {{"name", "switchyard"}, {"version", "0.1.0"}}}}
      .dump();
}

std::string mcp_tools_list_params(const std::string& cursor) {
  return cursor.empty() ? json::object().dump() : json{{"cursor", cursor}}.dump();
}

std::string mcp_tools_call_params(const std::string& tool, const std::string& arguments_json) {
  json args = json::parse(arguments_json, nullptr, false);
  if (args.is_discarded() || !args.is_object()) args = json::object();
  return json{{"name", tool}, {"arguments", std::move(args)}}.dump();
}

McpMessage parse_mcp_message(std::string_view text) {
  McpMessage m;
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return m;
  if (auto v = j.find("jsonrpc"); v == j.end() || *v != "2.0") return m;
  const auto id = j.find("id");
  const bool has_id = id != j.end() && !id->is_null();
  if (has_id) {
    if (!id->is_number_integer() && !id->is_string()) return m;
    m.id_json = id->dump();
    if (id->is_number_integer()) {
      m.numeric_id = true;
      m.id = id->get<int64_t>();
    }
  }
  if (auto method = j.find("method"); method != j.end()) {
    // A request or notification names its method: an empty name is no message.
    if (!method->is_string() || method->get_ref<const std::string&>().empty()) return m;
    m.method = method->get<std::string>();
    m.kind = has_id ? McpMessage::Kind::Request : McpMessage::Kind::Notification;
    return m;
  }
  if (auto e = j.find("error"); e != j.end()) {
    if (!e->is_object()) return m;
    m.kind = McpMessage::Kind::Error;
    if (auto c = e->find("code"); c != e->end() && c->is_number_integer())
      m.error_code = c->get<int64_t>();
    if (auto msg = e->find("message"); msg != e->end() && msg->is_string()) {
      m.error_message = msg->get<std::string>();
    }
    return m;  // an error may carry a null id (the server could not read the request's)
  }
  if (auto r = j.find("result"); r != j.end() && has_id) {
    m.kind = McpMessage::Kind::Response;
    m.result_json = r->dump();
  }
  return m;
}

std::string mcp_answer(const McpMessage& request) {
  json id = json::parse(request.id_json, nullptr, false);
  if (id.is_discarded()) id = nullptr;
  if (request.method == "ping") {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", json::object()}}.dump();
  }
  return json{{"jsonrpc", "2.0"},
              {"id", id},
              {"error", {{"code", -32601}, {"message", "method not supported by this client"}}}}
      .dump();
}

Result<std::string> mcp_negotiated_version(const std::string& result_json) {
  const json r = json::parse(result_json, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.contains("protocolVersion") ||
      !r["protocolVersion"].is_string()) {
    return fail(ErrorKind::UpstreamError, "the initialize result has no protocolVersion");
  }
  std::string v = r["protocolVersion"].get<std::string>();
  if (!mcp_version_supported(v)) {
    return fail(
        ErrorKind::UpstreamError,
        "the server speaks MCP " + v + ", which this client does not (2025-06-18, 2025-03-26)");
  }
  return v;
}

Result<McpToolPage> parse_tool_page(const std::string& result_json) {
  const json r = json::parse(result_json, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.contains("tools") || !r["tools"].is_array()) {
    return fail(ErrorKind::UpstreamError, "the tools/list result has no tools array");
  }
  McpToolPage page;
  for (const json& t : r["tools"]) {
    if (t.is_object() && t.contains("name") && t["name"].is_string()) {
      page.names.push_back(t["name"].get<std::string>());
    }
  }
  if (auto c = r.find("nextCursor"); c != r.end() && c->is_string())
    page.next_cursor = c->get<std::string>();
  return page;
}

Result<McpToolResult> parse_tool_result(const std::string& result_json) {
  const json r = json::parse(result_json, nullptr, false);
  if (r.is_discarded() || !r.is_object()) {
    return fail(ErrorKind::UpstreamError, "the tools/call result is not a JSON object");
  }
  McpToolResult out;
  if (auto e = r.find("isError"); e != r.end() && e->is_boolean()) out.is_error = e->get<bool>();
  json content = r.value("content", json::array());
  if (!content.is_array()) content = json::array();
  bool has_text = false;
  for (const json& item : content) {
    if (!item.is_object() || item.value("type", "") != "text") continue;
    const auto t = item.find("text");
    if (t == item.end() || !t->is_string()) continue;
    if (has_text) out.text += '\n';
    out.text += t->get<std::string>();
    has_text = true;
  }
  if (auto s = r.find("structuredContent"); s != r.end() && !s->is_null()) {
    out.output_json = s->dump();
  } else if (has_text) {
    const json parsed = json::parse(out.text, nullptr, false);
    out.output_json = parsed.is_discarded() ? json(out.text).dump() : parsed.dump();
  } else {
    out.output_json = content.dump();
  }
  return out;
}

}  // namespace sy::workflow
