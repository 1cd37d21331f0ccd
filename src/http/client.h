// Upstream HTTP/1.1 client with per-worker keep-alive connection pools.
//
// UpstreamPool belongs to one worker thread (never shared, no locks): it keeps idle
// connections per (scheme, host, port, TLS settings), resolves and connects new ones,
// and verifies TLS peers against the system trust store (plus an optional CA file).
// UpstreamCall is one request/response on a pooled connection, with the four deadlines
// (connect, first byte, idle between body reads, total). A call whose response was
// read completely on a keep-alive connection hands the connection back to the pool;
// anything else closes it. cancel() aborts a call from the same thread (used when the
// client goes away).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/url.h"
#include "http/exchange.h"
#include "http/task.h"

namespace sy::http {

struct Deadlines {
  std::chrono::milliseconds connect{5'000};
  std::chrono::milliseconds first_byte{60'000};
  std::chrono::milliseconds idle{30'000};
  std::chrono::milliseconds total{600'000};
};

struct UpstreamTarget {
  const Endpoint* endpoint = nullptr;  // must outlive the call
  bool verify_tls = true;
  std::string ca_file;
  uint32_t max_idle = 64;
};

struct OutgoingRequest {
  bool get = false;    // GET without a body instead of POST (e.g. fetching a JWKS)
  std::string method;  // another method ("PUT", "DELETE"), when set; a body is sent if given
  std::string target;  // origin-form: path and query
  std::vector<HeaderField> headers;
  std::string body;
  std::string content_type = "application/json";
  // Response header fields to copy into ResponseHead::headers (lower case; usually none).
  std::vector<std::string> read_headers;
};

enum class TransportFailure { Connect, Timeout, Closed, Protocol, TooLarge, Cancelled };

struct TransportError {
  TransportFailure kind = TransportFailure::Protocol;
  std::string message;
  bool before_response = true;  // nothing of the response had been received
};

const char* failure_name(TransportFailure f);

struct ResponseHead {
  unsigned status = 0;
  std::string content_type;
  std::optional<uint32_t> retry_after_seconds;
  std::vector<HeaderField> headers;  // those OutgoingRequest::read_headers named, if present
};

template <class T>
using Transport = std::expected<T, TransportError>;

class UpstreamPool {
 public:
  explicit UpstreamPool(boost::asio::io_context& ctx);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  size_t idle_connections() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class UpstreamCall {
 public:
  UpstreamCall(UpstreamPool& pool, UpstreamTarget target, Deadlines deadlines);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Connects (or reuses a pooled connection), sends the request and reads the
  // response head. A reused connection that turns out dead is replaced once.
  Task<Transport<ResponseHead>> send(OutgoingRequest request);
  // Reads the rest of the body, up to `max_bytes`.
  Task<Transport<std::string>> read_body(size_t max_bytes);
  // The next piece of the body; an empty view at its end. Valid until the next call.
  Task<Transport<std::string_view>> read_some();
  // Aborts the call; pending and later operations fail with Cancelled.
  void cancel();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sy::http
