// Jwks: the public keys of an OIDC issuer, parsed from a JSON Web Key Set document
// (RFC 7517) into OpenSSL keys. Only signature keys the verifier accepts are kept: RSA
// (2048 bits or more, for RS256) and EC P-256 (for ES256); others are skipped and named
// in skipped(). Immutable after parse(); safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace sy::governance {

enum class JwsAlg { RS256, ES256 };
const char* alg_name(JwsAlg a);

struct Jwk {
  std::string kid;  // may be empty
  JwsAlg alg = JwsAlg::RS256;  // the one algorithm this key verifies (from kty/crv)
  std::shared_ptr<evp_pkey_st> key;
};

class Jwks {
 public:
  // Fails when the document is not a JWKS ({"keys":[…]}); keys it cannot use are skipped.
  static Result<Jwks> parse(std::string_view json);

  // The key for (kid, alg): by kid when the token names one; without a kid, the only key
  // of that algorithm. nullptr when there is none.
  const Jwk* find(std::string_view kid, JwsAlg alg) const;
  bool has_kid(std::string_view kid) const;
  const std::vector<Jwk>& keys() const { return keys_; }
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::vector<Jwk> keys_;
  std::vector<std::string> skipped_;  // "kid: why"
};

// base64url without padding (RFC 7515 §2) to bytes; nullopt-like failure as an error.
Result<std::string> base64url_decode(std::string_view in);
std::string base64url_encode(std::string_view bytes);

}  // namespace sy::governance
