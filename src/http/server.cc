#include "http/server.h"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <cstdio>
#include <list>
#include <thread>

#include "core/log.h"
#include "http/deadline.h"

namespace sy::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using TlsStream = asio::ssl::stream<Socket>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable_t<Executor>{});

Socket& tcp_layer(Socket& s) { return s; }
Socket& tcp_layer(TlsStream& s) { return s.next_layer(); }
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
constexpr auto kSweepTick = std::chrono::milliseconds(10);

}  // namespace

class SessionBase;

// Per-worker state; touched only on the worker's own thread once started.
struct Worker {
  asio::io_context ctx{1};
  DeadlineSweep sweep{ctx, kSweepTick};
  std::optional<Acceptor> acceptor;
  std::unique_ptr<Handler> handler;
  std::list<SessionBase*> sessions;
  bool draining = false;
  std::thread thread;
};

struct Server::Impl {
  ServerOptions options;
  uint16_t port = 0;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<asio::ssl::context> tls;
  std::atomic<size_t> open_sessions{0};
};

class SessionBase : public Exchange {
 public:
  virtual void close_if_idle() = 0;
  std::list<SessionBase*>::iterator self;
};

namespace {

// Guards the disconnect watcher's completion against a finished exchange or session.
struct WatchState {
  bool alive = true;
  uint64_t generation = 0;
};

template <class Stream>
class Session final : public SessionBase {
 public:
  Session(Stream stream, Worker& worker, Server::Impl& server)
      : stream_(std::move(stream)), worker_(worker), server_(server),
        watch_(std::make_shared<WatchState>()),
        deadline_(worker.sweep, [this] {
          beast::error_code ec;
          lowest().cancel(ec);
        }) {}

  ~Session() override { watch_->alive = false; }

  Task<void> run();

  std::string_view method() const override { return sv(parser_->get().method_string()); }
  std::string_view target() const override { return sv(parser_->get().target()); }
  std::string_view header(std::string_view name) const override {
    const auto& req = parser_->get();
    auto it = req.find(name);
    return it == req.end() ? std::string_view{} : sv(it->value());
  }
  std::string take_body() override { return std::move(parser_->get().body()); }
  bool responded() const override { return responded_; }

  Task<bool> respond(Response response) override;
  Task<bool> begin_stream(unsigned status, std::string content_type,
                          std::vector<HeaderField> headers) override;
  Task<bool> write_chunk(std::string_view data) override;
  Task<bool> end_stream() override;

  void on_client_gone(std::function<void()> callback) override {
    on_gone_ = std::move(callback);
  }
  bool client_gone() const override { return gone_; }

  void close_if_idle() override {
    if (idle_) {
      beast::error_code ec;
      lowest().close(ec);
    }
  }

 private:
  Socket& lowest() { return tcp_layer(stream_); }
  // Writes a whole serializer's message: synchronously while the socket accepts the
  // bytes (plain TCP), asynchronously under the write deadline for the rest.
  template <class SyncWrite, class AsyncWrite>
  Task<bool> write_with(SyncWrite sync_write, AsyncWrite async_write);
  template <class Serializer>
  Task<bool> write_message(Serializer& sr);
  Task<bool> write_buffers(std::string_view head, std::string_view data, std::string_view tail);
  bool fail_write();
  Task<bool> read_request(bool& fatal);
  Task<void> linger();
  Task<void> send_error(const Error& error);
  void watch_for_disconnect();
  void stop_watching();
  void mark_gone();
  template <class Msg>
  void apply_common(Msg& msg);

  Stream stream_;
  Worker& worker_;
  Server::Impl& server_;
  std::shared_ptr<WatchState> watch_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::function<void()> on_gone_;
  bool keep_alive_ = true;
  bool responded_ = false;
  bool gone_ = false;
  bool idle_ = false;
  bool body_reserved_ = false;
  DeadlineSweep::Deadline deadline_;
};

template <class Stream>
template <class Msg>
void Session<Stream>::apply_common(Msg& msg) {
  msg.keep_alive(keep_alive_ && !worker_.draining);
  msg.set(bhttp::field::server, "switchyard");
}

template <class Stream>
bool Session<Stream>::fail_write() {
  keep_alive_ = false;
  mark_gone();
  return false;
}

template <class Stream>
template <class SyncWrite, class AsyncWrite>
Task<bool> Session<Stream>::write_with(SyncWrite sync_write, AsyncWrite async_write) {
  if constexpr (std::is_same_v<Stream, Socket>) {
    beast::error_code ec;
    sync_write(ec);
    if (!ec) co_return true;
    if (ec != asio::error::would_block && ec != asio::error::try_again) co_return fail_write();
  }
  deadline_.arm(server_.options.request_timeout);
  auto [ec, n] = co_await async_write();
  deadline_.disarm();
  co_return ec ? fail_write() : true;
}

template <class Stream>
template <class Serializer>
Task<bool> Session<Stream>::write_message(Serializer& sr) {
  return write_with([&](beast::error_code& ec) { bhttp::write(stream_, sr, ec); },
                    [&] { return bhttp::async_write(stream_, sr, nothrow); });
}

// Writes head + data + tail (one chunk of a chunked body) in one gathered write.
template <class Stream>
Task<bool> Session<Stream>::write_buffers(std::string_view head, std::string_view data,
                                          std::string_view tail) {
  const std::array<asio::const_buffer, 3> parts{asio::buffer(head), asio::buffer(data),
                                                asio::buffer(tail)};
  beast::buffers_suffix<std::array<asio::const_buffer, 3>> rest(parts);
  co_return co_await write_with(
      [&](beast::error_code& ec) { rest.consume(asio::write(stream_, rest, ec)); },
      [&] { return asio::async_write(stream_, rest, nothrow); });
}

template <class Stream>
Task<bool> Session<Stream>::respond(Response response) {
  if (responded_) co_return false;
  responded_ = true;
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), 11};
  res.set(bhttp::field::content_type, response.content_type);
  for (auto& h : response.headers) res.set(h.name, h.value);
  res.body() = std::move(response.body);
  apply_common(res);
  res.prepare_payload();
  keep_alive_ = res.keep_alive();
  bhttp::response_serializer<bhttp::string_body> sr{res};
  co_return co_await write_message(sr);
}

template <class Stream>
Task<bool> Session<Stream>::begin_stream(unsigned status, std::string content_type,
                                         std::vector<HeaderField> headers) {
  if (responded_) co_return false;
  responded_ = true;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, content_type);
  res.set(bhttp::field::cache_control, "no-cache");
  for (auto& h : headers) res.set(h.name, h.value);
  apply_common(res);
  res.chunked(true);
  keep_alive_ = res.keep_alive();
  bhttp::response_serializer<bhttp::empty_body> sr{res};
  co_return co_await write_with(
      [&](beast::error_code& ec) { bhttp::write_header(stream_, sr, ec); },
      [&] { return bhttp::async_write_header(stream_, sr, nothrow); });
}

template <class Stream>
Task<bool> Session<Stream>::write_chunk(std::string_view data) {
  if (gone_) co_return false;
  if (data.empty()) co_return true;
  char size_line[24];
  const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  co_return co_await write_buffers(std::string_view(size_line, static_cast<size_t>(len)), data,
                                   "\r\n");
}

template <class Stream>
Task<bool> Session<Stream>::end_stream() {
  if (gone_) co_return false;
  co_return co_await write_buffers("0\r\n\r\n", {}, {});
}

template <class Stream>
void Session<Stream>::mark_gone() {
  if (gone_) return;
  gone_ = true;
  if (auto cb = std::move(on_gone_)) cb();
}

// Waits for the client socket to become readable while the handler runs: EOF or an
// error there means the client went away. Readable data (a pipelined request) is left
// in the socket for the next read.
template <class Stream>
void Session<Stream>::watch_for_disconnect() {
  const uint64_t generation = ++watch_->generation;
  lowest().async_wait(
      tcp::socket::wait_read, [this, state = watch_, generation](beast::error_code ec) {
        if (ec || !state->alive || state->generation != generation) return;
        char c;
        const ssize_t n = ::recv(lowest().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          keep_alive_ = false;
          mark_gone();
        } else if (n < 0) {
          watch_for_disconnect();
        }
      });
}

template <class Stream>
void Session<Stream>::stop_watching() {
  ++watch_->generation;
  beast::error_code ec;
  lowest().cancel(ec);
}

template <class Stream>
Task<void> Session<Stream>::send_error(const Error& error) {
  Response r;
  r.status = static_cast<unsigned>(error.status);
  r.body = server_.options.render_error ? server_.options.render_error(error)
                                        : "{\"error\":\"" + error.message + "\"}";
  if (server_.options.make_request_id) {
    r.headers.push_back({"x-request-id", server_.options.make_request_id()});
  }
  keep_alive_ = false;
  co_await respond(std::move(r));
}

// Reads the next request. Returns false when the connection should close; `fatal`
// says an error response was already sent. Bytes already buffered are parsed without
// I/O; only a request that needs more reads arms the request deadline (a timer that
// cancels the read, so the client can still be told 408).
template <class Stream>
Task<bool> Session<Stream>::read_request(bool& fatal) {
  const auto& opt = server_.options;
  parser_.emplace();
  parser_->body_limit(opt.max_body_bytes);
  parser_->header_limit(opt.max_header_bytes);
  parser_->eager(true);
  responded_ = false;
  on_gone_ = nullptr;

  if (buffer_.size() == 0) {  // idle keep-alive wait for the first byte
    idle_ = true;
    deadline_.arm(opt.keepalive_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), nothrow);
    deadline_.disarm();
    idle_ = false;
    if (ec) co_return false;
    buffer_.commit(n);
  }

  bool timer_armed = false;
  beast::error_code ec;
  for (;;) {
    size_t used = 0;
    do {  // one put may stop at a chunk boundary of a chunked body
      used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) ec = {};
    } while (!ec && used > 0 && !parser_->is_done());
    if (ec || parser_->is_done()) break;
    if (parser_->is_header_done() && !body_reserved_) {
      body_reserved_ = true;
      if (auto len = parser_->content_length(); len && *len <= opt.max_body_bytes) {
        parser_->get().body().reserve(*len + 64);  // room for simdjson's padding
      }
    }
    if (!timer_armed) {
      timer_armed = true;
      deadline_.arm(opt.request_timeout);
    }
    auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(16384), nothrow);
    buffer_.commit(n);
    if (rec == asio::error::eof && n == 0) {
      parser_->put_eof(ec);
      if (!ec) ec = bhttp::error::partial_message;
      break;
    }
    if (rec) {
      ec = deadline_.expired() ? beast::error::timeout : rec;
      break;
    }
  }
  body_reserved_ = false;
  if (timer_armed) deadline_.disarm();
  if (!ec) co_return true;

  if (ec == bhttp::error::partial_message || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    co_return false;
  }
  fatal = true;
  if (ec == bhttp::error::body_limit) {
    co_await send_error(Error::make(
        ErrorKind::PayloadTooLarge,
        "request body exceeds the limit of " + std::to_string(opt.max_body_bytes) + " bytes"));
  } else if (ec == bhttp::error::header_limit) {
    co_await send_error(Error::make(ErrorKind::HeadersTooLarge,
                                    "request headers exceed the limit of " +
                                        std::to_string(opt.max_header_bytes) + " bytes"));
  } else if (ec == beast::error::timeout) {
    co_await send_error(Error::make(ErrorKind::RequestTimeout,
                                    "the request was not received completely within " +
                                        std::to_string(opt.request_timeout.count()) + " ms"));
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
    co_await send_error(
        Error::make(ErrorKind::InvalidRequest, "malformed HTTP request: " + ec.message()));
  }
  co_return false;
}

template <class Stream>
Task<void> Session<Stream>::run() {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    deadline_.arm(server_.options.request_timeout);
    auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, nothrow);
    deadline_.disarm();
    if (ec) co_return;
  } else {
    beast::error_code ec;
    lowest().non_blocking(true, ec);  // lets write_message try a synchronous write first
  }
  bool rejected = false;  // an error was answered while the client may still be sending
  for (;;) {
    if (!co_await read_request(rejected)) break;
    keep_alive_ = parser_->get().keep_alive();
    watch_for_disconnect();
    co_await worker_.handler->handle(*this);
    stop_watching();
    if (!responded_ && !gone_) {
      co_await send_error(Error::make(ErrorKind::Internal, "the handler produced no response"));
    }
    if (!keep_alive_ || gone_ || worker_.draining) break;
  }
  beast::error_code ec;
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    if (!rejected) {
      deadline_.arm(std::chrono::seconds(2));
      co_await stream_.async_shutdown(nothrow);
      deadline_.disarm();
    }
  }
  lowest().shutdown(tcp::socket::shutdown_send, ec);
  if (rejected) co_await linger();
  lowest().close(ec);
}

// Closing a socket with unread input makes the kernel send a reset, which can destroy
// the error response we just sent (a client still uploading an oversized body would
// see a broken pipe instead of 413). So after answering early: read and discard what
// the client still sends, for a bounded time and size, then close (RFC 9112, 9.6).
template <class Stream>
Task<void> Session<Stream>::linger() {
  constexpr size_t kMaxDiscard = 64u << 20;
  deadline_.arm(std::chrono::seconds(2));
  size_t discarded = 0;
  while (discarded < kMaxDiscard) {
    buffer_.clear();
    auto [ec, n] = co_await lowest().async_read_some(buffer_.prepare(64 * 1024), nothrow);
    if (ec) break;
    discarded += n;
  }
}

template <class Stream>
Task<void> run_session(std::unique_ptr<Session<Stream>> session, Worker* worker,
                       Server::Impl* server) {
  worker->sessions.push_front(session.get());
  session->self = worker->sessions.begin();
  co_await session->run();
  worker->sessions.erase(session->self);
  session.reset();
  server->open_sessions.fetch_sub(1, std::memory_order_relaxed);
}

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("connection ended by an unexpected exception: {}", ex.what());
  }
}

Task<void> accept_loop(Worker* worker, Server::Impl* server) {
  for (;;) {
    auto [ec, socket] = co_await worker->acceptor->async_accept(nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !worker->acceptor->is_open()) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    server->open_sessions.fetch_add(1, std::memory_order_relaxed);
    if (server->tls) {
      auto s = std::make_unique<Session<TlsStream>>(TlsStream(std::move(socket), *server->tls),
                                                    *worker, *server);
      asio::co_spawn(worker->ctx, run_session(std::move(s), worker, server), log_exception);
    } else {
      auto s = std::make_unique<Session<Socket>>(std::move(socket), *worker, *server);
      asio::co_spawn(worker->ctx, run_session(std::move(s), worker, server), log_exception);
    }
  }
}

}  // namespace

ServerOptions ServerOptions::from(const ServerConfig& c, const ListenAddress& listen) {
  ServerOptions o;
  o.listen = listen;
  o.threads = c.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : c.threads;
  o.max_body_bytes = c.max_body_bytes;
  o.max_header_bytes = c.max_header_bytes;
  o.request_timeout = std::chrono::milliseconds(c.request_timeout_ms);
  o.keepalive_timeout = std::chrono::milliseconds(c.keepalive_timeout_ms);
  o.tls = c.tls;
  return o;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  for (auto& w : impl_->workers) {
    w->ctx.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

Result<std::unique_ptr<Server>> Server::create(ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const auto& opt = impl->options;
  if (opt.tls) {
    try {
      impl->tls.emplace(asio::ssl::context::tls_server);
      impl->tls->set_options(asio::ssl::context::default_workarounds |
                             asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      impl->tls->use_certificate_chain_file(opt.tls->cert_file);
      impl->tls->use_private_key_file(opt.tls->key_file, asio::ssl::context::pem);
    } catch (const std::exception& e) {
      return fail(ErrorKind::InvalidRequest, std::string("cannot load TLS certificate or key: ") +
                                                 e.what());
    }
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(opt.listen.host, ec);
  if (ec) {
    return fail(ErrorKind::InvalidRequest, "invalid listen address \"" + opt.listen.host + "\"");
  }
  uint16_t port = opt.listen.port;
  for (uint32_t i = 0; i < std::max(1u, opt.threads); ++i) {
    auto w = std::make_unique<Worker>();
    Acceptor& a = w->acceptor.emplace(w->ctx.get_executor());
    tcp::endpoint ep(address, port);
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      const int one = 1;
      if (::setsockopt(a.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        ec.assign(errno, boost::system::system_category());
      }
    }
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return fail(ErrorKind::InvalidRequest, "cannot listen on " + opt.listen.host + ":" +
                                                 std::to_string(port) + ": " + ec.message());
    }
    port = a.local_endpoint().port();
    impl->workers.push_back(std::move(w));
  }
  impl->port = port;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port; }
size_t Server::workers() const { return impl_->workers.size(); }
asio::io_context& Server::context(size_t worker) { return impl_->workers.at(worker)->ctx; }

void Server::start(const HandlerFactory& factory) {
  for (size_t i = 0; i < impl_->workers.size(); ++i) {
    Worker* w = impl_->workers[i].get();
    w->handler = factory(i);
    asio::co_spawn(w->ctx, accept_loop(w, impl_.get()), log_exception);
    w->thread = std::thread([w] {
      auto guard = asio::make_work_guard(w->ctx);
      for (;;) {
        try {
          w->ctx.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("worker loop: unexpected exception: {}", e.what());
        }
      }
    });
  }
}

size_t Server::drain(std::chrono::milliseconds deadline) {
  draining_.store(true, std::memory_order_relaxed);
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->ctx, [w] {
      w->draining = true;
      beast::error_code ec;
      if (w->acceptor) w->acceptor->close(ec);
      for (auto* s : w->sessions) s->close_if_idle();
    });
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (impl_->open_sessions.load(std::memory_order_relaxed) > 0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const size_t cut = impl_->open_sessions.load(std::memory_order_relaxed);
  for (auto& w : impl_->workers) {
    w->ctx.stop();
    if (w->thread.joinable()) w->thread.join();
  }
  return cut;
}

}  // namespace sy::http
