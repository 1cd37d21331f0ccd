// JWT bearer tokens from OIDC issuers (Entra ID, Okta, Keycloak, …): signature
// verification (RS256 and ES256 only — "none", HS* and everything else are refused, and
// a key only verifies the algorithm of its own type, so an RSA public key can never be
// used as an HMAC secret), the registered claims (iss, aud, exp, nbf with a leeway) and
// the mapping of claims to a Principal (team, project and roles from configured claim
// paths, e.g. "groups" or Keycloak's nested "realm_access.roles").
// Pure functions of their arguments (the clock is a parameter); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/error.h"
#include "governance/jwks.h"
#include "governance/principal.h"

namespace sy::governance {

// What can be read from a token before its signature is checked — only to pick the
// issuer and the key. Nothing here is trusted.
struct JwtPeek {
  std::string alg;
  std::string kid;
  std::string issuer;
};
// Fails unless `token` is three base64url parts whose first two are JSON objects.
Result<JwtPeek> peek_jwt(std::string_view token);

// Whether `token` looks like a JWT at all (three dot-separated parts, starts "eyJ"),
// so the authenticator can tell a JWT from a virtual key.
bool looks_like_jwt(std::string_view token);

// Verifies `token` against `issuer` and its `keys` at time `now_s` (Unix seconds) and
// maps its claims. Errors are 401s with a code naming the check that failed:
// malformed_token, unsupported_alg, unknown_kid, bad_signature, wrong_issuer,
// wrong_audience, token_expired, token_not_yet_valid, missing_claim.
Result<Principal> verify_jwt(std::string_view token, const JwtIssuerConfig& issuer,
                             const Jwks& keys, int64_t now_s);

}  // namespace sy::governance
