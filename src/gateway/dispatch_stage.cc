#include "gateway/dispatch_stage.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.h"
#include "gateway/respond_stage.h"
#include "http/sse.h"
#include "protocols/openai_chat.h"

namespace sy::gateway {
namespace {

namespace asio = boost::asio;
namespace codec = protocols::openai_chat;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxResponseBytes = 64u << 20;
constexpr size_t kMaxErrorBodyBytes = 64u << 10;

// How one attempt ended.
struct Outcome {
  enum Kind { Delivered, Final, Retry, SkipDeployment } kind = Retry;
  std::string label;           // for x-switchyard-attempts
  Error error;                 // Final / Retry / SkipDeployment
  std::optional<uint32_t> retry_after_s;
};

Outcome retry(std::string label, Error e, std::optional<uint32_t> retry_after = {}) {
  return Outcome{Outcome::Retry, std::move(label), std::move(e), retry_after};
}

Outcome from_transport(const http::TransportError& t, const providers::Deployment& dep) {
  const std::string where = "deployment " + dep.name() + ": ";
  switch (t.kind) {
    case http::TransportFailure::Timeout:
      return retry("timeout", Error::make(ErrorKind::UpstreamTimeout, where + t.message));
    case http::TransportFailure::Cancelled:
      return Outcome{Outcome::Final, "cancelled",
                     Error::make(ErrorKind::InvalidRequest, "client disconnected")};
    default:
      return retry(http::failure_name(t.kind), Error::make(ErrorKind::UpstreamError, where + t.message));
  }
}

// Cancels the upstream call if the client goes away while it is in flight.
class CancelOnDisconnect {
 public:
  CancelOnDisconnect(http::Exchange& ex, http::UpstreamCall& call) : ex_(ex) {
    ex_.on_client_gone([&call] { call.cancel(); });
  }
  ~CancelOnDisconnect() { ex_.on_client_gone(nullptr); }

 private:
  http::Exchange& ex_;
};

http::Task<Outcome> read_error_answer(RequestContext& ctx, http::UpstreamCall& call,
                                      const providers::Deployment& dep,
                                      const http::ResponseHead& head) {
  auto body = co_await call.read_body(kMaxErrorBodyBytes);
  const std::string upstream_message = body ? codec::decode_error_message(*body) : "(no body)";
  const std::string label = std::to_string(head.status);
  const std::string where = "deployment " + dep.name() + " answered " + label + ": ";
  const unsigned s = head.status;
  if (s == 429) {
    co_return retry(label, Error::make(ErrorKind::RateLimited, where + upstream_message),
                 head.retry_after_seconds);
  }
  if (s >= 500 || s == 408) {
    co_return retry(label, Error::make(ErrorKind::UpstreamError, where + upstream_message),
                 head.retry_after_seconds);
  }
  if (s == 401 || s == 403 || s == 404) {
    // The provider rejected our credentials or does not know the model: a
    // misconfigured deployment, not the client's fault. Another deployment may work.
    co_return Outcome{Outcome::SkipDeployment, label,
                   Error::make(ErrorKind::UpstreamError, where + upstream_message), {}};
  }
  (void)ctx;
  Error e = Error::make(ErrorKind::InvalidRequest, where + upstream_message);
  e.status = static_cast<int>(s >= 400 && s < 500 ? s : 502);
  co_return Outcome{Outcome::Final, label, std::move(e), {}};
}

http::Task<Outcome> deliver_whole(RequestContext& ctx, http::UpstreamCall& call,
                                  const providers::Deployment& dep) {
  auto body = co_await call.read_body(kMaxResponseBytes);
  if (!body) co_return from_transport(body.error(), dep);
  auto usage = codec::decode_response_usage(*body);
  if (!usage) {
    co_return retry("malformed", Error::make(ErrorKind::UpstreamError,
                                             "deployment " + dep.name() + ": " + usage.error().message));
  }
  ctx.usage = *usage;
  ctx.served_by = &dep;
  ctx.attempts.back().outcome = "ok";
  ctx.status = 200;
  http::Response r;
  r.body = std::move(*body);
  // Values a policy masked on the way out come back in the answer.
  if (!ctx.masked.empty()) governance::restore_masked(r.body, ctx.masked, /*json_escape=*/true);
  r.headers = ctx.response_headers();
  ctx.answer = std::move(r);  // sent by the respond stage, once recorded
  co_return Outcome{Outcome::Delivered, "ok", {}, {}};
}

// Commits to `dep`'s answer and sends the stream's status and headers; the task yields
// false when the client is gone. A plain function returning the exchange's task (g++ 12
// miscompiles a coroutine wrapping this one).
http::Task<bool> begin_client_stream(RequestContext& ctx, const providers::Deployment& dep) {
  ctx.served_by = &dep;
  ctx.attempts.back().outcome = "ok";
  ctx.status = 200;
  ctx.stream_open = true;  // the respond stage ends it (nothing is sent if the client is gone)
  return ctx.exchange.begin_stream(200, "text/event-stream", ctx.response_headers());
}

http::Task<Outcome> deliver_stream(RequestContext& ctx, http::UpstreamCall& call,
                                   const providers::Deployment& dep) {
  http::SseParser sse;
  std::string out;  // events to forward from this read; before the start, all held back
  bool started = false, saw_done = false, has_output = false;
  std::optional<Error> bad;

  const bool capture = ctx.snapshot->config->audit.capture != CaptureMode::None;
  const size_t capture_max = ctx.snapshot->config->audit.capture_max_bytes;

  auto fail_stream = [&](Error e) -> http::Task<Outcome> {
    // After the first byte the status is sent: report in-band; the respond stage ends
    // the stream once the request is recorded.
    ctx.error = e.message;
    co_await ctx.exchange.write_chunk(sse_error_event(e));
    co_return Outcome{Outcome::Delivered, "ok", {}, {}};
  };

  for (;;) {
    auto piece = co_await call.read_some();
    if (!piece) {
      if (!started) co_return from_transport(piece.error(), dep);
      if (piece.error().kind == http::TransportFailure::Cancelled) {
        co_return Outcome{Outcome::Delivered, "ok", {}, {}};
      }
      co_return co_await fail_stream(
          Error::make(ErrorKind::UpstreamError,
                      "deployment " + dep.name() + ": stream interrupted: " + piece.error().message));
    }
    if (piece->empty()) break;
    const bool within_limit = sse.feed(*piece, [&](const http::SseEvent& ev) {
      if (bad || saw_done) return;
      auto chunk = codec::inspect_stream_chunk(ev.data, ev.data.size() + http::kSsePadding);
      if (!chunk) {
        bad = chunk.error();
        return;
      }
      if (chunk->is_error) {
        bad = Error::make(ErrorKind::UpstreamError,
                          "deployment " + dep.name() + " sent an error event: " +
                              codec::decode_error_message(ev.data));
        return;
      }
      if (chunk->usage.reported) ctx.usage = chunk->usage;
      if (chunk->done) {
        saw_done = true;  // [DONE] itself is sent by the respond stage
        return;
      }
      if (!chunk->preamble) has_output = true;
      if (capture && ctx.captured_response.size() + ev.data.size() < capture_max) {
        ctx.captured_response += ctx.captured_response.empty() ? '[' : ',';
        ctx.captured_response += ev.data;
      }
      if (chunk->usage_only && !ctx.request.include_usage) return;  // asked for by us only
      if (!ev.event.empty()) {
        out += "event: ";
        out += ev.event;
        out += '\n';
      }
      out += "data: ";
      out += ev.data;
      out += "\n\n";
    });
    if (!within_limit) bad = Error::make(ErrorKind::UpstreamError, "stream event too large");
    if (bad && !started) {
      co_return retry("malformed", Error::make(ErrorKind::UpstreamError,
                                               "deployment " + dep.name() + ": " + bad->message));
    }
    if (!out.empty() && (started || has_output || bad)) {
      if (!started) {
        started = true;
        if (!co_await begin_client_stream(ctx, dep)) {
          call.cancel();
          co_return Outcome{Outcome::Delivered, "ok", {}, {}};
        }
      }
      if (!co_await ctx.exchange.write_chunk(out)) {
        call.cancel();
        co_return Outcome{Outcome::Delivered, "ok", {}, {}};
      }
      out.clear();
    }
    if (bad) co_return co_await fail_stream(*bad);
    if (saw_done) break;
  }
  if (!saw_done) {
    Error e = Error::make(ErrorKind::UpstreamError,
                          "deployment " + dep.name() + ": stream ended before [DONE]");
    if (!started) co_return retry("truncated", std::move(e));
    co_return co_await fail_stream(std::move(e));
  }
  // Drain what is left of the body so the connection can be reused.
  while (true) {
    auto rest = co_await call.read_some();
    if (!rest || rest->empty()) break;
  }
  if (!started) {
    // A stream with no events before [DONE]: begin it now so the client gets a stream.
    if (!co_await begin_client_stream(ctx, dep)) co_return Outcome{Outcome::Delivered, "ok", {}, {}};
    if (!out.empty()) co_await ctx.exchange.write_chunk(out);
  }
  ctx.stream_complete = true;
  co_return Outcome{Outcome::Delivered, "ok", {}, {}};
}

http::Task<Outcome> attempt(RequestContext& ctx, const providers::Deployment& dep) {
  const providers::Provider& provider = *dep.provider;
  http::UpstreamCall call(ctx.worker.pool, provider.target(), provider.deadlines());
  CancelOnDisconnect guard(ctx.exchange, call);
  auto head = co_await call.send(provider.chat_request(ctx.request, dep.upstream_model()));
  if (!head) co_return from_transport(head.error(), dep);
  if (head->status < 200 || head->status >= 300) {
    co_return co_await read_error_answer(ctx, call, dep, *head);
  }
  if (ctx.request.stream) {
    if (head->content_type.find("text/event-stream") == std::string::npos) {
      co_return retry("malformed", Error::make(ErrorKind::UpstreamError,
                                               "deployment " + dep.name() +
                                                   " answered a stream request with content type \"" +
                                                   head->content_type + "\""));
    }
    co_return co_await deliver_stream(ctx, call, dep);
  }
  co_return co_await deliver_whole(ctx, call, dep);
}

// The error the client gets when no attempt succeeded. When every attempt was
// rate-limited, the soonest retry-after any provider gave is passed on.
Error exhausted(const std::vector<Outcome>& failures, std::optional<uint32_t>& retry_after) {
  bool all_rate_limited = true;
  std::string detail;
  for (const auto& f : failures) {
    all_rate_limited = all_rate_limited && f.error.kind == ErrorKind::RateLimited;
    if (f.retry_after_s) {
      retry_after = retry_after ? std::min(*retry_after, *f.retry_after_s) : *f.retry_after_s;
    }
    if (!detail.empty()) detail += "; ";
    detail += f.error.message;
  }
  if (!all_rate_limited) retry_after.reset();
  const auto& last = failures.back().error;
  if (failures.size() == 1) return last;
  ErrorKind kind = all_rate_limited ? ErrorKind::RateLimited
                   : last.kind == ErrorKind::UpstreamTimeout ? ErrorKind::UpstreamTimeout
                                                             : ErrorKind::UpstreamError;
  return Error::make(kind, "all " + std::to_string(failures.size()) +
                               " attempts failed: " + detail);
}

http::Task<bool> sleep_unless_gone(RequestContext& ctx, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return !ctx.exchange.client_gone();
  asio::steady_timer timer(ctx.worker.context, delay);
  ctx.exchange.on_client_gone([&timer] { timer.cancel(); });
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable_t<http::Executor>{}));
  ctx.exchange.on_client_gone(nullptr);
  co_return !ctx.exchange.client_gone();
}

}  // namespace

http::Task<Result<void>> DispatchStage::run(RequestContext& ctx) const {
  const auto schedule = ctx.decision.schedule();
  const RetryPolicy& policy = ctx.decision.retry;
  std::vector<Outcome> failures;
  std::vector<const providers::Deployment*> skipped;
  const providers::Deployment* previous = nullptr;
  uint32_t retries_here = 0;

  for (const auto* dep : schedule) {
    if (std::find(skipped.begin(), skipped.end(), dep) != skipped.end()) continue;
    if (dep == previous) {
      const auto& last = failures.back();
      auto delay = routing::backoff_delay(policy, retries_here++, random_unit());
      if (last.retry_after_s) {
        const auto wanted = std::chrono::milliseconds(*last.retry_after_s * 1000);
        if (wanted.count() > policy.max_backoff_ms) continue;  // not worth waiting for here
        delay = std::max(delay, wanted);
      }
      if (!co_await sleep_unless_gone(ctx, delay)) break;
    } else {
      retries_here = 0;
    }
    const auto t0 = Clock::now();
    ctx.attempts.push_back({dep->name(), "pending", 0});
    Outcome outcome = co_await attempt(ctx, *dep);
    auto& record = ctx.attempts.back();
    record.outcome = outcome.label;
    record.ms = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    if (outcome.kind == Outcome::Delivered) co_return Result<void>{};
    if (outcome.kind == Outcome::Final) co_return std::unexpected(std::move(outcome.error));
    if (outcome.kind == Outcome::SkipDeployment) skipped.push_back(dep);
    previous = dep;
    failures.push_back(std::move(outcome));
    if (ctx.exchange.client_gone()) break;
  }
  if (ctx.exchange.client_gone()) {
    co_return fail(ErrorKind::InvalidRequest, "client disconnected");
  }
  if (failures.empty()) co_return fail(ErrorKind::UpstreamError, "no deployment to try");
  co_return std::unexpected(exhausted(failures, ctx.retry_after_s));
}

}  // namespace sy::gateway
