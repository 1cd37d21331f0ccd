#include "core/url.h"

#include <boost/url/parse.hpp>
#include <charconv>

namespace sy {

std::string Endpoint::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if ((tls && port != 443) || (!tls && port != 80)) h += ":" + std::to_string(port);
  return h;
}

Result<Endpoint> parse_endpoint(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return fail(ErrorKind::InvalidRequest, "expected an absolute http(s) URL, got \"" +
                                               std::string(url) + "\"");
  }
  Endpoint ep;
  const auto scheme = parsed->scheme();
  if (scheme == "https") {
    ep.tls = true;
  } else if (scheme != "http") {
    return fail(ErrorKind::InvalidRequest,
                "unsupported URL scheme \"" + std::string(scheme) + "\" (expected http or https)");
  }
  if (parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment()) {
    return fail(ErrorKind::InvalidRequest,
                "base URL must not carry user info, a query or a fragment: \"" + std::string(url) +
                    "\"");
  }
  ep.host = parsed->encoded_host_address();
  if (!ep.host.empty() && ep.host.front() == '[') ep.host = ep.host.substr(1, ep.host.size() - 2);
  if (ep.host.empty()) return fail(ErrorKind::InvalidRequest, "URL has no host: " + std::string(url));
  if (parsed->has_port()) {
    if (parsed->port_number() == 0) {
      return fail(ErrorKind::InvalidRequest, "invalid port in URL \"" + std::string(url) + "\"");
    }
    ep.port = parsed->port_number();
  } else {
    ep.port = ep.tls ? 443 : 80;
  }
  ep.path_prefix = parsed->encoded_path();
  // Boost.URL 1.81 lets junk after the port ("http://a:80x/v1") through as a path.
  if (!ep.path_prefix.empty() && ep.path_prefix.front() != '/') {
    return fail(ErrorKind::InvalidRequest, "malformed URL (port or path): " + std::string(url));
  }
  while (!ep.path_prefix.empty() && ep.path_prefix.back() == '/') ep.path_prefix.pop_back();
  return ep;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(ErrorKind::InvalidRequest,
                "expected HOST:PORT, got \"" + std::string(text) + "\"");
  }
  ListenAddress a;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host.find_first_of("[]") != std::string_view::npos) {
    return fail(ErrorKind::InvalidRequest, "expected HOST:PORT, got \"" + std::string(text) + "\"");
  }
  a.host = std::string(host);
  const auto port = text.substr(colon + 1);
  unsigned v = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc() || end != port.data() + port.size() || v > 65535) {
    return fail(ErrorKind::InvalidRequest, "invalid port in \"" + std::string(text) + "\"");
  }
  a.port = static_cast<uint16_t>(v);
  return a;
}

Result<RequestTarget> parse_request_target(std::string_view target) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return fail(ErrorKind::InvalidRequest, "malformed request target: " + std::string(target));
  RequestTarget t;
  t.path = u->path();
  for (auto p : u->params()) {
    if (!t.params.emplace(p.key, p.value).second) {
      return fail(ErrorKind::InvalidRequest, "query parameter \"" + p.key + "\" given twice",
                  p.key);
    }
  }
  return t;
}

}  // namespace sy
