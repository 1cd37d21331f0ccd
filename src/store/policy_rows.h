// What the SQLite and PostgreSQL policy-version stores share: the column list and the
// If-Match refusal (412, code version_mismatch). Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sy::store {

inline constexpr std::string_view kPolicyColumns = "version, source, text, sha256_hex, actor, ts_ms";

inline Error policy_version_mismatch(int64_t newest, int64_t expected) {
  Error e = Error::make(ErrorKind::InvalidRequest,
                        "the policies are at version " + std::to_string(newest) + ", not " +
                            std::to_string(expected) + " (If-Match)",
                        "If-Match", "version_mismatch");
  e.status = 412;
  return e;
}

}  // namespace sy::store
