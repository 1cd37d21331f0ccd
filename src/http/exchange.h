// Exchange: one HTTP request and its response on a client connection, as the gateway
// sees it — without Beast types. The server implements it; a Handler receives it. A
// response is either sent whole (respond) or streamed (begin_stream, write_chunk...,
// end_stream). Every write returns false when the client has gone away.
// Not thread-safe: an exchange lives on its connection's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/task.h"

namespace sy::http {

struct HeaderField {
  std::string name;
  std::string value;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<HeaderField> headers;
  std::string body;
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual std::string_view method() const = 0;
  virtual std::string_view target() const = 0;
  // A request header by case-insensitive name; "" when absent.
  virtual std::string_view header(std::string_view name) const = 0;
  // Moves the request body out (callable once).
  virtual std::string take_body() = 0;

  virtual Task<bool> respond(Response response) = 0;
  virtual Task<bool> begin_stream(unsigned status, std::string content_type,
                                  std::vector<HeaderField> headers) = 0;
  virtual Task<bool> write_chunk(std::string_view data) = 0;
  virtual Task<bool> end_stream() = 0;
  // Whether a response has started (then the status can no longer change).
  virtual bool responded() const = 0;

  // `callback` runs once, on this thread, if the client disconnects while the exchange
  // is still being handled. Used to cancel upstream calls nobody will read.
  virtual void on_client_gone(std::function<void()> callback) = 0;
  virtual bool client_gone() const = 0;
};

// Answers exchanges. The server creates one Handler per worker thread, so a handler's
// state is thread-confined and needs no locks.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual Task<void> handle(Exchange& exchange) = 0;
};

}  // namespace sy::http
