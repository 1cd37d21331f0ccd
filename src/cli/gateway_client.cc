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
                          ApiReply* out) {
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
  out->text = std::move(*body);
}

}  // namespace

std::string ApiReply::problem() const {
  if (status == 0) return error.empty() ? "no answer" : error;
  std::string message = text;
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    message = json["error"].value("message", text);
  }
  return "HTTP " + std::to_string(status) + ": " + message;
}

GatewayClient::GatewayClient(std::string base_url, std::string key,
                             std::chrono::milliseconds timeout)
    : base_(std::move(base_url)), key_(std::move(key)), timeout_(timeout) {
  while (base_.ends_with('/')) base_.pop_back();
  if (key_.empty()) {
    if (const char* env = std::getenv("SWITCHYARD_API_KEY")) key_ = env;
  }
}

ApiReply GatewayClient::call(const std::string& method, const std::string& path,
                             const std::string& body, const Headers& headers,
                             const std::string& content_type) const {
  ApiReply reply;
  std::string_view url = base_;
  auto endpoint = parse_endpoint(url);
  if (!endpoint) {
    reply.error = "bad gateway URL " + base_ + ": " + endpoint.error().message;
    return reply;
  }
  http::OutgoingRequest out;
  out.method = method;
  out.get = method == "GET";
  out.target = endpoint->path_prefix + path;
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  if (!key_.empty()) out.headers.push_back({"authorization", "Bearer " + key_});
  for (const auto& [name, value] : headers) out.headers.push_back({name, value});
  out.headers.push_back({"accept", "application/json"});
  out.body = body;
  out.content_type = content_type;
  http::Deadlines deadlines;
  deadlines.connect = std::min<std::chrono::milliseconds>(timeout_, std::chrono::seconds(10));
  deadlines.first_byte = timeout_;
  deadlines.idle = timeout_;
  deadlines.total = timeout_;
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
  reply.json = nlohmann::json::parse(reply.text, nullptr, false);
  return reply;
}

}  // namespace sy::cli
