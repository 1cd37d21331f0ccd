#include "workflow/gateway_ports.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <future>

#include "core/url.h"
#include "http/client.h"
#include "workflow/route_window.h"

namespace sy::workflow {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxToolAnswerBytes = 16u << 20;

// Pointers, not references: coroutine parameters are copied into the frame.
http::Task<void> send_tool(http::UpstreamPool* pool, http::UpstreamTarget target,
                           http::OutgoingRequest request, http::Deadlines deadlines,
                           ToolReply* out) {
  http::UpstreamCall call(*pool, std::move(target), deadlines);
  auto head = co_await call.send(std::move(request));
  if (!head) {
    out->error = head.error().message;
    co_return;
  }
  auto body = co_await call.read_body(kMaxToolAnswerBytes);
  if (!body) {
    out->error = body.error().message;
    co_return;
  }
  out->status = head->status;
  out->body = std::move(*body);
}

}  // namespace

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
  std::string_view url = request.url;
  std::string query;
  if (const size_t q = url.find_first_of("?#"); q != std::string_view::npos) {
    query = std::string(url.substr(q));
    if (const size_t hash = query.find('#'); hash != std::string::npos) query.resize(hash);
    url = url.substr(0, q);
  }
  auto endpoint = parse_endpoint(url);
  if (!endpoint) {
    reply.error = "bad URL: " + endpoint.error().message;
    return reply;
  }
  http::OutgoingRequest out;
  out.get = request.method == "GET";
  out.target = (endpoint->path_prefix.empty() ? "/" : endpoint->path_prefix) + query;
  for (const auto& [name, value] : request.headers) out.headers.push_back({name, value});
  out.headers.push_back({"accept", "application/json"});
  out.body = request.body;
  http::Deadlines deadlines;
  deadlines.connect =
      std::min<std::chrono::milliseconds>(request.timeout, std::chrono::seconds(10));
  deadlines.first_byte = request.timeout;
  deadlines.idle = request.timeout;
  deadlines.total = request.timeout;
  asio::io_context ctx;
  {
    http::UpstreamPool pool(ctx);
    http::UpstreamTarget target;
    target.endpoint = &*endpoint;
    target.max_idle = 0;
    asio::co_spawn(ctx, send_tool(&pool, std::move(target), std::move(out), deadlines, &reply),
                   [&ctx, &reply](const std::exception_ptr& e) {
                     if (e && reply.error.empty()) reply.error = "unexpected failure";
                     ctx.stop();
                   });
    ctx.run();
  }
  if (reply.status == 0 && reply.error.empty()) reply.error = "no answer";
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
