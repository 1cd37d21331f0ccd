// Endpoint: an upstream base URL split into what a connection needs (scheme, host,
// port) and the path prefix requests are appended to. Parsed with Boost.URL.
// Plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sy {

struct Endpoint {
  bool tls = false;
  std::string host;         // without brackets for IPv6
  uint16_t port = 0;
  std::string path_prefix;  // no trailing slash; "" for the root

  // "host:port" as sent in the Host header (IPv6 bracketed, default port omitted).
  std::string host_header() const;
};

Result<Endpoint> parse_endpoint(std::string_view url);

// "HOST:PORT" for a listener; HOST may be a bracketed IPv6 literal.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
Result<ListenAddress> parse_listen_address(std::string_view text);

// A request target ("/path?a=1&b=x%20y") split into its decoded path and query
// parameters. A repeated parameter is an error (the caller cannot tell which was meant).
struct RequestTarget {
  std::string path;
  std::map<std::string, std::string> params;
};
Result<RequestTarget> parse_request_target(std::string_view target);

}  // namespace sy
