// Fuzzes parse_time_spec and parse_duration_ms (core/time_spec.h), which read the CLI's
// and the admin API's time parameters. Every parsed time is rendered with
// format_rfc3339_ms (as the admin API echoes since/until); one in years 0000..9999 must
// parse back from that rendering to the same millisecond.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/time_spec.h"
#include "fuzz_check.h"

namespace {

constexpr int64_t kNowMs = 1795633200123;    // 2026-11-25T19:00:00.123Z
constexpr int64_t kMinMs = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr int64_t kMaxMs = 253402300799999;  // 9999-12-31T23:59:59.999Z

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view spec(reinterpret_cast<const char*>(data), size);

  auto duration = sy::parse_duration_ms(spec);
  if (duration) {
    FUZZ_CHECK(*duration >= 0);
    auto again = sy::parse_duration_ms(std::to_string(*duration) + "ms");
    FUZZ_CHECK(again && *again == *duration);
  }

  auto t = sy::parse_time_spec(spec, kNowMs);
  if (!t) {
    FUZZ_CHECK(!t.error().message.empty());
    return 0;
  }
  if (duration) FUZZ_CHECK(*t == kNowMs - *duration);
  const std::string text = sy::format_rfc3339_ms(*t);
  if (*t >= kMinMs && *t <= kMaxMs) {
    FUZZ_CHECK(text.size() == 24);
    auto back = sy::parse_time_spec(text, kNowMs);
    FUZZ_CHECK(back && *back == *t);
  }
  return 0;
}
