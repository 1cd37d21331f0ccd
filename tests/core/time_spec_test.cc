#include "core/time_spec.h"

#include <gtest/gtest.h>

namespace sy {
namespace {

constexpr int64_t kNow = 1'795'600'000'000;  // 2026-11-25T09:46:40Z
constexpr int64_t kDay = 1'795'564'800'000;  // 2026-11-25T00:00:00Z

TEST(TimeSpec, RelativeCountsBackFromNow) {
  EXPECT_EQ(*parse_time_spec("7d", kNow), kNow - 7 * 86'400'000LL);
  EXPECT_EQ(*parse_time_spec("24h", kNow), kNow - 24 * 3'600'000LL);
  EXPECT_EQ(*parse_time_spec("30m", kNow), kNow - 30 * 60'000LL);
  EXPECT_EQ(*parse_time_spec("90s", kNow), kNow - 90'000);
  EXPECT_EQ(*parse_time_spec("now", kNow), kNow);
}

TEST(TimeSpec, AbsoluteDatesAndTimes) {
  EXPECT_EQ(*parse_time_spec("1970-01-01", kNow), 0);
  EXPECT_EQ(*parse_time_spec("2026-11-25", kNow), kDay);
  EXPECT_EQ(*parse_time_spec("2026-11-25T08:00:00Z", kNow), kDay + 8 * 3'600'000LL);
  EXPECT_EQ(*parse_time_spec("2026-11-25T08:00:00.250Z", kNow),
            kDay + 8 * 3'600'000LL + 250);
  EXPECT_EQ(*parse_time_spec("2026-11-25T10:00:00+02:00", kNow),
            kDay + 8 * 3'600'000LL);
}

TEST(TimeSpec, RejectsNonsense) {
  for (const char* s : {"", "7", "7y", "-1d", "2026-13-01", "2026-02-30", "2026-11-25T25:00:00Z",
                        "2026-11-25T08:00:00Q", "yesterday"}) {
    EXPECT_FALSE(parse_time_spec(s, kNow)) << s;
  }
}

TEST(TimeSpec, Durations) {
  EXPECT_EQ(*parse_duration_ms("500ms"), 500);
  EXPECT_EQ(*parse_duration_ms("2w"), 14 * 86'400'000LL);
  EXPECT_FALSE(parse_duration_ms("d"));
}

}  // namespace
}  // namespace sy

namespace sy {
namespace {

TEST(TimeSpec, FormatsRfc3339AndParsesItBack) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  Rfc3339Buffer buf;
  EXPECT_EQ(format_rfc3339_ms(kDay + 8 * 3'600'000LL + 250, buf, /*quoted=*/true),
            "\"2026-11-25T08:00:00.250Z\"");
  EXPECT_EQ(format_rfc3339_ms(253'402'300'799'999LL, buf), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(kDay + 8 * 3'600'000LL + 250), "2026-11-25T08:00:00.250Z");
  for (int64_t t : {int64_t{0}, kNow, kNow + 999, int64_t{4'102'444'800'000}}) {
    EXPECT_EQ(*parse_time_spec(format_rfc3339_ms(t), 0), t);
  }
}

}  // namespace
}  // namespace sy
