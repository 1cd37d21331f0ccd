#include "gateway/dispatch_stage.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.h"
#include "gateway/deliver.h"
#include "gateway/egress.h"
#include "gateway/route_stage.h"

namespace sy::gateway {

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

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxErrorBodyBytes = 64u << 10;

}  // namespace

http::Task<Outcome> read_error_answer(http::UpstreamCall& call, const providers::Deployment& dep,
                                      const http::ResponseHead& head) {
  auto body = co_await call.read_body(kMaxErrorBodyBytes);
  const std::string upstream_message =
      body ? dep.provider->codec().decode_error_message(*body) : "(no body)";
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
  Error e = Error::make(ErrorKind::InvalidRequest, where + upstream_message);
  e.status = static_cast<int>(s >= 400 && s < 500 ? s : 502);
  co_return Outcome{Outcome::Final, label, std::move(e), {}};
}

namespace {

http::Task<Outcome> attempt(RequestContext& ctx, const providers::Deployment& dep) {
  const providers::Provider& provider = *dep.provider;
  http::UpstreamCall call(ctx.worker.pool, provider.target(), provider.deadlines());
  CancelOnDisconnect guard(ctx.exchange, call);
  auto body = egress_body(ctx, dep);
  if (!body) {
    // This deployment's protocol cannot carry the request; another's may.
    co_return Outcome{Outcome::SkipDeployment, "unsupported", std::move(body.error()), {}};
  }
  auto outgoing = provider.chat_request(std::move(*body), dep.upstream_model(), ctx.request.stream);
  if (!outgoing) {
    co_return Outcome{Outcome::SkipDeployment, "unsigned",
                      Error::make(ErrorKind::UpstreamError,
                                  "deployment " + dep.name() + ": " + outgoing.error().message),
                      {}};
  }
  auto head = co_await call.send(std::move(*outgoing));
  if (!head) co_return from_transport(head.error(), dep);
  if (head->status < 200 || head->status >= 300) {
    co_return co_await read_error_answer(call, dep, *head);
  }
  if (ctx.request.stream) {
    const bool framed = provider.codec().stream_framing() == protocols::Framing::AwsEventStream;
    const char* expected = framed ? "application/vnd.amazon.eventstream" : "text/event-stream";
    if (head->content_type.find(expected) == std::string::npos) {
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
  bool all_rate_limited = true, all_unsupported = true;
  std::string detail;
  for (const auto& f : failures) {
    all_rate_limited = all_rate_limited && f.error.kind == ErrorKind::RateLimited;
    all_unsupported = all_unsupported && f.error.kind == ErrorKind::InvalidRequest;
    if (f.retry_after_s) {
      retry_after = retry_after ? std::min(*retry_after, *f.retry_after_s) : *f.retry_after_s;
    }
    if (!detail.empty()) detail += "; ";
    detail += f.error.message;
  }
  if (!all_rate_limited) retry_after.reset();
  const auto& last = failures.back().error;
  if (failures.size() == 1) return last;
  if (all_unsupported) {  // no candidate's protocol can carry the request: the client's to fix
    return Error::make(ErrorKind::InvalidRequest, "no candidate deployment can take this request: " + detail,
                       {}, "unsupported_feature");
  }
  ErrorKind kind = all_rate_limited ? ErrorKind::RateLimited
                   : last.kind == ErrorKind::UpstreamTimeout ? ErrorKind::UpstreamTimeout
                                                             : ErrorKind::UpstreamError;
  return Error::make(kind, "all " + std::to_string(failures.size()) +
                               " attempts failed: " + detail);
}

// What an attempt's outcome says about the deployment's health. The client's own
// errors, its disconnect and requests the deployment's protocol cannot carry say
// nothing; an answer (even a 4xx) is a success; everything else is a failure.
void note_health(routing::HealthBoard& board, const providers::Deployment& dep, const Outcome& o,
                 Clock::time_point t0, Clock::time_point first_output, Clock::time_point t1) {
  if (o.label == "cancelled" || o.label == "unsupported") {
    board.release(dep.name());
  } else if (o.kind == Outcome::Delivered || o.kind == Outcome::Final || o.label.starts_with("check_failed:")) {
    const auto until = first_output != Clock::time_point{} ? first_output : t1;
    board.record_success(dep.name(), t1, std::chrono::duration_cast<std::chrono::microseconds>(until - t0));
  } else {
    std::optional<std::chrono::seconds> after;
    if (o.retry_after_s) after = std::chrono::seconds(*o.retry_after_s);
    board.record_failure(dep.name(), t1, after);
  }
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
  return dispatch_with_fallback(ctx, &attempt);
}

http::Task<Result<void>> dispatch_with_fallback(RequestContext& ctx, AttemptFn attempt) {
  const auto schedule = ctx.decision.schedule();
  // A cascade route checks the answers of every target but the last.
  const RouteConfig* route = ctx.decision.route_config;
  const bool cascade = route != nullptr && route->strategy == RouteStrategy::Cascade;
  if (cascade) {
    ctx.checks = &route->checks;
    if (auto r = prepare_schema_check(ctx); !r) co_return r;
  }
  const RetryPolicy& policy = ctx.decision.retry;
  std::vector<Outcome> failures;
  std::vector<const providers::Deployment*> skipped;
  const providers::Deployment* previous = nullptr;
  uint32_t retries_here = 0;

  for (size_t at = 0; at < schedule.size(); ++at) {
    const providers::Deployment* dep = schedule[at];
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
    routing::HealthBoard& health = ctx.worker.health;
    if (std::string refused = health.admit(dep->name(), t0); !refused.empty()) {
      // Its circuit opened since routing (another request saw it fail). Skipped while
      // another deployment is left to try; the last one is tried regardless.
      const bool others_left = std::any_of(schedule.begin() + static_cast<ptrdiff_t>(at) + 1, schedule.end(),
                                           [&](const providers::Deployment* d) { return d != dep; });
      if (others_left) {
        ctx.attempts.push_back({dep->name(), "circuit_open", 0});
        failures.push_back(retry("circuit_open", Error::make(ErrorKind::UpstreamError,
                                                             "deployment " + dep->name() + ": " + refused)));
        previous = dep;
        continue;
      }
    }
    ctx.attempts.push_back({dep->name(), "pending", 0});
    ctx.first_output = {};
    if (dep->headroom) dep->headroom->charge(steady_us(t0), ctx.estimated_tokens);
    ctx.check_answer = cascade && std::any_of(schedule.begin() + static_cast<ptrdiff_t>(at) + 1, schedule.end(),
                                              [&](const providers::Deployment* d) { return d != dep; });
    Outcome outcome = co_await attempt(ctx, *dep);
    const auto t1 = Clock::now();
    auto& record = ctx.attempts.back();
    record.outcome = outcome.label;
    record.ms = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count());
    note_health(health, *dep, outcome, t0, ctx.first_output, t1);
    if (outcome.kind == Outcome::Delivered) co_return Result<void>{};
    if (outcome.kind == Outcome::Final) {
      if (!ctx.exchange.client_gone()) {
        const bool kept = co_await deliver_rejected(ctx);  // (not inside &&: g++ 12)
        if (kept) co_return Result<void>{};
      }
      co_return std::unexpected(std::move(outcome.error));
    }
    if (outcome.kind == Outcome::SkipDeployment) skipped.push_back(dep);
    previous = dep;
    failures.push_back(std::move(outcome));
    if (ctx.exchange.client_gone()) break;
  }
  if (ctx.exchange.client_gone()) {
    co_return fail(ErrorKind::InvalidRequest, "client disconnected");
  }
  if (co_await deliver_rejected(ctx)) co_return Result<void>{};
  if (failures.empty()) co_return fail(ErrorKind::UpstreamError, "no deployment to try");
  co_return std::unexpected(exhausted(failures, ctx.retry_after_s));
}

}  // namespace sy::gateway
