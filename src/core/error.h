// Error: the one failure type of the request path, carried in std::expected.
// It holds what the client needs to see (a status that tells it whether a retry can
// help, a machine-readable kind and a human message); codecs render it in their
// protocol's error shape. Plain value type, thread-compatible.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace sy {

enum class ErrorKind {
  InvalidRequest,      // 400: the client sent something we cannot accept
  Authentication,      // 401
  PermissionDenied,    // 403
  NotFound,            // 404: unknown model, route or path
  MethodNotAllowed,    // 405
  RequestTimeout,      // 408: the client was too slow sending its request
  PayloadTooLarge,     // 413
  HeadersTooLarge,     // 431
  RateLimited,         // 429
  Internal,            // 500
  UpstreamError,       // 502: every upstream attempt failed or answered garbage
  Unavailable,         // 503: overloaded or draining
  UpstreamTimeout,     // 504
};

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  int status = 500;
  std::string message;
  std::string param;  // the offending request field, when there is one
  std::string code;   // machine-readable code, e.g. "model_not_found"

  static Error make(ErrorKind kind, std::string message, std::string param = {},
                    std::string code = {});
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message, std::string param = {},
                                   std::string code = {}) {
  return std::unexpected(Error::make(kind, std::move(message), std::move(param), std::move(code)));
}

int status_for(ErrorKind kind);
// OpenAI-style error "type" string for a kind ("invalid_request_error", "api_error", ...).
const char* type_name(ErrorKind kind);
// Whether a client that got this error may succeed by retrying the same request.
bool retryable(ErrorKind kind);

}  // namespace sy
