#include "session.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

namespace sy::sim {
namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);  // between requests
constexpr auto kWriteTimeout = std::chrono::seconds(30);  // a client that stopped reading
constexpr uint64_t kMaxBodyBytes = 32 * 1024 * 1024;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// The answer owed for a request that could not be read, if the client can still receive one.
std::optional<ApiError> read_failure(boost::system::error_code ec) {
  if (ec == http::error::body_limit) {
    return ApiError{.status = 413, .message = "Request body too large."};
  }
  if (ec.category() == make_error_code(http::error::bad_target).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return ApiError{.status = 400, .message = "Malformed HTTP request: " + ec.message()};
  }
  return std::nullopt;
}

}  // namespace

// State of the watch read. Shared with the read's completion handler, which may run after the
// Session is gone (the destructor closes the socket and the read completes as aborted).
struct Session::Watch {
  explicit Watch(const net::any_io_executor& executor) : wake(executor), done(executor) {}

  std::array<char, 4096> bytes{};
  size_t received = 0;
  bool reading = false;
  bool client_gone = false;
  net::steady_timer wake;  // waits sleep on it; cancelled when the client goes away
  net::steady_timer done;  // cancelled when the watch read completes
};

Session::Session(net::ip::tcp::socket socket)
    : stream_(std::move(socket)), watch_(std::make_shared<Watch>(stream_.get_executor())) {}

Session::~Session() {
  boost::system::error_code ec;
  stream_.socket().close(ec);
}

net::awaitable<std::expected<HttpRequest, std::optional<ApiError>>> Session::read_request() {
  http::request_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  stream_.expires_after(kIdleTimeout);
  auto [ec, _] = co_await http::async_read_header(stream_, buffer_, parser, kTuple);
  if (ec) co_return std::unexpected(read_failure(ec));
  if (boost::beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    http::response<http::empty_body> proceed{http::status::continue_, parser.get().version()};
    auto [write_ec, _] = co_await http::async_write(stream_, proceed, kTuple);
    if (write_ec) co_return std::unexpected(std::nullopt);
  }
  std::tie(ec, std::ignore) = co_await http::async_read(stream_, buffer_, parser, kTuple);
  if (ec) co_return std::unexpected(read_failure(ec));
  stream_.expires_never();
  co_return parser.release();
}

bool Session::note_write(boost::system::error_code ec) {
  if (ec) watch_->client_gone = true;
  return !ec;
}

net::awaitable<bool> Session::write(HttpResponse response) {
  response.prepare_payload();
  stream_.expires_after(kWriteTimeout);
  auto [ec, _] = co_await http::async_write(stream_, response, kTuple);
  co_return note_write(ec);
}

net::awaitable<bool> Session::write_stream_head(StreamHead head) {
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  stream_.expires_after(kWriteTimeout);
  auto [ec, _] = co_await http::async_write_header(stream_, serializer, kTuple);
  co_return note_write(ec);
}

net::awaitable<bool> Session::write_chunk(std::string data) {
  stream_.expires_after(kWriteTimeout);
  auto [ec, _] = co_await net::async_write(stream_, http::make_chunk(net::buffer(data)), kTuple);
  co_return note_write(ec);
}

net::awaitable<bool> Session::write_last_chunk() {
  stream_.expires_after(kWriteTimeout);
  auto [ec, _] = co_await net::async_write(stream_, http::make_chunk_last(), kTuple);
  co_return note_write(ec);
}

void Session::start_watching() {
  if (watch_->reading || watch_->client_gone) return;
  watch_->reading = true;
  watch_->done.expires_at(std::chrono::steady_clock::time_point::max());
  stream_.socket().async_read_some(net::buffer(watch_->bytes),
                                   [watch = watch_](boost::system::error_code ec, size_t n) {
                                     watch->reading = false;
                                     watch->received = n;
                                     if (ec && ec != net::error::operation_aborted) {
                                       watch->client_gone = true;
                                       watch->wake.cancel();
                                     }
                                     watch->done.cancel();
                                   });
}

net::awaitable<void> Session::stop_watching() {
  if (watch_->reading) {
    boost::system::error_code ec;
    stream_.socket().cancel(ec);
    co_await watch_->done.async_wait(kTuple);
  }
  if (watch_->received > 0) {
    const size_t n = watch_->received;
    net::buffer_copy(buffer_.prepare(n), net::buffer(watch_->bytes, n));
    buffer_.commit(n);
    watch_->received = 0;
  }
}

bool Session::client_gone() const { return watch_->client_gone; }

net::awaitable<bool> Session::wait_until(std::chrono::steady_clock::time_point deadline) {
  if (watch_->client_gone) co_return false;
  watch_->wake.expires_at(deadline);
  co_await watch_->wake.async_wait(kTuple);
  co_return !watch_->client_gone;
}

net::awaitable<bool> Session::wait_for(std::chrono::steady_clock::duration duration) {
  co_return co_await wait_until(std::chrono::steady_clock::now() + duration);
}

void Session::abort() {
  boost::system::error_code ec;
  stream_.socket().set_option(net::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
}

void Session::close() {
  boost::system::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace sy::sim
