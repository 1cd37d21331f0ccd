// The per-worker circuit breaker and latency EWMA: opening on consecutive failures and
// on a failure rate, the cooldown, the single half-open probe and its two endings,
// retry-after, and the EWMA's arithmetic. Time is passed in, never slept.
#include "routing/health.h"

#include <gtest/gtest.h>

namespace sy::routing {
namespace {

using namespace std::chrono_literals;
using Clock = HealthBoard::Clock;

TEST(HealthBoard, OpensAfterConsecutiveFailuresAndProbesAfterTheCooldown) {
  HealthBoard b(HealthOptions{.consecutive_failures = 3, .cooldown_ms = 1000});
  const auto t = Clock::time_point{} + 100s;
  EXPECT_EQ(b.admit("a", t), "");
  b.record_failure("a", t);
  b.record_failure("a", t);
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Closed);
  b.record_failure("a", t);
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Open);
  EXPECT_NE(b.admit("a", t + 999ms), "");
  EXPECT_FALSE(b.would_admit("a", t + 999ms));
  // Past the cooldown: one probe is let through, the next caller is not.
  EXPECT_TRUE(b.would_admit("a", t + 1000ms));
  EXPECT_EQ(b.admit("a", t + 1000ms), "");
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::HalfOpen);
  EXPECT_NE(b.admit("a", t + 1001ms), "");
  // The probe succeeds: closed again.
  b.record_success("a", t + 1100ms, 20ms);
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Closed);
  EXPECT_EQ(b.admit("a", t + 1101ms), "");
}

TEST(HealthBoard, AFailedProbeReopensForAnotherCooldown) {
  HealthBoard b(HealthOptions{.consecutive_failures = 1, .cooldown_ms = 500});
  const auto t = Clock::time_point{} + 10s;
  b.record_failure("a", t);
  ASSERT_EQ(b.admit("a", t + 500ms), "");
  b.record_failure("a", t + 600ms);
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Open);
  EXPECT_FALSE(b.would_admit("a", t + 1000ms));
  EXPECT_TRUE(b.would_admit("a", t + 1100ms));
}

TEST(HealthBoard, AReleasedProbeLetsTheNextCallerProbe) {
  HealthBoard b(HealthOptions{.consecutive_failures = 1, .cooldown_ms = 100});
  const auto t = Clock::time_point{} + 10s;
  b.record_failure("a", t);
  ASSERT_EQ(b.admit("a", t + 100ms), "");
  EXPECT_NE(b.admit("a", t + 101ms), "");
  b.release("a");
  EXPECT_EQ(b.admit("a", t + 102ms), "");
}

TEST(HealthBoard, OpensOnAFailureRateWithoutARun) {
  HealthBoard b(HealthOptions{.consecutive_failures = 100, .window = 10, .min_outcomes = 10,
                              .failure_rate = 0.5, .cooldown_ms = 1000});
  const auto t = Clock::time_point{} + 10s;
  for (int i = 0; i < 4; ++i) {  // alternate: never two failures in a row
    b.record_failure("a", t);
    b.record_success("a", t, 1ms);
  }
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Closed);  // 4 of 8: too few seen yet
  b.record_failure("a", t);
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Closed);  // 5 of 9
  b.record_success("a", t, 1ms);
  b.record_failure("a", t);  // the window holds 10: 5 failures → 50 %
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Open);
  EXPECT_NE(b.admit("a", t), "");
  EXPECT_NE(b.admit("a", t).find("of the last"), std::string::npos);
}

TEST(HealthBoard, RetryAfterOpensForExactlyThatLong) {
  HealthBoard b(HealthOptions{.consecutive_failures = 5, .cooldown_ms = 30'000});
  const auto t = Clock::time_point{} + 10s;
  b.record_failure("a", t, 2s);
  EXPECT_EQ(b.mode("a"), HealthBoard::Mode::Open);
  EXPECT_FALSE(b.would_admit("a", t + 1999ms));
  EXPECT_TRUE(b.would_admit("a", t + 2s));
  EXPECT_NE(b.admit("a", t + 1s).find("retry-after 2 s"), std::string::npos);
}

TEST(HealthBoard, DeploymentsAreIndependent) {
  HealthBoard b(HealthOptions{.consecutive_failures = 1});
  const auto t = Clock::time_point{} + 10s;
  b.record_failure("a", t);
  EXPECT_FALSE(b.would_admit("a", t));
  EXPECT_TRUE(b.would_admit("b", t));
}

TEST(HealthBoard, FirstTokenLatencyIsAnEwma) {
  HealthBoard b(HealthOptions{.ewma_alpha = 0.5});
  const auto t = Clock::time_point{} + 10s;
  EXPECT_FALSE(b.first_token_ms("a"));
  b.record_success("a", t, 100ms);
  EXPECT_DOUBLE_EQ(*b.first_token_ms("a"), 100.0);
  b.record_success("a", t, 200ms);
  EXPECT_DOUBLE_EQ(*b.first_token_ms("a"), 150.0);
  b.record_success("a", t, 50ms);
  EXPECT_DOUBLE_EQ(*b.first_token_ms("a"), 100.0);
}

}  // namespace
}  // namespace sy::routing
