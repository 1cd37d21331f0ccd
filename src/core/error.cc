#include "core/error.h"

namespace sy {

Error Error::make(ErrorKind kind, std::string message, std::string param, std::string code) {
  return Error{kind, status_for(kind), std::move(message), std::move(param), std::move(code)};
}

int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest: return 400;
    case ErrorKind::Authentication: return 401;
    case ErrorKind::PermissionDenied: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::MethodNotAllowed: return 405;
    case ErrorKind::RequestTimeout: return 408;
    case ErrorKind::PayloadTooLarge: return 413;
    case ErrorKind::HeadersTooLarge: return 431;
    case ErrorKind::RateLimited: return 429;
    case ErrorKind::Internal: return 500;
    case ErrorKind::UpstreamError: return 502;
    case ErrorKind::Unavailable: return 503;
    case ErrorKind::UpstreamTimeout: return 504;
  }
  return 500;
}

const char* type_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::NotFound:
    case ErrorKind::MethodNotAllowed:
    case ErrorKind::RequestTimeout:
    case ErrorKind::PayloadTooLarge:
    case ErrorKind::HeadersTooLarge: return "invalid_request_error";
    case ErrorKind::Authentication: return "authentication_error";
    case ErrorKind::PermissionDenied: return "permission_error";
    case ErrorKind::RateLimited: return "rate_limit_error";
    case ErrorKind::Unavailable: return "overloaded_error";
    case ErrorKind::UpstreamTimeout: return "timeout_error";
    case ErrorKind::UpstreamError:
    case ErrorKind::Internal: return "api_error";
  }
  return "api_error";
}

bool retryable(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::RequestTimeout:
    case ErrorKind::RateLimited:
    case ErrorKind::Internal:
    case ErrorKind::UpstreamError:
    case ErrorKind::Unavailable:
    case ErrorKind::UpstreamTimeout: return true;
    default: return false;
  }
}

}  // namespace sy
