// One accepted HTTP/1.1 connection of switchyard-sim. Reads requests (answering
// `Expect: 100-continue`), writes whole or chunked responses one write per call, and, while a
// response is being produced, watches the socket so that a client going away is noticed even
// during a wait. Owns its socket. Not thread-safe: one connection coroutine uses it on the
// io_context thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "chat_request.h"

namespace sy::sim {

namespace net = boost::asio;
namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using StreamHead = http::response<http::empty_body>;

class Session {
 public:
  explicit Session(net::ip::tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The next request. On failure the error holds the answer owed to the client (an unreadable
  // or oversized request) or nothing (the client closed, went idle too long, or the socket
  // failed); either way the connection is finished.
  net::awaitable<std::expected<HttpRequest, std::optional<ApiError>>> read_request();

  // Each write returns false when the client is gone (then client_gone() is true).
  net::awaitable<bool> write(HttpResponse response);
  net::awaitable<bool> write_stream_head(StreamHead head);
  net::awaitable<bool> write_chunk(std::string data);
  net::awaitable<bool> write_last_chunk();

  // Watching runs between start_watching() and stop_watching(): a read that completes with EOF
  // or an error marks the client as gone and ends any wait. Bytes that arrive meanwhile (a
  // pipelined request) are kept for the next read_request().
  void start_watching();
  net::awaitable<void> stop_watching();
  bool client_gone() const;

  // Wait without blocking the thread; false (early) when the client goes away.
  net::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);
  net::awaitable<bool> wait_for(std::chrono::steady_clock::duration duration);

  // Abortive close: RST, no response (SO_LINGER 0).
  void abort();
  // Orderly close: FIN, possibly in the middle of a response.
  void close();

 private:
  struct Watch;

  // Records a failed write as the client having gone; returns whether the write succeeded.
  bool note_write(boost::system::error_code ec);

  boost::beast::flat_buffer buffer_;  // declared before stream_: outlives pending reads
  boost::beast::tcp_stream stream_;
  std::shared_ptr<Watch> watch_;  // shared with the pending watch read's handler
};

}  // namespace sy::sim
