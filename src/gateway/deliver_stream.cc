#include "gateway/deliver.h"

#include "gateway/egress.h"
#include "gateway/respond_stage.h"
#include "gateway/stream_unmask.h"
#include "core/json_writer.h"
#include "http/sse.h"
#include "protocols/aws_eventstream.h"
#include "protocols/openai_chat.h"

namespace sy::gateway {
namespace {

namespace openai = protocols::openai_chat;

// Commits to `dep`'s answer and sends the stream's status and headers; the task yields
// false when the client is gone. A plain function returning the exchange's task (g++ 12
// miscompiles a coroutine wrapping this one).
http::Task<bool> begin_client_stream(RequestContext& ctx, const providers::Deployment& dep) {
  ctx.served_by = &dep;
  ctx.attempts.back().outcome = "ok";
  ctx.status = 200;
  ctx.stream_open = true;  // the respond stage ends it (nothing is sent if the client is gone)
  ctx.first_output = std::chrono::steady_clock::now();
  return ctx.exchange.begin_stream(200, "text/event-stream", ctx.response_headers());
}

// After the first byte the status is sent: a failure is reported in-band, and the
// respond stage ends the stream once the request is recorded.
http::Task<Outcome> fail_stream(RequestContext& ctx, Error e) {
  ctx.error = e.message;
  co_await ctx.exchange.write_chunk(sse_error_event(ctx, e));
  co_return delivered();
}

void append_event(std::string& out, const http::SseEvent& ev) {
  if (!ev.event.empty()) {
    out += "event: ";
    out += ev.event;
    out += '\n';
  }
  out += "data: ";
  out += ev.data;
  out += "\n\n";
}

void capture(RequestContext& ctx, std::string_view data) {
  if (ctx.snapshot->config->audit.capture == CaptureMode::None) return;
  if (ctx.captured_response.size() + data.size() >= ctx.snapshot->config->audit.capture_max_bytes) {
    return;
  }
  ctx.captured_response += ctx.captured_response.empty() ? '[' : ',';
  ctx.captured_response += data;
}

// Reads what is left of the body so the connection can be reused.
http::Task<void> drain(http::UpstreamCall& call) {
  while (true) {
    auto rest = co_await call.read_some();
    if (!rest || rest->empty()) break;
  }
}

// OpenAI to an OpenAI client: events forwarded as they come, each inspected for usage,
// errors and the end; the usage chunk we asked for is hidden unless the client did too.
http::Task<Outcome> forward_openai_stream(RequestContext& ctx, http::UpstreamCall& call,
                                          const providers::Deployment& dep) {
  http::SseParser sse;
  std::string out;  // events to forward from this read; before the start, all held back
  bool started = false, saw_done = false, has_output = false;
  std::optional<Error> bad;

  for (;;) {
    auto piece = co_await call.read_some();
    if (!piece) {
      if (!started) co_return from_transport(piece.error(), dep);
      if (piece.error().kind == http::TransportFailure::Cancelled) co_return delivered();
      co_return co_await fail_stream(
          ctx, Error::make(ErrorKind::UpstreamError, "deployment " + dep.name() +
                                                         ": stream interrupted: " + piece.error().message));
    }
    if (piece->empty()) break;
    const bool within_limit = sse.feed(*piece, [&](const http::SseEvent& ev) {
      if (bad || saw_done) return;
      auto chunk = openai::inspect_stream_chunk(ev.data, ev.data.size() + http::kSsePadding);
      if (!chunk) {
        bad = chunk.error();
        return;
      }
      if (chunk->is_error) {
        bad = Error::make(ErrorKind::UpstreamError, "deployment " + dep.name() +
                                                        " sent an error event: " +
                                                        openai::decode_error_message(ev.data));
        return;
      }
      if (chunk->usage.reported) ctx.usage = chunk->usage;
      if (chunk->done) {
        saw_done = true;  // [DONE] itself is sent by the respond stage
        return;
      }
      if (!chunk->preamble) has_output = true;
      capture(ctx, ev.data);
      if (chunk->usage_only && !ctx.request.include_usage) return;  // asked for by us only
      append_event(out, ev);
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
          co_return delivered();
        }
      }
      if (!co_await ctx.exchange.write_chunk(out)) {
        call.cancel();
        co_return delivered();
      }
      out.clear();
    }
    if (bad) co_return co_await fail_stream(ctx, *bad);
    if (saw_done) break;
  }
  if (!saw_done) {
    Error e = Error::make(ErrorKind::UpstreamError,
                          "deployment " + dep.name() + ": stream ended before [DONE]");
    if (!started) co_return retry("truncated", std::move(e));
    co_return co_await fail_stream(ctx, std::move(e));
  }
  co_await drain(call);
  if (!started) {
    // A stream with no events before [DONE]: begin it now so the client gets a stream.
    if (!co_await begin_client_stream(ctx, dep)) co_return delivered();
    if (!out.empty()) co_await ctx.exchange.write_chunk(out);
  }
  ctx.stream_trailer = "data: [DONE]\n\n";
  ctx.stream_complete = true;
  co_return delivered();
}

// Usage reported piecewise (input at the start, output at the end) adds up; a later
// report of the same count supersedes the earlier one.
void merge_usage(model::Usage& into, const model::Usage& u) {
  if (!u.reported) return;
  into.input_tokens = std::max(into.input_tokens, u.input_tokens);
  into.output_tokens = std::max(into.output_tokens, u.output_tokens);
  into.cached_input_tokens = std::max(into.cached_input_tokens, u.cached_input_tokens);
  into.reasoning_tokens = std::max(into.reasoning_tokens, u.reasoning_tokens);
  into.reported = true;
}

bool is_output(model::StreamEvent::Kind k) {
  using K = model::StreamEvent::Kind;
  return k != K::MessageStart && k != K::Usage && k != K::Error;
}

// Any other pairing: the upstream's events decoded into canonical events, which the
// client's codec encodes (or, for a same-protocol non-OpenAI stream, the upstream's
// events forwarded as they came while the decoder reads usage and errors from them).
// A request whose values a policy masked always takes the decoding path, so that the
// values can be put back into the answer's deltas.
http::Task<Outcome> translate_stream(RequestContext& ctx, http::UpstreamCall& call,
                                     const providers::Deployment& dep) {
  const protocols::Codec& egress = dep.provider->codec();
  const bool forward = same_protocol(ctx, dep) && ctx.masked.empty();
  std::optional<StreamUnmasker> unmask;
  if (!ctx.masked.empty()) unmask.emplace(ctx.masked);
  auto decoder = egress.stream_decoder();
  std::unique_ptr<protocols::StreamEncoder> encoder;
  if (!forward) encoder = ctx.ingress.codec->stream_encoder({ctx.request.include_usage});
  http::SseParser sse;
  std::vector<model::StreamEvent> events;
  std::string out, trailer;
  bool started = false, has_output = false;
  // A cascade attempt: the client gets nothing until the whole answer passed the checks.
  const bool hold = ctx.check_answer;
  std::string held_text;
  std::optional<Error> bad;
  const std::string who = "deployment " + dep.name();

  // One upstream event, whatever its framing: `raw` is the SSE event when there is one
  // (for same-protocol forwarding).
  auto handle = [&](std::string_view event, std::string_view data, const http::SseEvent* raw) {
    if (bad) return;
    events.clear();
    if (auto r = decoder->decode(event, data, events); !r) {
      bad = Error::make(ErrorKind::UpstreamError, who + ": " + r.error().message);
      return;
    }
    if (unmask) unmask->apply(events);
    for (const auto& e : events) {
      if (e.kind == model::StreamEvent::Kind::Error) {
        bad = Error::make(ErrorKind::UpstreamError, who + " sent an error event: " + e.text);
        return;
      }
      if (e.kind == model::StreamEvent::Kind::Usage || e.kind == model::StreamEvent::Kind::MessageStart) {
        merge_usage(ctx.usage, e.usage);
      }
      if (is_output(e.kind)) has_output = true;
      if (hold && e.kind == model::StreamEvent::Kind::TextDelta) held_text += e.text;
      if (encoder) encoder->encode(e, out);
    }
    capture(ctx, data);
    if (forward && raw != nullptr) {
      if (egress.ends_stream(raw->event, raw->data)) {  // held back until recorded
        append_event(trailer, *raw);
      } else {
        append_event(out, *raw);
      }
    }
  };
  // Bedrock frames its stream as AWS event-stream messages instead of SSE.
  const bool aws_frames = egress.stream_framing() == protocols::Framing::AwsEventStream;
  protocols::aws::EventStreamDecoder frames;
  std::string exception_name, exception_payload;
  auto feed = [&](std::string_view bytes) {
    if (!aws_frames) {
      const bool fits = sse.feed(bytes, [&](const http::SseEvent& ev) { handle(ev.event, ev.data, &ev); });
      if (!fits && !bad) bad = Error::make(ErrorKind::UpstreamError, who + ": stream event too large");
      return;
    }
    frames.feed(bytes);
    while (!bad) {
      auto message = frames.next();
      if (!message) {
        bad = Error::make(ErrorKind::UpstreamError, who + ": " + message.error().message);
        return;
      }
      if (!*message) return;
      const auto& m = **message;
      const std::string_view type = m.string_header(":message-type");
      if (type == "exception") {
        exception_name = "exception:" + std::string(m.string_header(":exception-type"));
        handle(exception_name, m.payload, nullptr);
      } else if (type == "error") {
        exception_name = "exception:" + std::string(m.string_header(":error-code"));
        exception_payload.clear();
        json::Writer w(exception_payload);
        w.begin_object().field("message", m.string_header(":error-message")).end_object();
        handle(exception_name, exception_payload, nullptr);
      } else {
        handle(m.string_header(":event-type"), m.payload, nullptr);
      }
    }
  };

  for (;;) {
    auto piece = co_await call.read_some();
    if (!piece) {
      if (!started) co_return from_transport(piece.error(), dep);
      if (piece.error().kind == http::TransportFailure::Cancelled) co_return delivered();
      co_return co_await fail_stream(
          ctx, Error::make(ErrorKind::UpstreamError,
                           who + ": stream interrupted: " + piece.error().message));
    }
    if (piece->empty()) break;
    feed(*piece);
    if (bad && !started) co_return retry("malformed", std::move(*bad));
    if (!hold && !out.empty() && (started || has_output || bad)) {
      if (!started) {
        started = true;
        if (!co_await begin_client_stream(ctx, dep)) {
          call.cancel();
          co_return delivered();
        }
      }
      if (!co_await ctx.exchange.write_chunk(out)) {
        call.cancel();
        co_return delivered();
      }
      out.clear();
    }
    if (bad) co_return co_await fail_stream(ctx, std::move(*bad));
  }
  events.clear();
  if (auto r = decoder->finish(events); !r) {
    Error e = Error::make(ErrorKind::UpstreamError, who + ": " + r.error().message);
    if (!started) co_return retry("truncated", std::move(e));
    co_return co_await fail_stream(ctx, std::move(e));
  }
  if (unmask) unmask->apply(events);
  for (const auto& e : events) {
    merge_usage(ctx.usage, e.usage);
    if (encoder) encoder->encode(e, out);
  }
  if (encoder) encoder->finish(trailer);
  if (hold) {
    const model::Usage usage = ctx.usage;
    if (auto failed = check(ctx, dep, held_text)) {
      ctx.rejected = RequestContext::Rejected{&dep, usage, std::nullopt, std::move(out), std::move(trailer)};
      co_return std::move(*failed);
    }
  }
  if (!started && !co_await begin_client_stream(ctx, dep)) co_return delivered();
  if (!out.empty() && !co_await ctx.exchange.write_chunk(out)) co_return delivered();
  ctx.stream_trailer = std::move(trailer);
  ctx.stream_complete = true;
  co_return delivered();
}

}  // namespace

http::Task<Outcome> deliver_stream(RequestContext& ctx, http::UpstreamCall& call,
                                   const providers::Deployment& dep) {
  if (same_protocol(ctx, dep) && ctx.ingress.codec->protocol() == model::Protocol::OpenAIChat &&
      ctx.masked.empty() && !ctx.check_answer) {
    return forward_openai_stream(ctx, call, dep);
  }
  return translate_stream(ctx, call, dep);
}

}  // namespace sy::gateway
