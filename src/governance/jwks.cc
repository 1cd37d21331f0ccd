#include "governance/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

namespace sy::governance {
namespace {

using nlohmann::json;

struct Free {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

std::shared_ptr<EVP_PKEY> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

Owned<BIGNUM> bignum(const std::string& bytes) {
  return Owned<BIGNUM>(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                 static_cast<int>(bytes.size()), nullptr));
}

Result<std::string> member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return fail(ErrorKind::InvalidRequest, std::string("missing \"") + name + "\"");
  }
  return base64url_decode(it->get<std::string>());
}

Result<std::shared_ptr<EVP_PKEY>> rsa_key(const json& jwk) {
  auto n = member(jwk, "n");
  auto e = member(jwk, "e");
  if (!n || !e) return std::unexpected((!n ? n : e).error());
  auto bn_n = bignum(*n), bn_e = bignum(*e);
  if (!bn_n || !bn_e) return fail(ErrorKind::Internal, "out of memory");
  if (BN_num_bits(bn_n.get()) < 2048) return fail(ErrorKind::InvalidRequest, "RSA key under 2048 bits");
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) <= 0 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) <= 0) {
    return fail(ErrorKind::Internal, "cannot build RSA parameters");
  }
  auto key = from_params("RSA", bld.get());
  if (!key) return fail(ErrorKind::InvalidRequest, "not a valid RSA public key");
  return key;
}

Result<std::shared_ptr<EVP_PKEY>> ec_key(const json& jwk) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || *crv != "P-256") {
    return fail(ErrorKind::InvalidRequest, "only EC curve P-256 is supported");
  }
  auto x = member(jwk, "x");
  auto y = member(jwk, "y");
  if (!x || !y) return std::unexpected((!x ? x : y).error());
  if (x->size() != 32 || y->size() != 32) {
    return fail(ErrorKind::InvalidRequest, "P-256 coordinates must be 32 bytes");
  }
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) <=
          0 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) <= 0) {
    return fail(ErrorKind::Internal, "cannot build EC parameters");
  }
  auto key = from_params("EC", bld.get());
  if (!key) return fail(ErrorKind::InvalidRequest, "not a point on P-256");
  return key;
}

}  // namespace

const char* alg_name(JwsAlg a) { return a == JwsAlg::RS256 ? "RS256" : "ES256"; }

Result<std::string> base64url_decode(std::string_view in) {
  std::string out(in.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != in.data() + in.size()) {
    return fail(ErrorKind::InvalidRequest, "invalid base64url");
  }
  out.resize(len);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  const size_t len =
      sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

Result<Jwks> Jwks::parse(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return fail(ErrorKind::InvalidRequest, "not a JWKS document (expected {\"keys\": [...]})");
  }
  Jwks out;
  for (const json& jwk : doc["keys"]) {
    if (!jwk.is_object()) continue;
    const std::string kid = jwk.value("kid", std::string());
    const std::string kty = jwk.value("kty", std::string());
    auto skip = [&](const std::string& why) { out.skipped_.push_back(kid + ": " + why); };
    if (jwk.contains("use") && jwk["use"] != "sig") {
      skip("not a signature key");
      continue;
    }
    Result<std::shared_ptr<EVP_PKEY>> key;
    JwsAlg alg;
    if (kty == "RSA") {
      alg = JwsAlg::RS256;
      key = rsa_key(jwk);
    } else if (kty == "EC") {
      alg = JwsAlg::ES256;
      key = ec_key(jwk);
    } else {
      skip("unsupported key type \"" + kty + "\"");
      continue;
    }
    if (!key) {
      skip(key.error().message);
      continue;
    }
    if (jwk.contains("alg") && jwk["alg"] != alg_name(alg)) {
      skip("algorithm " + jwk["alg"].dump() + " is not supported");
      continue;
    }
    out.keys_.push_back({kid, alg, std::move(*key)});
  }
  return out;
}

const Jwk* Jwks::find(std::string_view kid, JwsAlg alg) const {
  const Jwk* only = nullptr;
  size_t count = 0;
  for (const Jwk& k : keys_) {
    if (k.alg != alg) continue;
    if (!kid.empty() && k.kid == kid) return &k;
    only = &k;
    ++count;
  }
  return kid.empty() && count == 1 ? only : nullptr;
}

bool Jwks::has_kid(std::string_view kid) const {
  for (const Jwk& k : keys_) {
    if (k.kid == kid) return true;
  }
  return false;
}

}  // namespace sy::governance
