// GCRA math with explicit times: bursts, steady rates, retry-after and recovery.
#include "core/gcra.h"

#include <gtest/gtest.h>

namespace sy {
namespace {

TEST(Gcra, IncrementIsTheEmissionIntervalTimesTheCostRoundedUp) {
  EXPECT_EQ(gcra_increment(1, 60), 1'000'000);  // 60 rpm: one a second
  EXPECT_EQ(gcra_increment(1, 600), 100'000);
  EXPECT_EQ(gcra_increment(1, 7), 8'571'429);         // 60e6 / 7 = 8571428.57 → up
  EXPECT_EQ(gcra_increment(1000, 200'000), 300'000);  // 1000 tokens at 200k tpm
  EXPECT_EQ(gcra_increment(0, 60), 0);
}

TEST(Gcra, AllowsAFullWindowBurstThenRefusesWithRetryAfter) {
  const int64_t now = 1'000'000'000'000;
  const int64_t inc = gcra_increment(1, 10);  // 10 per minute: 6 s each
  int64_t tat = 0;
  for (int i = 0; i < 10; ++i) {
    const auto d = gcra_decide(tat, now, inc, kMinuteUs);
    ASSERT_TRUE(d.allowed) << i;
    tat = d.new_tat_us;
  }
  const auto refused = gcra_decide(tat, now, inc, kMinuteUs);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.new_tat_us, tat);  // state unchanged
  EXPECT_EQ(refused.retry_after_us, 6'000'000);
  // Just before the retry-after, still refused; at it, allowed.
  EXPECT_FALSE(gcra_decide(tat, now + 5'999'999, inc, kMinuteUs).allowed);
  const auto later = gcra_decide(tat, now + 6'000'000, inc, kMinuteUs);
  EXPECT_TRUE(later.allowed);
}

TEST(Gcra, SteadyRateAtTheLimitIsAlwaysAllowed) {
  const int64_t inc = gcra_increment(1, 120);  // every 0.5 s
  int64_t tat = 0, now = 5'000'000'000;
  for (int i = 0; i < 1000; ++i, now += inc) {
    const auto d = gcra_decide(tat, now, inc, kMinuteUs);
    ASSERT_TRUE(d.allowed) << i;
    tat = d.new_tat_us;
  }
}

TEST(Gcra, AnIdleCellRecoversItsWholeBurst) {
  const int64_t inc = gcra_increment(1, 3);
  int64_t tat = 0, now = 7'000'000;
  for (int i = 0; i < 3; ++i) tat = gcra_decide(tat, now, inc, kMinuteUs).new_tat_us;
  EXPECT_FALSE(gcra_decide(tat, now, inc, kMinuteUs).allowed);
  now += kMinuteUs;  // a full window later
  for (int i = 0; i < 3; ++i) {
    const auto d = gcra_decide(tat, now, inc, kMinuteUs);
    ASSERT_TRUE(d.allowed);
    tat = d.new_tat_us;
  }
  EXPECT_FALSE(gcra_decide(tat, now, inc, kMinuteUs).allowed);
}

TEST(Gcra, ZeroCostAsksWhetherTheCellHasRoomNow) {
  const int64_t now = 1'000'000;
  // 3000 tokens charged at 1000 tpm: three minutes of tokens in one go.
  const int64_t tat = now + gcra_increment(3000, 1000);
  const auto d = gcra_decide(tat, now, 0, kMinuteUs);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_us, 2 * kMinuteUs);
  EXPECT_TRUE(gcra_decide(tat, now + 2 * kMinuteUs, 0, kMinuteUs).allowed);
}

}  // namespace
}  // namespace sy
