#include "governance/api_key.h"

#include <sodium.h>

#include <array>
#include <cstdlib>

namespace sy::governance {
namespace {

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // no usable randomness: nothing sensible to do
}

std::string hex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

}  // namespace

std::string hash_key(std::string_view secret) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  return hex(digest.data(), digest.size());
}

std::string display_prefix(std::string_view secret) {
  return std::string(secret.substr(0, kDisplayPrefixLength));
}

NewKeySecret generate_key() {
  ensure_sodium();
  std::array<unsigned char, 32> random{};
  randombytes_buf(random.data(), random.size());
  const size_t len =
      sodium_base64_ENCODED_LEN(random.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string encoded(len, '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), random.data(), random.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.find('\0'));
  sodium_memzero(random.data(), random.size());

  std::array<unsigned char, 8> id{};
  randombytes_buf(id.data(), id.size());

  NewKeySecret k;
  k.id = "key_" + hex(id.data(), id.size());
  k.secret = std::string(kKeyPrefix) + encoded;
  k.hash_hex = hash_key(k.secret);
  k.prefix = display_prefix(k.secret);
  return k;
}

}  // namespace sy::governance
