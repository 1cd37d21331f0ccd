#include "workflow/mcp_http.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cctype>

#include "http/client.h"
#include "http/fetch.h"
#include "http/sse.h"
#include "workflow/mcp_protocol.h"

namespace sy::workflow {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxAnswerBytes = 16u << 20;

struct PostResult {
  std::optional<http::TransportError> failure;
  unsigned status = 0;
  std::string content_type;
  std::string session_id;
  std::string body;    // a JSON body, or the start of any other
  std::string answer;  // the message that answers the request, when found in a stream
  bool stream_cut = false;
};

bool is_event_stream(std::string_view content_type) {
  return content_type.starts_with("text/event-stream");
}

// Pointers, not references: coroutine parameters are copied into the frame.
http::Task<void> post_message(http::UpstreamPool* pool, http::UpstreamTarget target,
                              http::OutgoingRequest request, http::Deadlines deadlines, int64_t id,
                              PostResult* out) {
  http::UpstreamCall call(*pool, std::move(target), deadlines);
  auto head = co_await call.send(std::move(request));
  if (!head) {
    out->failure = head.error();
    co_return;
  }
  out->status = head->status;
  out->content_type = head->content_type;
  for (const auto& h : head->headers) {
    if (h.name == "mcp-session-id") out->session_id = h.value;
  }
  if (head->status < 200 || head->status >= 300 || !is_event_stream(head->content_type) || id < 0) {
    auto body = co_await call.read_body(kMaxAnswerBytes);
    if (!body) {
      out->failure = body.error();
      co_return;
    }
    out->body = std::move(*body);
    co_return;
  }
  // A stream: read events until the one that answers `id`; the server may keep the
  // stream open after it, so stop reading there.
  http::SseParser parser(kMaxAnswerBytes);
  for (;;) {
    auto piece = co_await call.read_some();
    if (!piece) {
      out->failure = piece.error();
      co_return;
    }
    if (piece->empty()) {
      out->stream_cut = true;
      co_return;
    }
    bool found = false;
    const bool ok = parser.feed(*piece, [&](const http::SseEvent& ev) {
      if (found || (!ev.event.empty() && ev.event != "message")) return;
      const McpMessage m = parse_mcp_message(ev.data);
      if ((m.kind == McpMessage::Kind::Response || m.kind == McpMessage::Kind::Error) &&
          m.numeric_id && m.id == id) {
        out->answer = std::string(ev.data);
        found = true;
      }
    });
    if (found) {
      call.cancel();
      co_return;
    }
    if (!ok) {
      out->failure =
          http::TransportError{http::TransportFailure::TooLarge, "an event over 16 MiB", false};
      co_return;
    }
  }
}

// Servers built on the reference SDK's examples answer an unknown session with 400 "No
// valid session ID provided" rather than the 404 the spec asks for.
bool mentions_session(std::string_view body) {
  std::string lower(body.substr(0, 1000));
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("session") != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<McpHttpChannel>> McpHttpChannel::open(const McpServerConfig& config) {
  auto url = http::split_url(config.url);
  if (!url) {
    return fail(ErrorKind::UpstreamError, "bad URL " + config.url + ": " + url.error().message);
  }
  return std::unique_ptr<McpHttpChannel>(
      new McpHttpChannel(config, std::move(url->endpoint), std::move(url->target)));
}

McpHttpChannel::McpHttpChannel(const McpServerConfig& config, Endpoint endpoint, std::string target)
    : name_(config.name),
      url_(config.url),
      endpoint_(std::move(endpoint)),
      target_(std::move(target)),
      headers_(config.headers) {}

std::string McpHttpChannel::session_id() const {
  std::lock_guard lock(mu_);
  return session_id_;
}

void McpHttpChannel::set_protocol_version(const std::string& version) {
  std::lock_guard lock(mu_);
  protocol_version_ = version;
}

Result<std::string> McpHttpChannel::post(const std::string& message, int64_t id,
                                         const McpDeadline& deadline) {
  const auto left = deadline.left();
  if (left.count() == 0) return fail(ErrorKind::UpstreamTimeout, "no time left to call " + url_);
  http::OutgoingRequest out;
  out.target = target_;
  out.body = message;
  out.read_headers = {"mcp-session-id"};
  for (const auto& [k, v] : headers_) out.headers.push_back({k, v});
  out.headers.push_back({"accept", "application/json, text/event-stream"});
  std::string session;
  {
    std::lock_guard lock(mu_);
    session = session_id_;
    if (!session.empty()) out.headers.push_back({"mcp-session-id", session});
    if (!protocol_version_.empty())
      out.headers.push_back({"mcp-protocol-version", protocol_version_});
  }
  http::Deadlines deadlines;
  deadlines.connect = std::min<std::chrono::milliseconds>(left, std::chrono::seconds(10));
  deadlines.first_byte = left;
  deadlines.idle = left;
  deadlines.total = left;
  PostResult result;
  {
    asio::io_context ctx;
    http::UpstreamPool pool(ctx);
    http::UpstreamTarget target;
    target.endpoint = &endpoint_;
    target.max_idle = 0;
    asio::co_spawn(
        ctx, post_message(&pool, std::move(target), std::move(out), deadlines, id, &result),
        [&ctx, &result](const std::exception_ptr& e) {
          if (e && !result.failure && result.status == 0) {
            result.failure =
                http::TransportError{http::TransportFailure::Protocol, "unexpected failure"};
          }
          ctx.stop();
        });
    ctx.run();
  }
  if (!result.session_id.empty()) {
    std::lock_guard lock(mu_);
    session_id_ = result.session_id;
  }
  if (result.failure && result.answer.empty()) {
    const auto kind = result.failure->kind == http::TransportFailure::Timeout
                          ? ErrorKind::UpstreamTimeout
                          : ErrorKind::UpstreamError;
    return fail(kind, "POST " + url_ + ": " + result.failure->message);
  }
  if (!session.empty() &&
      (result.status == 404 || (result.status == 400 && mentions_session(result.body)))) {
    return fail(ErrorKind::Unavailable, "the MCP session at " + url_ + " has expired (HTTP " +
                                            std::to_string(result.status) + ")");
  }
  if (result.status < 200 || result.status >= 300) {
    return fail(ErrorKind::UpstreamError, "POST " + url_ + " answered HTTP " +
                                              std::to_string(result.status) + ": " +
                                              result.body.substr(0, 300));
  }
  if (id < 0) return std::string();
  if (!result.answer.empty()) return std::move(result.answer);
  if (is_event_stream(result.content_type)) {
    return fail(ErrorKind::UpstreamError, "the event stream from " + url_ +
                                              " ended without the response to request " +
                                              std::to_string(id));
  }
  if (!result.content_type.starts_with("application/json")) {
    return fail(ErrorKind::UpstreamError,
                "POST " + url_ + " answered " +
                    (result.content_type.empty() ? "no content type" : result.content_type) +
                    ", not JSON or an event stream");
  }
  return std::move(result.body);
}

Result<std::string> McpHttpChannel::request(const std::string& message, int64_t id,
                                            const McpDeadline& deadline) {
  return post(message, id, deadline);
}

Result<void> McpHttpChannel::notify(const std::string& message, const McpDeadline& deadline) {
  auto r = post(message, -1, deadline);
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace sy::workflow
