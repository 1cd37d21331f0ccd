#include "workflow/gateway_ports.h"

#include <future>

#include "http/fetch.h"
#include "workflow/route_window.h"

namespace sy::workflow {

ChatReply GatewayPorts::chat(const ChatCall& call) {
  gateway::LocalRequest request;
  request.body = call.body;
  request.request_id = call.request_id;
  if (call.principal != nullptr) request.principal = *call.principal;
  if (!call.task.empty()) request.headers.push_back({"x-switchyard-task", call.task});
  auto promise = std::make_shared<std::promise<gateway::LocalResponse>>();
  auto answer = promise->get_future();
  gateway_.call_local(std::move(request),
                      [promise](gateway::LocalResponse r) { promise->set_value(std::move(r)); });
  ChatReply reply;
  // Waits in slices, so that an engine that stops does not wait out the timeout.
  const auto until = std::chrono::steady_clock::now() + call.timeout;
  for (;;) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return reply;  // status 0
    if (call.cancel != nullptr && call.cancel->load()) return reply;
    const auto slice =
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50));
    if (answer.wait_for(slice) == std::future_status::ready) break;
  }
  gateway::LocalResponse r = answer.get();
  reply.status = r.status;
  reply.deployment = std::string(r.header("x-switchyard-deployment"));
  reply.body = std::move(r.body);
  return reply;
}

ToolReply call_http_tool(const ToolRequest& request) {
  ToolReply reply;
  if (request.method != "GET" && request.method != "POST") {
    reply.error = "method " + request.method + " is not supported yet (GET and POST are)";
    return reply;
  }
  http::FetchRequest fetch;
  fetch.method = request.method;
  fetch.url = request.url;
  fetch.headers = request.headers;
  fetch.headers.emplace_back("accept", "application/json");
  fetch.body = request.body;
  fetch.timeout = request.timeout;
  http::FetchReply r = http::fetch(fetch);
  reply.status = r.status;
  reply.body = std::move(r.body);
  reply.error = std::move(r.error);
  return reply;
}

ToolReply GatewayPorts::http(const ToolRequest& request) { return call_http_tool(request); }

McpToolReply GatewayPorts::mcp(const McpToolRequest& request) { return mcp_.call(request); }

void GatewayPorts::audit(std::string action, const governance::Principal& who, int status,
                         std::string error, std::string detail_json) {
  // The actor is the run's principal (the record's principal reads "system:<who>").
  gateway_.record_admin(std::move(action), who.id.empty() ? "anonymous" : who.audit_name(), status,
                        std::move(error), std::move(detail_json));
}

std::optional<RouteWindow> GatewayPorts::context_window(const std::string& model,
                                                      const std::string& task,
                                                      const governance::Principal& who) {
  const gateway::SnapshotPtr snapshot = gateway_.snapshot();
  if (!snapshot || !snapshot->catalog) return std::nullopt;
  return route_window(*snapshot->catalog, model, task, who);
}

}  // namespace sy::workflow
