// Server: the gateway's HTTP/1.1 listener. One io_context and one thread per worker;
// each worker has its own SO_REUSEPORT listener on the same address and its own
// Handler, so a connection never leaves its thread. Optional TLS. Enforces the body
// and header limits and the request/keep-alive deadlines, answering protocol errors
// with OpenAI-shaped 4xx responses. drain() stops accepting, lets in-flight exchanges
// finish, closes idle connections and then stops. Public methods are called from the
// controlling thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "core/url.h"
#include "http/exchange.h"

namespace sy::http {

struct ServerOptions {
  ListenAddress listen;
  uint32_t threads = 1;
  uint64_t max_body_bytes = 10ull << 20;
  uint32_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds keepalive_timeout{75'000};
  std::optional<TlsListenerConfig> tls;
  // Renders the body of the errors the server answers itself (malformed HTTP, limits,
  // timeouts) in the clients' protocol; content type application/json.
  std::function<std::string(const Error&)> render_error;
  // Makes the x-request-id of those errors (the handler sets its own otherwise).
  std::function<std::string()> make_request_id;

  static ServerOptions from(const ServerConfig& c, const ListenAddress& listen);
};

using HandlerFactory = std::function<std::unique_ptr<Handler>(size_t worker)>;

class Server {
 public:
  // Binds every worker's listener (port 0 picks one port shared by all workers).
  static Result<std::unique_ptr<Server>> create(ServerOptions options);
  ~Server();

  uint16_t port() const;
  size_t workers() const;
  boost::asio::io_context& context(size_t worker);

  // Starts the worker threads; `factory` is called once per worker, on that worker.
  void start(const HandlerFactory& factory);
  // Stops accepting and waits for open exchanges to finish (at most `deadline`),
  // then stops the workers. Returns the number of connections cut at the deadline.
  size_t drain(std::chrono::milliseconds deadline);
  bool draining() const { return draining_.load(std::memory_order_relaxed); }

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> draining_{false};
};

}  // namespace sy::http
