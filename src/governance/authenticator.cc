#include "governance/authenticator.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include "governance/jwt.h"
#include "store/store.h"

namespace sy::governance {

Authenticator::Authenticator(const AuthConfig& config, std::string store_url, JwksFetcher fetcher)
    : store_url_(std::move(store_url)),
      key_refresh_ms_(config.key_refresh_ms),
      required_(config.require),
      keys_(config.keys) {
  for (const JwtIssuerConfig& issuer : config.jwt) {
    issuers_.push_back(std::make_unique<JwksSource>(issuer, fetcher));
  }
}

Authenticator::~Authenticator() { stop(); }

Result<void> Authenticator::start() {
  Result<void> loaded;
  if (!store_url_.empty()) {
    auto db = store::open_store({.url = store_url_});
    loaded = db ? keys_.reload(**db) : std::unexpected(db.error());
    keys_.start_polling(store_url_, std::chrono::milliseconds(key_refresh_ms_));
  }
  for (auto& source : issuers_) {
    // A file is read at once, so the first request already sees its keys; a URL is
    // fetched by the source's thread.
    bool fetched = false;
    if (source->issuer().jwks_url.empty()) {
      auto r = source->fetch_now();
      fetched = r.has_value();
      if (!r && loaded) loaded = std::unexpected(r.error());
    }
    // Not twice at start-up: a second fetch racing the first requests would be wasted work
    // (and could swap in a rotated key set before a caller saw the first).
    source->start(/*fetch_at_once=*/!fetched);
  }
  return loaded;
}

void Authenticator::stop() {
  keys_.stop();
  for (auto& source : issuers_) source->stop();
}

Result<Principal> Authenticator::authenticate(std::string_view token, int64_t now_ms) const {
  if (token.empty()) {
    return fail(ErrorKind::Authentication, "missing bearer token", {}, "missing_api_key");
  }
  if (looks_like_jwt(token) && !issuers_.empty()) return authenticate_jwt(token, now_ms);
  return keys_.authenticate(token, now_ms);
}

Result<Principal> Authenticator::authenticate_header(std::string_view authorization,
                                                     int64_t now_ms) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() < kBearer.size() ||
      strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) != 0) {
    return fail(ErrorKind::Authentication, "expected Authorization: Bearer <key or token>", {},
                "missing_api_key");
  }
  return authenticate(authorization.substr(kBearer.size()), now_ms);
}

Result<Principal> Authenticator::authenticate_jwt(std::string_view token, int64_t now_ms) const {
  auto peek = peek_jwt(token);
  if (!peek) return std::unexpected(peek.error());
  for (const auto& source : issuers_) {
    if (source->issuer().issuer != peek->issuer) continue;
    const auto jwks = source->current();
    auto principal = verify_jwt(token, source->issuer(), *jwks, now_ms / 1000);
    if (!principal && principal.error().code == "unknown_kid" && !peek->kid.empty() &&
        !jwks->has_kid(peek->kid)) {
      source->request_refresh();  // keys rotated? fetch again, rate-limited
    }
    if (principal) keys_.apply_team(*principal);
    return principal;
  }
  return fail(ErrorKind::Authentication, "invalid bearer token: unknown issuer", {},
              "wrong_issuer");
}

}  // namespace sy::governance
