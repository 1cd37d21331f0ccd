#include "workflow/mcp_step.h"

#include <nlohmann/json.hpp>

namespace sy::workflow {

using nlohmann::json;

Result<void> check_mcp_servers(const WorkflowSpec& spec, const std::string& source,
                               const std::map<std::string, McpServerConfig>& servers) {
  for (const Step& s : spec.steps) {
    const Step* body = &s;
    if (const auto* m = std::get_if<MapStep>(&s.body); m != nullptr && m->step)
      body = m->step.get();
    const auto* tool = std::get_if<ToolStep>(&body->body);
    if (tool == nullptr) continue;
    const auto* mcp = std::get_if<McpCall>(&tool->call);
    if (mcp != nullptr && !servers.contains(mcp->server)) {
      return fail(ErrorKind::InvalidRequest, source + ": step " + s.id + ": the MCP server \"" +
                                                 mcp->server +
                                                 "\" is not declared in workflows.mcp_servers");
    }
  }
  return {};
}

Result<std::string> render_mcp_arguments(const McpCall& call, const std::string& context_json) {
  json args = json::object();
  for (const auto& [name, value] : call.arguments) {
    if (auto lone = value.resolve_json(context_json)) {
      args[name] = json::parse(*lone, nullptr, false);
      continue;
    }
    auto text = value.render(context_json);
    if (!text)
      return fail(ErrorKind::InvalidRequest, "arguments." + name + ": " + text.error().message);
    if (value.references().empty()) {
      const json literal = json::parse(*text, nullptr, false);
      if (!literal.is_discarded() &&
          (literal.is_number() || literal.is_boolean() || literal.is_null())) {
        args[name] = literal;
        continue;
      }
    }
    args[name] = std::move(*text);
  }
  return args.dump();
}

StepOutcome run_mcp_tool(const McpCall& call, std::string_view step_id,
                         const std::string& context_json, std::chrono::milliseconds timeout,
                         const std::atomic<bool>* cancel, const governance::Principal& who,
                         const std::string& key, StepPorts& ports) {
  auto args = render_mcp_arguments(call, context_json);
  if (!args) return StepOutcome::failed(args.error().message);
  const McpToolReply reply = ports.mcp({.server = call.server,
                                        .tool = call.tool,
                                        .arguments_json = *args,
                                        .timeout = timeout,
                                        .cancel = cancel});
  json audit_detail = {{"step", step_id},
                       {"server", call.server},
                       {"tool", call.tool},
                       {"idempotency_key", key},
                       {"is_error", reply.is_error}};
  if (reply.status == 403) audit_detail["denied"] = true;
  ports.audit("workflow.tool.mcp", who, reply.status, reply.error, audit_detail.dump());
  const json detail = {{"server", call.server}, {"tool", call.tool}, {"status", reply.status}};
  if (reply.status != 200) return StepOutcome::failed(reply.error, detail.dump());
  if (reply.is_error) {
    return StepOutcome::failed("the MCP tool " + call.server + "/" + call.tool +
                                   " reported an error: " + reply.error.substr(0, 2000),
                               detail.dump());
  }
  return StepOutcome::ok(reply.output_json, detail.dump());
}

}  // namespace sy::workflow
