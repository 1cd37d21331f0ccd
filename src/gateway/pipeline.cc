#include "gateway/pipeline.h"

#include "protocols/openai_chat.h"

namespace sy::gateway {

http::Task<void> ChatPipeline::run(RequestContext& ctx) const {
  // The request path, in order. Each stage has one job and reads only the context.
  Result<void> r = decode_.run(ctx);               // ingress codec → canonical request
  if (r) r = route_.run(ctx);                      // model or route → ordered deployments
  if (r) r = co_await dispatch_.run(ctx);          // provider calls, fallback, delivery
  settle_.run(ctx);                                // usage → cost
  if (!r) co_await respond_error(ctx, r.error());  // errors in the client's protocol
  record_.run(ctx);                                // access log
}

http::Task<void> respond_error(RequestContext& ctx, const Error& error) {
  ctx.error = error.message;
  if (ctx.exchange.responded() || ctx.exchange.client_gone()) {
    if (ctx.status == 0) ctx.status = 499;  // nginx's "client closed request"
    co_return;
  }
  ctx.status = static_cast<unsigned>(error.status);
  http::Response r;
  r.status = ctx.status;
  r.headers = ctx.response_headers();
  if (error.kind == ErrorKind::RateLimited || error.kind == ErrorKind::Unavailable) {
    r.headers.push_back({"retry-after", std::to_string(ctx.retry_after_s.value_or(1))});
  }
  r.body = protocols::openai_chat::encode_error(error);
  co_await ctx.exchange.respond(std::move(r));
}

}  // namespace sy::gateway
