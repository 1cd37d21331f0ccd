#include "governance/authenticator.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>

#include "governance/api_key.h"
#include "governance/jwt.h"
#include "store/store.h"

namespace sy::governance {

Authenticator::Authenticator(const AuthConfig& config, std::string store_url, JwksFetcher fetcher)
    : store_url_(std::move(store_url)),
      key_refresh_ms_(config.key_refresh_ms),
      fetcher_(std::move(fetcher)),
      required_(config.require),
      keys_(config.keys) {
  auto list = std::make_shared<IssuerList>();
  for (const JwtIssuerConfig& issuer : config.jwt) {
    list->push_back(std::make_shared<JwksSource>(issuer, fetcher_));
  }
  issuers_.store(std::move(list));
}

Authenticator::~Authenticator() { stop(); }

Result<void> Authenticator::start_source(JwksSource& source) {
  // A file is read at once, so the first request already sees its keys; a URL is fetched
  // by the source's thread. Not twice: a second fetch racing the first requests would be
  // wasted work (and could swap in a rotated key set before a caller saw the first).
  Result<void> fetched = fail(ErrorKind::Internal, "not fetched yet");
  if (source.issuer().jwks_url.empty()) fetched = source.fetch_now();
  source.start(/*fetch_at_once=*/!fetched);
  if (!source.issuer().jwks_url.empty()) return {};
  return fetched;
}

Result<void> Authenticator::start() {
  std::lock_guard lock(control_mutex_);
  Result<void> loaded;
  if (!store_url_.empty()) {
    auto db = store::open_store({.url = store_url_});
    loaded = db ? keys_.reload(**db) : std::unexpected(db.error());
    keys_.start_polling(store_url_, std::chrono::milliseconds(key_refresh_ms_));
  }
  for (const auto& source : *issuers_.load()) {
    if (auto r = start_source(*source); !r && loaded) loaded = std::unexpected(r.error());
  }
  started_ = true;
  return loaded;
}

Result<void> Authenticator::apply(const AuthConfig& config) {
  std::lock_guard lock(control_mutex_);
  Result<void> applied;
  const auto old = issuers_.load();
  auto list = std::make_shared<IssuerList>();
  for (const JwtIssuerConfig& issuer : config.jwt) {
    auto same = std::find_if(old->begin(), old->end(),
                             [&](const auto& s) { return s->issuer() == issuer; });
    if (same != old->end()) {
      // Same settings: the same source. A file is read again (cheap, and what an operator
      // who edited it and reloaded expects); a URL keeps its schedule.
      if (started_ && issuer.jwks_url.empty()) {
        if (auto r = (*same)->fetch_now(); !r && applied) applied = std::unexpected(r.error());
      }
      list->push_back(*same);
      continue;
    }
    auto source = std::make_shared<JwksSource>(issuer, fetcher_);
    if (started_) {
      if (auto r = start_source(*source); !r && applied) applied = std::unexpected(r.error());
    }
    list->push_back(std::move(source));
  }
  keys_.set_config_keys(config.keys);
  required_.store(config.require, std::memory_order_relaxed);
  issuers_.store(list);
  // Sources no longer configured stop fetching; a request still holding the old list
  // keeps them alive until it is done.
  for (const auto& source : *old) {
    if (std::find(list->begin(), list->end(), source) == list->end()) source->stop();
  }
  return applied;
}

void Authenticator::stop() {
  std::lock_guard lock(control_mutex_);
  keys_.stop();
  for (const auto& source : *issuers_.load()) source->stop();
}

Result<Principal> Authenticator::authenticate(std::string_view token, int64_t now_ms) const {
  if (token.empty()) {
    return fail(ErrorKind::Authentication, "missing bearer token", {}, "missing_api_key");
  }
  if (looks_like_jwt(token) && !issuers_.load()->empty()) return authenticate_jwt(token, now_ms);
  return keys_.authenticate(token, now_ms);
}

bool Authenticator::recognises(std::string_view token) const {
  if (token.starts_with(kKeyPrefix) || keys_.snapshot()->by_hash.contains(hash_key(token))) {
    return true;
  }
  if (!looks_like_jwt(token)) return false;
  auto peek = peek_jwt(token);
  if (!peek) return false;
  const auto issuers = issuers_.load();
  return std::any_of(issuers->begin(), issuers->end(),
                     [&](const auto& s) { return s->issuer().issuer == peek->issuer; });
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
  const auto issuers = issuers_.load();
  for (const auto& source : *issuers) {
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
