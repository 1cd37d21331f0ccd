// Authenticator: bearer token → Principal, for the request pipeline and the admin API.
// A token that looks like a JWT (three base64url parts) is checked against the
// configured OIDC issuers; anything else is looked up as a virtual API key. Both paths
// read only immutable in-memory snapshots (KeyRegistry, one JwksSource per issuer), so
// authenticate() never blocks and never touches the database or the network; a JWT with
// an unknown kid asks its issuer's source to refetch the key set in the background and
// is refused this time.
//
// Lifecycle: construct from the config, start() (initial key load from the store,
// JWKS fetches and the background threads), stop() at shutdown. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "governance/jwks_source.h"
#include "governance/key_registry.h"
#include "governance/principal.h"

namespace sy::governance {

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

  // The principal for a bearer token (the text after "Bearer "). Non-blocking.
  // 401 errors: invalid/revoked/expired key, or a JWT rejection (see jwt.h codes).
  Result<Principal> authenticate(std::string_view token, int64_t now_ms) const;
  // The same from an Authorization header value; a 401 when it is not "Bearer <token>".
  Result<Principal> authenticate_header(std::string_view authorization, int64_t now_ms) const;

  // auth.require: whether a request without credentials must be refused.
  bool required() const { return required_; }
  KeyRegistry& keys() { return keys_; }
  const std::vector<std::unique_ptr<JwksSource>>& issuers() const { return issuers_; }

 private:
  Result<Principal> authenticate_jwt(std::string_view token, int64_t now_ms) const;

  std::string store_url_;
  uint32_t key_refresh_ms_;
  bool required_;
  KeyRegistry keys_;
  std::vector<std::unique_ptr<JwksSource>> issuers_;
};

}  // namespace sy::governance
