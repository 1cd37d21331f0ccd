#include <charconv>
#include <string>

#include "store/redis_connection.h"

namespace sy::store {
namespace {

template <class T>
bool parse_uint(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

Result<RedisEndpoint> bad(std::string_view url, const char* why) {
  return fail(ErrorKind::InvalidRequest, "invalid Redis URL \"" + std::string(url) + "\": " + why);
}

}  // namespace

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  RedisEndpoint e;
  if (url.starts_with("unix:")) {
    std::string_view rest = url.substr(5);
    if (rest.starts_with("//")) rest.remove_prefix(2);
    if (const size_t q = rest.find('?'); q != std::string_view::npos) {
      const std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (!query.starts_with("db=") || !parse_uint(query.substr(3), e.db)) {
        return bad(url, "the only query parameter is db=N");
      }
    }
    if (rest.empty() || rest.front() != '/') return bad(url, "expected an absolute socket path");
    e.unix_path = std::string(rest);
    return e;
  }
  if (!url.starts_with("redis://")) return bad(url, "expected redis:// or unix:");
  std::string_view rest = url.substr(8);
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_uint(db, e.db)) return bad(url, "the database must be a number");
    rest = rest.substr(0, slash);
  }
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    if (const size_t colon = auth.find(':'); colon != std::string_view::npos) {
      auth = auth.substr(colon + 1);  // a user name before ':' is ignored (no ACL users)
    }
    e.password = std::string(auth);
    rest = rest.substr(at + 1);
  }
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!parse_uint(rest.substr(colon + 1), e.port) || e.port == 0) return bad(url, "bad port");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad(url, "missing host");
  e.host = std::string(rest);
  return e;
}

}  // namespace sy::store
