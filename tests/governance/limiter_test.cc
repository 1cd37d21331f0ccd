// The Limiter over each backend: reserve/settle/release, all-or-none across budgets,
// soft budgets, period rollover, GCRA request and token limits. Every case runs on the
// in-process backend and, when the test Redis server is up, on the Redis backend.
#include "governance/limiter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/gcra.h"
#include "governance/limits_harness.h"

namespace sy::governance {
namespace {

using testing::call;
using testing::LimitsHarness;

constexpr int64_t kT0 = 1'709'251'199'000'000;  // 2024-02-29T23:59:59Z, in µs

class LimiterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    harness_ = GetParam() == "memory" ? testing::memory_harness() : testing::redis_harness(&why);
    if (!harness_) GTEST_SKIP() << why;
  }

  Limiter make(std::vector<BudgetRule> budgets, std::vector<RateLimitRule> rates = {}) {
    return Limiter(std::make_shared<LimitRules>(std::move(budgets), std::move(rates)),
                   harness_->backend(), [this] { return now_us_; });
  }
  BudgetVerdict reserve(Limiter& l, const Subjects& who, double usd) {
    auto r = call<BudgetVerdict>(*harness_, [&](auto h) { l.reserve(who, usd, std::move(h)); });
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : BudgetVerdict{};
  }
  void settle(BudgetReservation& res, double usd) {
    auto r = call<void>(*harness_, [&](auto h) { res.settle(usd, std::move(h)); });
    EXPECT_TRUE(r) << r.error().message;
  }
  RateVerdict rate(Limiter& l, const Subjects& who) {
    auto r = call<RateVerdict>(*harness_, [&](auto h) { l.check_rate(who, std::move(h)); });
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RateVerdict{};
  }
  void charge(Limiter& l, const Subjects& who, uint64_t tokens) {
    auto r = call<void>(*harness_, [&](auto h) { l.charge_tokens(who, tokens, std::move(h)); });
    EXPECT_TRUE(r) << r.error().message;
  }

  std::unique_ptr<LimitsHarness> harness_;
  int64_t now_us_ = kT0;
};

BudgetRule budget(std::string id, LimitScope scope, std::string match, double usd,
                  BudgetPeriod period = BudgetPeriod::Month, BudgetMode mode = BudgetMode::Hard) {
  return {std::move(id), scope, std::move(match), period, usd, mode};
}

const Subjects kAlice{.key = "k-alice", .team = "eng", .project = "p1", .org = "acme"};

TEST_P(LimiterTest, HardBudgetHoldsWorstCaseUntilSettled) {
  Limiter l = make({budget("team-eng", LimitScope::Team, "eng", 1.0)});
  BudgetVerdict a = reserve(l, kAlice, 0.6);
  ASSERT_TRUE(a.admitted);
  EXPECT_TRUE(a.reservation.active());
  BudgetVerdict b = reserve(l, kAlice, 0.6);
  EXPECT_FALSE(b.admitted);
  EXPECT_EQ(b.refused_by, "team-eng");
  EXPECT_FALSE(b.reservation.active());
  // Refused until the month ends: 2024-03-01T00:00Z is one second away.
  EXPECT_EQ(b.retry_after_ms, 1000);
  settle(a.reservation, 0.3);  // the hold of 0.6 becomes 0.3 spent
  EXPECT_FALSE(a.reservation.active());
  BudgetVerdict c = reserve(l, kAlice, 0.7);  // 0.3 + 0.7 = 1.0 fits exactly
  ASSERT_TRUE(c.admitted);
  EXPECT_FALSE(reserve(l, kAlice, 0.000001).admitted);
}

TEST_P(LimiterTest, ADroppedReservationIsReleased) {
  Limiter l = make({budget("key-b", LimitScope::Key, "*", 1.0)});
  {
    BudgetVerdict a = reserve(l, kAlice, 0.9);
    ASSERT_TRUE(a.admitted);
    EXPECT_FALSE(reserve(l, kAlice, 0.9).admitted);
  }  // never settled: the destructor settles 0
  BudgetVerdict again = reserve(l, kAlice, 0.9);
  EXPECT_TRUE(again.admitted);
  // A moved-from reservation releases nothing twice.
  BudgetReservation moved = std::move(again.reservation);
  EXPECT_FALSE(again.reservation.active());
  settle(moved, 0.9);
  EXPECT_FALSE(reserve(l, kAlice, 0.2).admitted);  // 0.9 spent of 1.0
}

TEST_P(LimiterTest, EveryApplicableBudgetOrNone) {
  Limiter l = make({budget("key-b", LimitScope::Key, "*", 10.0),
                    budget("team-b", LimitScope::Team, "*", 1.0),
                    budget("org-b", LimitScope::Org, "acme", 100.0)});
  BudgetVerdict a = reserve(l, kAlice, 0.8);
  ASSERT_TRUE(a.admitted);
  EXPECT_EQ(a.reservation.cells().size(), 3u);
  BudgetVerdict b = reserve(l, kAlice, 0.5);  // the team's 1.0 refuses
  ASSERT_FALSE(b.admitted);
  EXPECT_EQ(b.refused_by, "team-b");
  // The refused request holds nothing on the key's or the org's budget: the same key in
  // another team can use everything that is left.
  Subjects other = kAlice;
  other.team = "ops";
  EXPECT_FALSE(reserve(l, other, 9.3).admitted);  // 0.8 + 9.3 > 10 on the key
  BudgetVerdict c = reserve(l, other, 0.9);       // a team of its own
  EXPECT_TRUE(c.admitted);
  BudgetVerdict d = reserve(l, Subjects{.key = "k-alice", .org = "acme"}, 8.3);
  EXPECT_TRUE(d.admitted);  // 0.8 + 0.9 + 8.3 = 10.0 on the key
}

TEST_P(LimiterTest, MatchSelectsSubjects) {
  Limiter l = make({budget("team-eng", LimitScope::Team, "eng", 1.0)});
  Subjects ops = kAlice;
  ops.team = "ops";
  BudgetVerdict v = reserve(l, ops, 5.0);  // no budget applies to ops
  EXPECT_TRUE(v.admitted);
  EXPECT_FALSE(v.reservation.active());
  EXPECT_FALSE(reserve(l, kAlice, 5.0).admitted);
  Subjects nobody{.key = "k"};
  EXPECT_TRUE(reserve(l, nobody, 5.0).admitted);  // no team at all
}

TEST_P(LimiterTest, SoftBudgetWarnsAndAdmits) {
  Limiter l =
      make({budget("soft-b", LimitScope::Project, "*", 1.0, BudgetPeriod::Day, BudgetMode::Soft)});
  BudgetVerdict a = reserve(l, kAlice, 0.8);
  ASSERT_TRUE(a.admitted);
  EXPECT_TRUE(a.soft_exceeded.empty());
  BudgetVerdict b = reserve(l, kAlice, 0.8);
  ASSERT_TRUE(b.admitted);
  ASSERT_EQ(b.soft_exceeded.size(), 1u);
  EXPECT_EQ(b.soft_exceeded[0], "soft-b");
}

TEST_P(LimiterTest, SpendRollsOverWithThePeriod) {
  Limiter l = make({budget("daily", LimitScope::Key, "*", 1.0, BudgetPeriod::Day)});
  BudgetVerdict a = reserve(l, kAlice, 1.0);
  ASSERT_TRUE(a.admitted);
  settle(a.reservation, 1.0);
  EXPECT_FALSE(reserve(l, kAlice, 0.5).admitted);
  now_us_ += 1'000'000;  // midnight UTC: a new day, a new counter
  EXPECT_TRUE(reserve(l, kAlice, 1.0).admitted);
}

TEST_P(LimiterTest, RequestsPerMinuteWithRetryAfter) {
  Limiter l = make({}, {RateLimitRule{"key-rpm", LimitScope::Key, "*", 3, 0}});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rate(l, kAlice).allowed) << i;
  RateVerdict v = rate(l, kAlice);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.refused_by, "key-rpm");
  EXPECT_EQ(v.retry_after_ms, 20'000);
  EXPECT_TRUE(rate(l, Subjects{.key = "k-bob"}).allowed);  // each key separately
  now_us_ += 19'999'000;
  EXPECT_FALSE(rate(l, kAlice).allowed);
  now_us_ += 1'000;
  EXPECT_TRUE(rate(l, kAlice).allowed);
  EXPECT_FALSE(rate(l, kAlice).allowed);
}

TEST_P(LimiterTest, TokensAreChargedAfterTheResponse) {
  Limiter l = make({}, {RateLimitRule{"team-tpm", LimitScope::Team, "*", 0, 1000}});
  EXPECT_TRUE(rate(l, kAlice).allowed);
  charge(l, kAlice, 900);
  EXPECT_TRUE(rate(l, kAlice).allowed);  // 900 of 1000 used: still room
  charge(l, kAlice, 2100);               // 3000 tokens: two minutes over
  RateVerdict v = rate(l, kAlice);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_ms, 120'000);
  now_us_ += 120'000'000;
  EXPECT_TRUE(rate(l, kAlice).allowed);
}

TEST_P(LimiterTest, ARefusedRequestConsumesNoOtherRateLimit) {
  Limiter l = make({}, {RateLimitRule{"key-rpm", LimitScope::Key, "*", 1, 0},
                        RateLimitRule{"team-rpm", LimitScope::Team, "eng", 2, 0}});
  const Subjects k1{.key = "k1", .team = "eng"}, k2{.key = "k2", .team = "eng"},
      k3{.key = "k3", .team = "eng"};
  EXPECT_TRUE(rate(l, k1).allowed);
  RateVerdict again = rate(l, k1);
  EXPECT_FALSE(again.allowed);
  EXPECT_EQ(again.refused_by, "key-rpm");
  EXPECT_TRUE(rate(l, k2).allowed);  // the team's second, not its third
  RateVerdict third = rate(l, k3);
  EXPECT_FALSE(third.allowed);
  EXPECT_EQ(third.refused_by, "team-rpm");
}

TEST_P(LimiterTest, TwoReplicasShareOneBudgetAndOneLimit) {
  auto other = harness_->replica();
  if (!other) GTEST_SKIP() << "the in-process backend has no replicas";
  auto rules = std::make_shared<LimitRules>(
      std::vector{budget("shared-b", LimitScope::Team, "*", 1.0)},
      std::vector{RateLimitRule{"shared-rpm", LimitScope::Team, "*", 2, 0}});
  Limiter a(rules, harness_->backend(), [this] { return now_us_; });
  Limiter b(rules, other->backend(), [this] { return now_us_; });
  BudgetVerdict va = reserve(a, kAlice, 0.7);
  ASSERT_TRUE(va.admitted);
  auto vb = call<BudgetVerdict>(*other, [&](auto h) { b.reserve(kAlice, 0.7, std::move(h)); });
  ASSERT_TRUE(vb);
  EXPECT_FALSE(vb->admitted);  // replica a holds 0.7 of 1.0
  settle(va.reservation, 0.1);
  vb = call<BudgetVerdict>(*other, [&](auto h) { b.reserve(kAlice, 0.7, std::move(h)); });
  ASSERT_TRUE(vb);
  EXPECT_TRUE(vb->admitted);
  EXPECT_TRUE(rate(a, kAlice).allowed);
  auto rb = call<RateVerdict>(*other, [&](auto h) { b.check_rate(kAlice, std::move(h)); });
  ASSERT_TRUE(rb);
  EXPECT_TRUE(rb->allowed);
  EXPECT_FALSE(rate(a, kAlice).allowed);  // two per minute across both replicas
  vb->reservation.settle(0);
  other->wait([] { return true; });
}

INSTANTIATE_TEST_SUITE_P(Backends, LimiterTest, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sy::governance
