// GatewayPorts: StepPorts on a running Gateway. chat() runs the request through a
// worker's ChatPipeline in process (Gateway::call_local) as the run's principal, with
// the step's task type as x-switchyard-task, and waits for the whole answer; http()
// calls the URL with the project's upstream client on a private io_context (GET or
// POST); audit() writes an admin record through the gateway's audit writer;
// context_window() reads the current config snapshot's catalog (route_window.h).
// Thread-safe; the Gateway must outlive it.
#pragma once

#include "gateway/gateway.h"
#include "workflow/ports.h"

namespace sy::workflow {

class GatewayPorts final : public StepPorts {
 public:
  explicit GatewayPorts(gateway::Gateway& gateway) : gateway_(gateway) {}

  ChatReply chat(const ChatCall& call) override;
  ToolReply http(const ToolRequest& request) override;
  void audit(std::string action, const governance::Principal& who, int status, std::string error,
             std::string detail_json) override;
  std::optional<RouteWindow> context_window(const std::string& model, const std::string& task,
                                            const governance::Principal& who) override;

 private:
  gateway::Gateway& gateway_;
};

// The HTTP tool call alone (used by GatewayPorts; no gateway needed).
ToolReply call_http_tool(const ToolRequest& request);

}  // namespace sy::workflow
