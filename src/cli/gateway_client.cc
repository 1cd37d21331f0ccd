#include "cli/gateway_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "core/url.h"
#include "http/client.h"

namespace sy::cli {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxAnswerBytes = 16u << 20;

// Pointers, not references: coroutine parameters are copied into the frame.
http::Task<void> exchange(http::UpstreamPool* pool, http::UpstreamTarget target,
                          http::OutgoingRequest request, http::Deadlines deadlines,
                          GatewayReply* out) {
  http::UpstreamCall call(*pool, std::move(target), deadlines);
  auto head = co_await call.send(std::move(request));
  if (!head) {
    out->error = head.error().message;
    co_return;
  }
  auto body = co_await call.read_body(kMaxAnswerBytes);
  if (!body) {
    out->error = body.error().message;
    co_return;
  }
  out->status = head->status;
  out->body = std::move(*body);
}

}  // namespace

std::string api_key_or_env(const std::string& key) {
  if (!key.empty()) return key;
  const char* env = std::getenv("SWITCHYARD_API_KEY");
  return env != nullptr ? env : "";
}

GatewayReply call_gateway(const GatewayRequest& request) {
  GatewayReply reply;
  std::string_view url = request.url;
  std::string query;
  if (const size_t q = url.find('?'); q != std::string_view::npos) {
    query = std::string(url.substr(q));
    url = url.substr(0, q);
  }
  auto endpoint = parse_endpoint(url);
  if (!endpoint) {
    reply.error = "bad URL: " + endpoint.error().message;
    return reply;
  }
  http::OutgoingRequest out;
  out.method = request.method;
  out.get = request.method == "GET";
  out.target = (endpoint->path_prefix.empty() ? "/" : endpoint->path_prefix) + query;
  for (const auto& [name, value] : request.headers) out.headers.push_back({name, value});
  out.headers.push_back({"accept", "application/json"});
  out.body = request.body;
  out.content_type = request.content_type;
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
    asio::co_spawn(ctx, exchange(&pool, std::move(target), std::move(out), deadlines, &reply),
                   [&ctx, &reply](const std::exception_ptr& e) {
                     if (e && reply.error.empty()) reply.error = "unexpected failure";
                     ctx.stop();
                   });
    ctx.run();
  }
  if (reply.status == 0 && reply.error.empty()) reply.error = "no answer";
  return reply;
}

}  // namespace sy::cli
