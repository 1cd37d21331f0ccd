#include "gateway/handler.h"

#include <cctype>

#include "core/ids.h"

namespace sy::gateway {
namespace {

http::Task<void> send_json(http::Exchange& ex, unsigned status, std::string body,
                           std::string request_id) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.push_back({"x-request-id", std::move(request_id)});
  co_await ex.respond(std::move(r));
}

// The client's own x-request-id when it is a sane token, so traces join up; else a new one.
std::string request_id_for(const http::Exchange& ex) {
  const std::string_view given = ex.header("x-request-id");
  if (given.empty() || given.size() > 128) return new_request_id();
  for (char c : given) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) {
      return new_request_id();
    }
  }
  return std::string(given);
}

// The model APIs by path — chat, and embeddings — each with the codec that speaks
// (and answers errors for) it. Other paths answer errors
// in OpenAI's shape.
std::optional<Ingress> model_ingress(std::string_view p) {
  if (p == "/v1/chat/completions" || p == "/chat/completions") {
    return Ingress{&protocols::codec_for(model::Protocol::OpenAIChat), "POST /v1/chat/completions"};
  }
  if (p == "/v1/messages") {
    return Ingress{&protocols::codec_for(model::Protocol::AnthropicMessages), "POST /v1/messages"};
  }
  if (p == "/v1/embeddings" || p == "/embeddings") {
    // Errors in OpenAI's shape, through the OpenAI chat codec's error encoder.
    return Ingress{&protocols::codec_for(model::Protocol::OpenAIChat), "POST /v1/embeddings",
                   DeploymentKind::Embedding};
  }
  return std::nullopt;
}

}  // namespace

http::Task<void> GatewayHandler::handle(http::Exchange& exchange) {
  std::string_view path = exchange.target();
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  const std::string_view method = exchange.method();
  const std::optional<Ingress> api = model_ingress(path);
  RequestContext ctx(exchange, worker_, api.value_or(Ingress{}));
  if (ctx.ingress.codec == nullptr) ctx.ingress.codec = &protocols::codec_for(model::Protocol::OpenAIChat);
  ctx.request_id = request_id_for(exchange);

  if (api) {
    if (method != "POST") {
      co_await respond_error(ctx, Error::make(ErrorKind::MethodNotAllowed,
                                              "use POST for " + std::string(path)));
      co_return;
    }
    if (ctx.ingress.kind == DeploymentKind::Embedding) {
      co_await embeddings_.run(ctx);
    } else {
      co_await chat_.run(ctx);
    }
    co_return;
  }
  if (method == "GET" && (path == "/v1/models" || path == "/models")) {
    co_await send_json(exchange, 200, ctx.snapshot->models_body, ctx.request_id);
    co_return;
  }
  if (method == "GET" && path.starts_with("/v1/models/")) {
    std::string body = ctx.snapshot->model_body(path.substr(11));
    if (!body.empty()) {
      co_await send_json(exchange, 200, std::move(body), ctx.request_id);
      co_return;
    }
    co_await respond_error(ctx, Error::make(ErrorKind::NotFound,
                                            "The model '" + std::string(path.substr(11)) +
                                                "' does not exist",
                                            "model", "model_not_found"));
    co_return;
  }
  for (const auto& group : extra_) {
    if (path.starts_with(group->prefix())) {
      // A named argument: g++ 12 mishandles braced temporaries in co_await expressions.
      EndpointRequest request{exchange, ctx.request_id, *ctx.snapshot, worker_.audit, ctx.received};
      co_await group->handle(request);
      co_return;
    }
  }
  if (method == "GET" && path == "/healthz") {
    co_await send_json(exchange, 200, R"({"status":"ok"})", ctx.request_id);
    co_return;
  }
  if (method == "GET" && path == "/readyz") {
    if (draining_.load(std::memory_order_relaxed)) {
      co_await send_json(exchange, 503, R"({"status":"draining"})", ctx.request_id);
    } else if (worker_.audit != nullptr && !worker_.audit->healthy()) {
      co_await send_json(exchange, 503, R"({"status":"audit_unavailable"})", ctx.request_id);
    } else {
      co_await send_json(exchange, 200, R"({"status":"ready"})", ctx.request_id);
    }
    co_return;
  }
  co_await respond_error(ctx, Error::make(ErrorKind::NotFound,
                                          "no such endpoint: " + std::string(method) + " " +
                                              std::string(path)));
}

}  // namespace sy::gateway
