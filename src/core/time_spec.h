// Time arguments of the CLI and the admin API: a point in time given either relative to
// now ("7d", "24h", "30m", "90s" — that long ago) or absolute ("2026-11-25",
// "2026-11-25T08:00:00Z", with optional fractional seconds or a ±HH:MM offset), and
// the same for durations. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sy {

// Milliseconds since the Unix epoch for `spec`, relative specs counted back from now_ms.
Result<int64_t> parse_time_spec(std::string_view spec, int64_t now_ms);

// [since, until) in milliseconds since the epoch, both parsed against the same now.
struct TimeRange {
  int64_t since_ms = 0;
  int64_t until_ms = 0;
};
Result<TimeRange> parse_time_range(std::string_view since, std::string_view until, int64_t now_ms);

// Milliseconds in a duration such as "7d", "24h", "30m", "90s", "500ms".
Result<int64_t> parse_duration_ms(std::string_view spec);

int64_t unix_now_ms();

// "2026-11-25T19:00:00.123Z" (RFC 3339, UTC, milliseconds).
std::string format_rfc3339_ms(int64_t ts_ms);
// The same into a caller's buffer (no allocation); `quoted` adds the JSON quotes.
using Rfc3339Buffer = std::array<char, 32>;
std::string_view format_rfc3339_ms(int64_t ts_ms, Rfc3339Buffer& buf, bool quoted = false);

}  // namespace sy
