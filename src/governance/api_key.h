// Virtual API key secrets: how a new one is made ("sk-sy-" + 43 characters of base64url
// from 32 random bytes, libsodium's randombytes), how it is stored (SHA-256, hex) and
// shown afterwards (a short prefix). The secret is returned once, at creation, and never
// kept. Pure functions over libsodium; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sy::governance {

inline constexpr std::string_view kKeyPrefix = "sk-sy-";
inline constexpr size_t kDisplayPrefixLength = 10;  // "sk-sy-" and four characters

struct NewKeySecret {
  std::string id;        // "key_" + 16 hex digits: the public id
  std::string secret;    // "sk-sy-…": give it to the user once
  std::string hash_hex;  // what the store keeps
  std::string prefix;    // what listings show
};

NewKeySecret generate_key();
// SHA-256 of `secret`, 64 lowercase hex digits.
std::string hash_key(std::string_view secret);
std::string display_prefix(std::string_view secret);

}  // namespace sy::governance
