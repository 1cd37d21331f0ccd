// GatewayPorts: StepPorts on a running Gateway. chat() runs the request through a
// worker's ChatPipeline in process (Gateway::call_local) as the run's principal, with
// the step's task type as x-switchyard-task, and waits for the whole answer; http()
// calls the URL with the project's upstream client on a private io_context (GET or
// POST); mcp() calls a tool on one of the config's MCP servers (McpClients: sessions
// started on first use, ended when the ports are destroyed); audit() writes an admin
// record through the gateway's audit writer; context_window() reads the current config
// snapshot's catalog (route_window.h). Thread-safe; the Gateway must outlive it.
#pragma once

#include <map>
#include <string>

#include "core/config.h"
#include "gateway/gateway.h"
#include "workflow/mcp_client.h"
#include "workflow/ports.h"

namespace sy::workflow {

class GatewayPorts final : public StepPorts {
 public:
  // `mcp_servers`: the config's workflows.mcp_servers (fixed for the ports' lifetime).
  explicit GatewayPorts(gateway::Gateway& gateway,
                        std::map<std::string, McpServerConfig> mcp_servers = {})
      : gateway_(gateway), mcp_(std::move(mcp_servers)) {}

  ChatReply chat(const ChatCall& call) override;
  ToolReply http(const ToolRequest& request) override;
  McpToolReply mcp(const McpToolRequest& request) override;
  void audit(std::string action, const governance::Principal& who, int status, std::string error,
             std::string detail_json) override;
  std::optional<RouteWindow> context_window(const std::string& model, const std::string& task,
                                            const governance::Principal& who) override;

 private:
  gateway::Gateway& gateway_;
  McpClients mcp_;
};

// The HTTP tool call alone (used by GatewayPorts; no gateway needed).
ToolReply call_http_tool(const ToolRequest& request);

}  // namespace sy::workflow
