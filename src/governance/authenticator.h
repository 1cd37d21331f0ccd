// Authenticator: bearer token → Principal, for the request pipeline and the admin API.
// A token that looks like a JWT (three base64url parts) is checked against the
// configured OIDC issuers; anything else is looked up as a virtual API key. Both paths
// read only immutable in-memory snapshots (KeyRegistry, one JwksSource per issuer), so
// authenticate() never blocks and never touches the database or the network; a JWT with
// an unknown kid asks its issuer's source to refetch the key set in the background and
// is refused this time.
//
// Lifecycle: construct from the config, start() (initial key load from the store,
// JWKS fetches and the background threads), apply() on each config reload, stop() at
// shutdown. authenticate() is thread-safe and lock-free; start(), apply() and stop() are
// serialised by a mutex (the controlling thread calls them).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "governance/jwks_source.h"
#include "governance/key_registry.h"
#include "governance/principal.h"

namespace sy::governance {

// The JWT issuers in force: an immutable list, replaced whole by a reload.
using IssuerList = std::vector<std::shared_ptr<JwksSource>>;

class Authenticator {
 public:
  // `store_url` is where the virtual keys live ("" for config keys only).
  // `fetcher` reads JWKS documents (tests inject one).
  Authenticator(const AuthConfig& config, std::string store_url,
                JwksFetcher fetcher = fetch_jwks);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Loads the keys from the store (blocking; a failure is returned, the poller retries)
  // and starts the key poller and the JWKS refreshers.
  Result<void> start();
  void stop();
  // A config reload: the config's keys, auth.require and the JWT issuers apply to the
  // next request. An issuer whose settings are unchanged keeps its source (its jwks_file
  // is read again; a jwks_url keeps its key set and schedule); a new or changed one starts
  // as at start-up (jwks_file read now, jwks_url fetched in the background) and one no
  // longer configured is stopped. The store URL and
  // key_refresh_ms stay as they were at start-up. A JWKS file that cannot be read is
  // returned as an error, but the rest is applied (its source retries on its interval).
  Result<void> apply(const AuthConfig& config);

  // The principal for a bearer token (the text after "Bearer "). Non-blocking.
  // 401 errors: invalid/revoked/expired key, or a JWT rejection (see jwt.h codes).
  Result<Principal> authenticate(std::string_view token, int64_t now_ms) const;
  // The same from an Authorization header value; a 401 when it is not "Bearer <token>".
  Result<Principal> authenticate_header(std::string_view authorization, int64_t now_ms) const;

  // Whether `token` is recognisably a credential of this gateway: a virtual key it knows
  // (even revoked or expired), anything with the virtual-key prefix "sk-sy-", or a JWT
  // whose `iss` is a configured issuer. Such a token that fails authenticate() is refused
  // even with auth.require off; a foreign one (a provider key an SDK sends by habit) is
  // not. Non-blocking.
  bool recognises(std::string_view token) const;

  // auth.require: whether a request without credentials must be refused.
  bool required() const { return required_.load(std::memory_order_relaxed); }
  KeyRegistry& keys() { return keys_; }
  std::shared_ptr<const IssuerList> issuers() const { return issuers_.load(); }

 private:
  Result<Principal> authenticate_jwt(std::string_view token, int64_t now_ms) const;
  // Starts a source's thread; reads a jwks_file first, so the next request sees its keys.
  static Result<void> start_source(JwksSource& source);

  std::string store_url_;
  uint32_t key_refresh_ms_;
  JwksFetcher fetcher_;
  std::atomic<bool> required_;
  KeyRegistry keys_;
  std::atomic<std::shared_ptr<const IssuerList>> issuers_;

  std::mutex control_mutex_;  // start(), apply(), stop()
  bool started_ = false;
};

}  // namespace sy::governance
