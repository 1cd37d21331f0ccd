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

#include "http/deadline.h"

namespace sy::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using TlsStream = asio::ssl::stream<Socket>;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable_t<Executor>{});
constexpr auto kPooledIdleLimit = std::chrono::seconds(55);
constexpr auto kDnsTtl = std::chrono::seconds(60);
// A pooled connection idle for less than this is reused without first checking that
// the server has not closed it: a request that then fails before any response byte is
// retried once on a fresh connection anyway (UpstreamCall::send).
constexpr auto kTrustIdleFor = std::chrono::seconds(2);
constexpr auto kSweepTick = std::chrono::milliseconds(10);

struct Connection {
  explicit Connection(DeadlineSweep& sweep)
      : deadline(sweep, [this] {
          beast::error_code ec;
          lowest().cancel(ec);
        }) {}

  std::string key;
  std::optional<Socket> plain;
  std::optional<TlsStream> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  DeadlineSweep::Deadline deadline;
  char chunk[16 * 1024];

  Socket& lowest() { return tls ? tls->next_layer() : *plain; }
};

bool still_open(Connection& c) {
  char byte;
  const ssize_t n = ::recv(c.lowest().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
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
  explicit Impl(asio::io_context& c) : ctx(c), sweep(c, kSweepTick) {}

  asio::io_context& ctx;
  DeadlineSweep sweep;
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
      const auto idle = now - c->idle_since;
      if (idle < kTrustIdleFor || (idle < kPooledIdleLimit && still_open(*c))) return c;
    }
    return nullptr;
  }

  void put(std::unique_ptr<Connection> c, uint32_t max_idle) {
    auto& list = idle[c->key];
    if (list.size() >= max_idle) return;  // dropping `c` closes it
    c->deadline.disarm();
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
  std::vector<std::string> read_headers;  // response fields to copy (OutgoingRequest)
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
    if (ec == beast::error::timeout || (conn && conn->deadline.expired())) {
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
  // One read from the socket into the connection's buffer, under `budget`.
  Task<beast::error_code> fill(std::chrono::milliseconds budget);
  // Writes the request: synchronously while the socket takes it (plain TCP), then
  // asynchronously under the first-byte deadline.
  Task<beast::error_code> write_request(std::chrono::milliseconds budget);
};

Task<beast::error_code> UpstreamCall::State::fill(std::chrono::milliseconds budget) {
  conn->deadline.arm(budget);
  auto [ec, n] = co_await with_stream([&](auto& s) {
    return s.async_read_some(conn->buffer.prepare(16 * 1024), nothrow);
  });
  conn->deadline.disarm();
  conn->buffer.commit(n);
  if (ec == asio::error::operation_aborted && conn->deadline.expired()) ec = beast::error::timeout;
  co_return ec;
}

Task<beast::error_code> UpstreamCall::State::write_request(std::chrono::milliseconds budget) {
  bhttp::request_serializer<bhttp::string_body> sr{request};
  if (!conn->tls) {
    beast::error_code ec;
    bhttp::write(*conn->plain, sr, ec);
    if (ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
  }
  conn->deadline.arm(budget);
  auto [ec, n] = co_await with_stream([&](auto& s) { return bhttp::async_write(s, sr, nothrow); });
  conn->deadline.disarm();
  if (ec == asio::error::operation_aborted && conn->deadline.expired()) ec = beast::error::timeout;
  co_return ec;
}

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

  conn = std::make_unique<Connection>(pool.sweep);
  conn->key = key;
  if (ep.tls) {
    auto ctx = pool.tls_context(target.verify_tls, target.ca_file);
    if (!ctx) co_return std::unexpected(error(TransportFailure::Connect, ctx.error().message));
    conn->tls.emplace(Socket(pool.ctx.get_executor()), **ctx);
  } else {
    conn->plain.emplace(pool.ctx.get_executor());
  }
  conn->deadline.arm(left(deadlines.connect));
  auto [ec, endpoint] = co_await asio::async_connect(conn->lowest(), results, nothrow);
  conn->deadline.disarm();
  if (ec) {
    pool.dns.erase(host_port);
    if (conn->deadline.expired()) co_return std::unexpected(from(ec, "while connecting"));
    co_return std::unexpected(
        error(TransportFailure::Connect, "cannot connect to " + host_port + ": " + ec.message()));
  }
  beast::error_code ignored;
  conn->lowest().set_option(tcp::no_delay(true), ignored);
  conn->lowest().non_blocking(true, ignored);  // write_request tries a synchronous write
  if (conn->tls) {
    auto* ssl = conn->tls->native_handle();
    if (!SSL_set_tlsext_host_name(ssl, ep.host.c_str())) {
      co_return std::unexpected(error(TransportFailure::Connect, "cannot set TLS server name"));
    }
    if (target.verify_tls) conn->tls->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    conn->deadline.arm(left(deadlines.connect));
    auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, nothrow);
    conn->deadline.disarm();
    if (hec) {
      if (conn->deadline.expired()) co_return std::unexpected(from(hec, "during the TLS handshake"));
      co_return std::unexpected(
          error(TransportFailure::Connect, "TLS handshake with " + ep.host + " failed: " + hec.message()));
    }
  }
  co_return Transport<void>{};
}

Task<Transport<ResponseHead>> UpstreamCall::State::exchange_head() {
  auto budget = left(deadlines.first_byte);
  if (budget.count() <= 0) co_return std::unexpected(error(TransportFailure::Timeout, "before sending"));
  if (auto wec = co_await write_request(budget)) {
    co_return std::unexpected(from(wec, "while sending the request"));
  }
  parser.emplace();
  parser->body_limit(boost::none);
  parser->header_limit(64 * 1024);
  conn->buffer.clear();
  for (;;) {
    auto rec = co_await fill(left(deadlines.first_byte));
    if (rec && rec != asio::error::eof) co_return std::unexpected(from(rec, "waiting for the response"));
    if (rec == asio::error::eof) {
      co_return std::unexpected(from(asio::error::eof, "waiting for the response"));
    }
    beast::error_code pec;
    // Parse the head only: with buffer_body, body bytes stay in the buffer until a
    // body buffer is given (read_some).
    parser->get().body().data = nullptr;
    parser->get().body().size = 0;
    size_t used = 0;
    do {
      used = parser->put(conn->buffer.data(), pec);
      conn->buffer.consume(used);
      if (pec == bhttp::error::need_more) pec = {};
    } while (!pec && used > 0 && !parser->is_header_done());
    if (pec == bhttp::error::need_buffer) pec = {};
    if (pec) co_return std::unexpected(from(pec, "parsing the response head"));
    if (parser->is_header_done()) break;
  }
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
  for (const std::string& name : read_headers) {
    if (auto it = res.find(name); it != res.end()) {
      head.headers.push_back({name, std::string(it->value())});
    }
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
  if (s.conn) {
    beast::error_code ec;
    s.conn->lowest().close(ec);
  }
}

Task<Transport<ResponseHead>> UpstreamCall::send(OutgoingRequest request) {
  auto& s = *state_;
  const Endpoint& ep = *s.target.endpoint;
  s.request = {};
  if (!request.method.empty()) {
    s.request.method_string(request.method);
  } else {
    s.request.method(request.get ? bhttp::verb::get : bhttp::verb::post);
  }
  s.request.target(request.target);
  s.request.version(11);
  s.request.set(bhttp::field::host, ep.host_header());
  if (!request.get) s.request.set(bhttp::field::content_type, request.content_type);
  s.request.set(bhttp::field::user_agent, "switchyard");
  for (auto& h : request.headers) s.request.set(h.name, h.value);
  s.request.keep_alive(true);
  s.request.body() = std::move(request.body);
  s.request.prepare_payload();
  s.read_headers = std::move(request.read_headers);

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
    // Parse what is buffered first; read from the socket only when it is not enough.
    auto& body = s.parser->get().body();
    body.data = s.conn->chunk;
    body.size = sizeof s.conn->chunk;
    body.more = true;
    beast::error_code pec;
    size_t used = 0;
    do {  // one put may stop at a chunk boundary: parse until stuck or the buffer is full
      used = s.parser->put(s.conn->buffer.data(), pec);
      s.conn->buffer.consume(used);
      if (pec == bhttp::error::need_more) pec = {};
    } while (!pec && used > 0 && body.size > 0 && !s.parser->is_done());
    if (pec == bhttp::error::need_buffer) pec = {};
    const size_t got = sizeof s.conn->chunk - body.size;
    if (pec) co_return std::unexpected(s.from(pec, "while reading the body"));
    if (got > 0) co_return std::string_view(s.conn->chunk, got);
    if (s.parser->is_done()) co_return std::string_view{};
    auto budget = s.left(s.deadlines.idle);
    if (budget.count() <= 0) {
      co_return std::unexpected(s.error(TransportFailure::Timeout, "deadline exceeded reading the body"));
    }
    auto ec = co_await s.fill(budget);
    if (ec == asio::error::eof) {
      s.parser->put_eof(pec);  // a body delimited by the end of the connection
      if (pec) co_return std::unexpected(s.from(bhttp::error::partial_message, "while reading the body"));
      continue;
    }
    if (ec) co_return std::unexpected(s.from(ec, "while reading the body"));
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
