#include "http/fetch.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "http/client.h"

namespace sy::http {
namespace {

namespace asio = boost::asio;

// Pointers, not references: coroutine parameters are copied into the frame.
Task<void> exchange(UpstreamPool* pool, UpstreamTarget target, OutgoingRequest request,
                    Deadlines deadlines, size_t max_bytes, FetchReply* out) {
  UpstreamCall call(*pool, std::move(target), deadlines);
  auto head = co_await call.send(std::move(request));
  if (!head) {
    out->error = head.error().message;
    co_return;
  }
  auto body = co_await call.read_body(max_bytes);
  if (!body) {
    out->error = body.error().message;
    co_return;
  }
  out->status = head->status;
  out->body = std::move(*body);
}

}  // namespace

Result<UrlTarget> split_url(std::string_view url) {
  std::string query;
  if (const size_t q = url.find_first_of("?#"); q != std::string_view::npos) {
    query = std::string(url.substr(q));
    if (const size_t hash = query.find('#'); hash != std::string::npos) query.resize(hash);
    url = url.substr(0, q);
  }
  auto endpoint = parse_endpoint(url);
  if (!endpoint) return std::unexpected(endpoint.error());
  UrlTarget out{std::move(*endpoint), {}};
  out.target = (out.endpoint.path_prefix.empty() ? "/" : out.endpoint.path_prefix) + query;
  return out;
}

FetchReply fetch(const FetchRequest& request) {
  FetchReply reply;
  auto url = split_url(request.url);
  if (!url) {
    reply.error = "bad URL " + request.url + ": " + url.error().message;
    return reply;
  }
  OutgoingRequest out;
  out.get = request.method == "GET";
  if (!out.get && request.method != "POST") out.method = request.method;
  out.target = std::move(url->target);
  for (const auto& [name, value] : request.headers) out.headers.push_back({name, value});
  out.body = request.body;
  out.content_type = request.content_type;
  Deadlines deadlines;
  deadlines.connect = std::min<std::chrono::milliseconds>(request.timeout, std::chrono::seconds(10));
  deadlines.first_byte = request.timeout;
  deadlines.idle = request.timeout;
  deadlines.total = request.timeout;
  asio::io_context ctx;
  {
    UpstreamPool pool(ctx);
    UpstreamTarget target;
    target.endpoint = &url->endpoint;
    target.max_idle = 0;
    asio::co_spawn(ctx,
                   exchange(&pool, std::move(target), std::move(out), deadlines,
                            request.max_answer_bytes, &reply),
                   [&ctx, &reply](const std::exception_ptr& e) {
                     if (e && reply.error.empty()) reply.error = "unexpected failure";
                     ctx.stop();
                   });
    ctx.run();
  }
  if (reply.status == 0 && reply.error.empty()) reply.error = "no answer";
  return reply;
}

}  // namespace sy::http
