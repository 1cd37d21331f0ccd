#include "gateway/respond_stage.h"


namespace sy::gateway {

http::Task<void> RespondStage::run(RequestContext& ctx) const {
  if (ctx.stream_open) {
    if (ctx.exchange.client_gone()) co_return;
    if (ctx.failure) {
      co_await ctx.exchange.write_chunk(sse_error_event(ctx, *ctx.failure));
    } else if (ctx.stream_complete && !ctx.stream_trailer.empty()) {
      co_await ctx.exchange.write_chunk(ctx.stream_trailer);
    }
    co_await ctx.exchange.end_stream();
    co_return;
  }
  if (ctx.failure) {
    co_await respond_error(ctx, *ctx.failure);
    co_return;
  }
  if (ctx.answer && !ctx.exchange.client_gone()) co_await ctx.exchange.respond(std::move(*ctx.answer));
}

std::string sse_error_event(const RequestContext& ctx, const Error& error) {
  return ctx.ingress.codec->stream_error_event(error);
}

http::Task<void> respond_error(RequestContext& ctx, const Error& error) {
  if (ctx.exchange.responded() || ctx.exchange.client_gone()) co_return;
  http::Response r;
  r.status = static_cast<unsigned>(error.status);
  r.headers = ctx.response_headers();
  if (error.kind == ErrorKind::RateLimited || error.kind == ErrorKind::Unavailable) {
    r.headers.push_back({"retry-after", std::to_string(ctx.retry_after_s.value_or(1))});
  }
  r.body = ctx.ingress.codec->encode_error(error);
  co_await ctx.exchange.respond(std::move(r));
}

}  // namespace sy::gateway
