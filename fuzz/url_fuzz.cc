// Fuzzes the URL parsers of core/url.h on the same bytes: parse_endpoint (provider base
// URLs in the config), parse_listen_address (server.listen) and parse_request_target
// (every request's target). An endpoint or listen address rebuilt from its parts must
// parse to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/url.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto ep = sy::parse_endpoint(text)) {
    FUZZ_CHECK(!ep->host.empty() && ep->port != 0);
    FUZZ_CHECK(ep->path_prefix.empty() || ep->path_prefix.back() != '/');
    const std::string url =
        std::string(ep->tls ? "https://" : "http://") + ep->host_header() + ep->path_prefix;
    auto again = sy::parse_endpoint(url);
    FUZZ_CHECK(again && again->tls == ep->tls && again->host == ep->host &&
               again->port == ep->port && again->path_prefix == ep->path_prefix);
  }

  if (auto la = sy::parse_listen_address(text); la && !la->host.empty()) {
    const bool v6 = la->host.find(':') != std::string::npos;
    const std::string rebuilt =
        (v6 ? "[" + la->host + "]" : la->host) + ":" + std::to_string(la->port);
    auto again = sy::parse_listen_address(rebuilt);
    FUZZ_CHECK(again && again->host == la->host && again->port == la->port);
  }

  if (auto target = sy::parse_request_target(text)) {
    FUZZ_CHECK(!target->path.empty() && target->path.front() == '/');
  } else {
    FUZZ_CHECK(!target.error().message.empty());
  }
  return 0;
}
