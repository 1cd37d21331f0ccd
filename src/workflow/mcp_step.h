// run_mcp_tool: one `tool` step with `mcp` (or map item) — renders the arguments into a
// JSON object and calls the tool through StepPorts::mcp (tools/call on the declared
// server). Arguments: a value that is exactly one reference keeps the referenced JSON
// type; a value without references that reads as a JSON number, true, false or null
// (`a: 2`) is sent as that; anything else is a string. The output is the tool's
// `structuredContent`, else its text content (the JSON it holds, or a JSON string).
// A result with isError, a JSON-RPC error, a timeout, an undeclared server or a tool
// that is not allowed or not listed fails the step. Every call, made or refused, is an
// audit record `workflow.tool.mcp`. MCP has no idempotency keys: a resumed step calls
// the tool again. Stateless; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "core/config.h"
#include "workflow/ports.h"
#include "workflow/spec.h"
#include "workflow/step_outcome.h"

namespace sy::workflow {

// Every MCP step (map bodies included) names a server in `servers`; otherwise an
// InvalidRequest naming the first step that does not (what submit refuses).
Result<void> check_mcp_servers(const WorkflowSpec& spec, const std::string& source,
                               const std::map<std::string, McpServerConfig>& servers);

// The arguments object (rules above), or the first argument that does not render.
Result<std::string> render_mcp_arguments(const McpCall& call, const std::string& context_json);

StepOutcome run_mcp_tool(const McpCall& call, std::string_view step_id,
                         const std::string& context_json, std::chrono::milliseconds timeout,
                         const std::atomic<bool>* cancel, const governance::Principal& who,
                         const std::string& key, StepPorts& ports);

}  // namespace sy::workflow
