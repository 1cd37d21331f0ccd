#include "http/client.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <map>
#include <unordered_map>

namespace sy::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using TcpStream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;
using TlsStream = asio::ssl::stream<TcpStream>;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable_t<Executor>{});
constexpr auto kPooledIdleLimit = std::chrono::seconds(55);
constexpr auto kDnsTtl = std::chrono::seconds(60);

struct Connection {
  std::string key;
  std::optional<TcpStream> plain;
  std::optional<TlsStream> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  char chunk[16 * 1024];

  TcpStream& lowest() { return tls ? tls->next_layer() : *plain; }
};

bool still_open(Connection& c) {
  char byte;
  const ssize_t n = ::recv(c.lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

const char* failure_name(TransportFailure f) {
  switch (f) {
    case TransportFailure::Connect: return "connect_error";
    case TransportFailure::Timeout: return "timeout";
    case TransportFailure::Closed: return "connection_closed";
    case TransportFailure::Protocol: return "protocol_error";
    case TransportFailure::TooLarge: return "response_too_large";
    case TransportFailure::Cancelled: return "cancelled";
  }
  return "error";
}

struct UpstreamPool::Impl {
  explicit Impl(asio::io_context& c) : ctx(c) {}

  asio::io_context& ctx;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::map<std::pair<bool, std::string>, std::unique_ptr<asio::ssl::context>> tls_contexts;
  struct Resolved {
    tcp::resolver::results_type results;
    Clock::time_point at;
  };
  std::unordered_map<std::string, Resolved> dns;

  std::unique_ptr<Connection> take(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    const auto now = Clock::now();
    while (!list.empty()) {
      auto c = std::move(list.back());
      list.pop_back();
      if (now - c->idle_since < kPooledIdleLimit && still_open(*c)) return c;
    }
    return nullptr;
  }

  void put(std::unique_ptr<Connection> c, uint32_t max_idle) {
    auto& list = idle[c->key];
    if (list.size() >= max_idle) return;  // dropping `c` closes it
    c->lowest().expires_never();
    c->idle_since = Clock::now();
    list.push_back(std::move(c));
  }

  Result<asio::ssl::context*> tls_context(bool verify, const std::string& ca_file) {
    auto& slot = tls_contexts[{verify, ca_file}];
    if (!slot) {
      auto ctx_ptr = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      beast::error_code ec;
      ctx_ptr->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
      ctx_ptr->set_default_verify_paths(ec);
      if (!ca_file.empty() && !ec) ctx_ptr->load_verify_file(ca_file, ec);
      if (ec) {
        tls_contexts.erase({verify, ca_file});
        return fail(ErrorKind::Internal, "cannot load CA certificates: " + ec.message());
      }
      ctx_ptr->set_verify_mode(verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
      slot = std::move(ctx_ptr);
    }
    return slot.get();
  }
};

UpstreamPool::UpstreamPool(asio::io_context& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
UpstreamPool::~UpstreamPool() = default;

size_t UpstreamPool::idle_connections() const {
  size_t n = 0;
  for (auto& [k, v] : impl_->idle) n += v.size();
  return n;
}

struct UpstreamCall::State {
  State(UpstreamPool::Impl& p, UpstreamTarget t, Deadlines d)
      : pool(p), target(std::move(t)), deadlines(d), start(Clock::now()) {
    const Endpoint& ep = *target.endpoint;
    key.reserve(ep.host.size() + 32);
    key += ep.tls ? "https://" : "http://";
    key += ep.host;
    key += ':';
    key += std::to_string(ep.port);
    if (ep.tls) {
      key += target.verify_tls ? "|v|" : "|nv|";
      key += target.ca_file;
    }
  }

  UpstreamPool::Impl& pool;
  UpstreamTarget target;
  Deadlines deadlines;
  Clock::time_point start;
  std::string key;
  std::unique_ptr<Connection> conn;
  bhttp::request<bhttp::string_body> request;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
  bool cancelled = false;
  bool received_any = false;

  // The time left for a phase: its own deadline, capped by what remains of the total.
  std::chrono::milliseconds left(std::chrono::milliseconds phase) const {
    using std::chrono::milliseconds;
    milliseconds limit = phase.count() > 0 ? phase : milliseconds::max();
    if (deadlines.total.count() > 0) {
      auto rest = deadlines.total - std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      limit = std::min(limit, rest);
    }
    return limit;
  }

  TransportError error(TransportFailure kind, std::string message) const {
    return TransportError{cancelled ? TransportFailure::Cancelled : kind, std::move(message),
                          !received_any};
  }

  TransportError from(const beast::error_code& ec, const char* during) const {
    if (cancelled) return error(TransportFailure::Cancelled, "cancelled");
    if (ec == beast::error::timeout) {
      return error(TransportFailure::Timeout, std::string("deadline exceeded ") + during);
    }
    if (ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated) {
      return error(TransportFailure::Closed, std::string("connection closed ") + during);
    }
    if (ec == bhttp::error::body_limit) {
      return error(TransportFailure::TooLarge, "response body too large");
    }
    return error(TransportFailure::Protocol, std::string("error ") + during + ": " + ec.message());
  }

  template <class F>
  auto with_stream(F&& f) {
    return conn->tls ? f(*conn->tls) : f(*conn->plain);
  }

  Task<Transport<void>> connect();
  Task<Transport<ResponseHead>> exchange_head();
};

Task<Transport<void>> UpstreamCall::State::connect() {
  const Endpoint& ep = *target.endpoint;
  auto budget = left(deadlines.connect);
  if (budget.count() <= 0) co_return std::unexpected(error(TransportFailure::Timeout, "before connecting"));

  tcp::resolver::results_type results;
  const std::string host_port = ep.host + ":" + std::to_string(ep.port);
  if (auto it = pool.dns.find(host_port); it != pool.dns.end() && Clock::now() - it->second.at < kDnsTtl) {
    results = it->second.results;
  } else {
    tcp::resolver resolver(pool.ctx);
    asio::steady_timer timer(pool.ctx, budget);
    timer.async_wait([&resolver](beast::error_code ec) {
      if (!ec) resolver.cancel();
    });
    auto [ec, r] = co_await resolver.async_resolve(ep.host, std::to_string(ep.port),
                                                   asio::as_tuple(asio::use_awaitable_t<Executor>{}));
    timer.cancel();
    if (cancelled) co_return std::unexpected(error(TransportFailure::Cancelled, "cancelled"));
    if (ec) {
      co_return std::unexpected(error(ec == asio::error::operation_aborted ? TransportFailure::Timeout
                                                                           : TransportFailure::Connect,
                                      "cannot resolve " + ep.host + ": " + ec.message()));
    }
    results = r;
    pool.dns[host_port] = {results, Clock::now()};
  }

  conn = std::make_unique<Connection>();
  conn->key = key;
  if (ep.tls) {
    auto ctx = pool.tls_context(target.verify_tls, target.ca_file);
    if (!ctx) co_return std::unexpected(error(TransportFailure::Connect, ctx.error().message));
    conn->tls.emplace(TcpStream(pool.ctx.get_executor()), **ctx);
  } else {
    conn->plain.emplace(pool.ctx.get_executor());
  }
  conn->lowest().expires_after(left(deadlines.connect));
  auto [ec, endpoint] = co_await conn->lowest().async_connect(results, nothrow);
  if (ec) {
    pool.dns.erase(host_port);
    if (ec == beast::error::timeout) co_return std::unexpected(from(ec, "while connecting"));
    co_return std::unexpected(
        error(TransportFailure::Connect, "cannot connect to " + host_port + ": " + ec.message()));
  }
  beast::error_code ignored;
  conn->lowest().socket().set_option(tcp::no_delay(true), ignored);
  if (conn->tls) {
    auto* ssl = conn->tls->native_handle();
    if (!SSL_set_tlsext_host_name(ssl, ep.host.c_str())) {
      co_return std::unexpected(error(TransportFailure::Connect, "cannot set TLS server name"));
    }
    if (target.verify_tls) conn->tls->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    conn->lowest().expires_after(left(deadlines.connect));
    auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, nothrow);
    if (hec) {
      if (hec == beast::error::timeout) co_return std::unexpected(from(hec, "during the TLS handshake"));
      co_return std::unexpected(
          error(TransportFailure::Connect, "TLS handshake with " + ep.host + " failed: " + hec.message()));
    }
  }
  co_return Transport<void>{};
}

Task<Transport<ResponseHead>> UpstreamCall::State::exchange_head() {
  auto budget = left(deadlines.first_byte);
  if (budget.count() <= 0) co_return std::unexpected(error(TransportFailure::Timeout, "before sending"));
  conn->lowest().expires_after(budget);
  auto [wec, wn] = co_await with_stream(
      [&](auto& s) { return bhttp::async_write(s, request, nothrow); });
  if (wec) co_return std::unexpected(from(wec, "while sending the request"));
  parser.emplace();
  parser->body_limit(boost::none);
  parser->header_limit(64 * 1024);
  auto [rec, rn] = co_await with_stream(
      [&](auto& s) { return bhttp::async_read_header(s, conn->buffer, *parser, nothrow); });
  if (rec) co_return std::unexpected(from(rec, "waiting for the response"));
  received_any = true;
  ResponseHead head;
  const auto& res = parser->get();
  head.status = res.result_int();
  head.content_type = std::string(res[bhttp::field::content_type]);
  if (auto ra = res[bhttp::field::retry_after]; !ra.empty()) {
    uint32_t seconds = 0;
    auto [end, ec] = std::from_chars(ra.data(), ra.data() + ra.size(), seconds);
    if (ec == std::errc() && end == ra.data() + ra.size()) head.retry_after_seconds = seconds;
  }
  co_return head;
}

UpstreamCall::UpstreamCall(UpstreamPool& pool, UpstreamTarget target, Deadlines deadlines)
    : state_(std::make_unique<State>(pool.impl(), std::move(target), deadlines)) {}

UpstreamCall::~UpstreamCall() {
  auto& s = *state_;
  if (s.conn && s.parser && s.parser->is_done() && s.parser->keep_alive() && !s.cancelled) {
    s.pool.put(std::move(s.conn), s.target.max_idle);
  }
}

void UpstreamCall::cancel() {
  auto& s = *state_;
  s.cancelled = true;
  if (s.conn) s.conn->lowest().close();
}

Task<Transport<ResponseHead>> UpstreamCall::send(OutgoingRequest request) {
  auto& s = *state_;
  const Endpoint& ep = *s.target.endpoint;
  s.request = {};
  s.request.method(bhttp::verb::post);
  s.request.target(request.target);
  s.request.version(11);
  s.request.set(bhttp::field::host, ep.host_header());
  s.request.set(bhttp::field::content_type, request.content_type);
  s.request.set(bhttp::field::user_agent, "switchyard");
  for (auto& h : request.headers) s.request.set(h.name, h.value);
  s.request.keep_alive(true);
  s.request.body() = std::move(request.body);
  s.request.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    if (s.cancelled) co_return std::unexpected(s.error(TransportFailure::Cancelled, "cancelled"));
    s.conn = attempt == 0 ? s.pool.take(s.key) : nullptr;
    const bool reused = s.conn != nullptr;
    if (!reused) {
      auto c = co_await s.connect();
      if (!c) co_return std::unexpected(c.error());
    }
    auto head = co_await s.exchange_head();
    if (head || !reused || head.error().kind != TransportFailure::Closed || s.received_any) {
      co_return head;
    }
    s.conn.reset();  // a pooled connection the server had closed: try a fresh one
  }
  co_return std::unexpected(s.error(TransportFailure::Closed, "connection closed"));
}

Task<Transport<std::string_view>> UpstreamCall::read_some() {
  auto& s = *state_;
  if (!s.conn || !s.parser) co_return std::unexpected(s.error(TransportFailure::Protocol, "no response"));
  for (;;) {
    if (s.parser->is_done()) co_return std::string_view{};
    auto budget = s.left(s.deadlines.idle);
    if (budget.count() <= 0) {
      co_return std::unexpected(s.error(TransportFailure::Timeout, "deadline exceeded reading the body"));
    }
    auto& body = s.parser->get().body();
    body.data = s.conn->chunk;
    body.size = sizeof s.conn->chunk;
    body.more = true;
    s.conn->lowest().expires_after(budget);
    auto [ec, n] = co_await s.with_stream(
        [&](auto& st) { return bhttp::async_read_some(st, s.conn->buffer, *s.parser, nothrow); });
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return std::unexpected(s.from(ec, "while reading the body"));
    const size_t got = sizeof s.conn->chunk - body.size;
    if (got > 0) co_return std::string_view(s.conn->chunk, got);
  }
}

Task<Transport<std::string>> UpstreamCall::read_body(size_t max_bytes) {
  std::string out;
  for (;;) {
    auto piece = co_await read_some();
    if (!piece) co_return std::unexpected(piece.error());
    if (piece->empty()) break;
    if (out.size() + piece->size() > max_bytes) {
      co_return std::unexpected(state_->error(TransportFailure::TooLarge, "response body too large"));
    }
    if (out.empty()) out.reserve(piece->size() + 64);
    out.append(*piece);
  }
  co_return out;
}

}  // namespace sy::http
