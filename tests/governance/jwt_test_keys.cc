#include "governance/jwt_test_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "governance/jwks.h"

namespace sy::governance::testing {
namespace {

std::string b64(std::string_view s) { return base64url_encode(s); }

std::string bn_bytes(const EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("get_bn_param");
  const int len = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(len), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  BN_free(bn);
  return out;
}

std::string signing_input(const nlohmann::json& header, const nlohmann::json& payload) {
  return b64(header.dump()) + "." + b64(payload.dump());
}

}  // namespace

TestKey TestKey::rsa(std::string kid) {
  TestKey k;
  k.kid_ = std::move(kid);
  k.rsa_ = true;
  k.key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), EVP_PKEY_free);
  if (!k.key_) throw std::runtime_error("RSA keygen");
  return k;
}

TestKey TestKey::ec(std::string kid) {
  TestKey k;
  k.kid_ = std::move(kid);
  k.rsa_ = false;
  k.key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  if (!k.key_) throw std::runtime_error("EC keygen");
  return k;
}

nlohmann::json TestKey::jwk() const {
  if (rsa_) {
    return {{"kty", "RSA"},
            {"kid", kid_},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", b64(bn_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
            {"e", b64(bn_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_E))}};
  }
  return {{"kty", "EC"},
          {"kid", kid_},
          {"crv", "P-256"},
          {"x", b64(bn_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", b64(bn_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string TestKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

std::string TestKey::sign(const nlohmann::json& payload, const nlohmann::json& extra_header) const {
  nlohmann::json header = {{"alg", rsa_ ? "RS256" : "ES256"}, {"typ", "JWT"}, {"kid", kid_}};
  if (extra_header.is_object()) header.update(extra_header);
  const std::string input = signing_input(header, payload);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get());
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (!rsa_) {  // DER → raw r||s
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    sig = raw;
  }
  return input + "." + b64(sig);
}

std::string jwks_of(std::initializer_list<const TestKey*> keys) {
  nlohmann::json doc = {{"keys", nlohmann::json::array()}};
  for (const TestKey* k : keys) doc["keys"].push_back(k->jwk());
  return doc.dump();
}

std::string hs256_token(const nlohmann::json& header, const nlohmann::json& payload,
                        const std::string& secret) {
  const std::string input = signing_input(header, payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + b64(std::string(reinterpret_cast<char*>(mac), len));
}

std::string unsigned_token(const nlohmann::json& header, const nlohmann::json& payload) {
  return signing_input(header, payload) + ".";
}

}  // namespace sy::governance::testing
