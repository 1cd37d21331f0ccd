#include "governance/jwt.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sy::governance {
namespace {

using nlohmann::json;

Error reject(const char* code, std::string message) {
  return Error::make(ErrorKind::Authentication, "invalid bearer token: " + std::move(message), {},
                     code);
}

struct Parts {
  std::string_view header_b64, payload_b64, signature_b64;
  json header, payload;
};

Result<Parts> split(std::string_view token) {
  Parts p;
  const size_t a = token.find('.');
  const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return std::unexpected(reject("malformed_token", "expected three dot-separated parts"));
  }
  p.header_b64 = token.substr(0, a);
  p.payload_b64 = token.substr(a + 1, b - a - 1);
  p.signature_b64 = token.substr(b + 1);
  auto header = base64url_decode(p.header_b64);
  auto payload = base64url_decode(p.payload_b64);
  if (!header || !payload) return std::unexpected(reject("malformed_token", "invalid base64url"));
  p.header = json::parse(*header, nullptr, false);
  p.payload = json::parse(*payload, nullptr, false);
  if (!p.header.is_object() || !p.payload.is_object()) {
    return std::unexpected(reject("malformed_token", "header and payload must be JSON objects"));
  }
  return p;
}

std::string string_member(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// ES256 signatures in a JWS are r||s, 32 bytes each; OpenSSL wants DER.
std::string ecdsa_der(std::string_view raw) {
  if (raw.size() != 64) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || sig == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return {};
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool signature_ok(const Jwk& key, std::string_view signing_input, std::string_view signature) {
  std::string der;
  if (key.alg == JwsAlg::ES256) {
    der = ecdsa_der(signature);
    if (der.empty()) return false;
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.key.get()) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// The value at a dotted path ("realm_access.roles"); null when absent.
const json* at_path(const json& root, std::string_view path) {
  const json* node = &root;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

// The strings at `path`: one string, or the strings of an array (other items skipped).
std::vector<std::string> strings_at(const json& root, std::string_view path) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  const json* v = at_path(root, path);
  if (v == nullptr) return out;
  if (v->is_string()) out.push_back(v->get<std::string>());
  if (v->is_array()) {
    for (const json& item : *v) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

// A NumericDate claim (seconds, possibly fractional) as whole seconds.
std::optional<int64_t> numeric_date(const json& payload, const char* name, bool& malformed) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_number()) {
    malformed = true;
    return std::nullopt;
  }
  return static_cast<int64_t>(it->get<double>());
}

bool audience_ok(const json& payload, const std::vector<std::string>& accepted) {
  auto it = payload.find("aud");
  if (it == payload.end()) return false;
  auto accepted_one = [&](const json& v) {
    return v.is_string() &&
           std::find(accepted.begin(), accepted.end(), v.get<std::string>()) != accepted.end();
  };
  if (it->is_array()) return std::any_of(it->begin(), it->end(), accepted_one);
  return accepted_one(*it);
}

}  // namespace

bool looks_like_jwt(std::string_view token) {
  return token.starts_with("eyJ") && std::count(token.begin(), token.end(), '.') == 2;
}

Result<JwtPeek> peek_jwt(std::string_view token) {
  auto parts = split(token);
  if (!parts) return std::unexpected(parts.error());
  return JwtPeek{string_member(parts->header, "alg"), string_member(parts->header, "kid"),
                 string_member(parts->payload, "iss")};
}

Result<Principal> verify_jwt(std::string_view token, const JwtIssuerConfig& issuer,
                             const Jwks& keys, int64_t now_s) {
  auto parts = split(token);
  if (!parts) return std::unexpected(parts.error());
  const json& header = parts->header;
  const json& claims = parts->payload;

  // 1. The algorithm: only RS256 and ES256, and only with a key of the matching type.
  const std::string alg = string_member(header, "alg");
  JwsAlg want;
  if (alg == "RS256") {
    want = JwsAlg::RS256;
  } else if (alg == "ES256") {
    want = JwsAlg::ES256;
  } else {
    return std::unexpected(reject("unsupported_alg", "algorithm \"" + alg +
                                                         "\" is not accepted (RS256 or ES256)"));
  }
  if (header.contains("crit")) {
    return std::unexpected(reject("malformed_token", "critical header extensions are not supported"));
  }
  const std::string kid = string_member(header, "kid");
  const Jwk* key = keys.find(kid, want);
  if (key == nullptr) {
    return std::unexpected(reject("unknown_kid", "no " + alg + " key \"" + kid +
                                                     "\" in the issuer's key set"));
  }

  // 2. The signature, over the two encoded parts exactly as sent.
  auto signature = base64url_decode(parts->signature_b64);
  const std::string_view signing_input =
      token.substr(0, parts->header_b64.size() + 1 + parts->payload_b64.size());
  if (!signature || !signature_ok(*key, signing_input, *signature)) {
    return std::unexpected(reject("bad_signature", "signature verification failed"));
  }

  // 3. The registered claims.
  if (string_member(claims, "iss") != issuer.issuer) {
    return std::unexpected(reject("wrong_issuer", "unexpected issuer"));
  }
  if (!audience_ok(claims, issuer.audiences)) {
    return std::unexpected(reject("wrong_audience", "the token is not meant for this gateway"));
  }
  bool malformed = false;
  const auto exp = numeric_date(claims, "exp", malformed);
  const auto nbf = numeric_date(claims, "nbf", malformed);
  if (malformed) return std::unexpected(reject("malformed_token", "exp and nbf must be numbers"));
  if (!exp) return std::unexpected(reject("missing_claim", "the token has no exp"));
  const int64_t leeway = issuer.leeway_s;
  if (now_s >= *exp + leeway) return std::unexpected(reject("token_expired", "the token has expired"));
  if (nbf && now_s + leeway < *nbf) {
    return std::unexpected(reject("token_not_yet_valid", "the token is not valid yet"));
  }
  const std::string sub = string_member(claims, "sub");
  if (sub.empty()) return std::unexpected(reject("missing_claim", "the token has no sub"));

  // 4. Claims → principal.
  Principal p;
  p.kind = PrincipalKind::Jwt;
  p.id = issuer.issuer + "|" + sub;
  for (const std::string& t : strings_at(claims, issuer.team_claim)) {
    if (issuer.team_prefix.empty() || t.starts_with(issuer.team_prefix)) {
      p.team = t.substr(issuer.team_prefix.size());
      break;
    }
  }
  if (const auto projects = strings_at(claims, issuer.project_claim); !projects.empty()) {
    p.project = projects.front();
  }
  auto add_role = [&](std::string_view name) {
    Role r;
    if (parse_role(name, r) && !p.has_role(r)) p.roles.push_back(r);
  };
  for (const std::string& v : strings_at(claims, issuer.roles_claim)) {
    if (issuer.role_map.empty()) {
      add_role(v);
    } else if (auto it = issuer.role_map.find(v); it != issuer.role_map.end()) {
      add_role(it->second);
    }
  }
  if (p.roles.empty()) {
    for (const std::string& r : issuer.default_roles) add_role(r);
  }
  return p;
}

}  // namespace sy::governance
