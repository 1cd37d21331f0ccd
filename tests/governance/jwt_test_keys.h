// Test issuers for the JWT tests: RSA-2048 and EC P-256 key pairs made with OpenSSL at
// run time, their public keys as JWKS entries, and tokens signed with them (RS256, ES256
// as raw r||s, HS256 with any secret, or unsigned). Single-threaded test code.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

struct evp_pkey_st;

namespace sy::governance::testing {

class TestKey {
 public:
  static TestKey rsa(std::string kid);
  static TestKey ec(std::string kid);

  const std::string& kid() const { return kid_; }
  // This key's public half as one JWK object.
  nlohmann::json jwk() const;
  // The public key as PEM (for the HS256 key-confusion attack).
  std::string public_pem() const;
  // header.payload.signature with {"alg": RS256|ES256, "kid": kid} (extra header fields
  // merged in) over `payload`.
  std::string sign(const nlohmann::json& payload, const nlohmann::json& extra_header = {}) const;

 private:
  std::string kid_;
  bool rsa_ = true;
  std::shared_ptr<evp_pkey_st> key_;
};

// {"keys": [a, b, …]}
std::string jwks_of(std::initializer_list<const TestKey*> keys);
// A token with the given header, HMAC-SHA256-signed with `secret`.
std::string hs256_token(const nlohmann::json& header, const nlohmann::json& payload,
                        const std::string& secret);
// header.payload. (empty signature), e.g. {"alg":"none"}.
std::string unsigned_token(const nlohmann::json& header, const nlohmann::json& payload);

}  // namespace sy::governance::testing
