// Hundreds of concurrent requests against a small hard budget never jointly overspend
// it, and every reservation is released or settled (nothing leaks).
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <random>
#include <thread>
#include <vector>

#include "governance/limiter.h"
#include "governance/memory_limits.h"

namespace sy::governance {
namespace {

TEST(LimitsConcurrency, InProcessThreadsNeverOverspendAHardBudget) {
  constexpr int kThreads = 400;
  constexpr double kLimit = 2.0, kWorst = 0.05;
  MemoryLimits limits;
  auto rules = std::make_shared<LimitRules>(
      std::vector{
          BudgetRule{"tiny", LimitScope::Team, "*", BudgetPeriod::Total, kLimit, BudgetMode::Hard},
          BudgetRule{"per-key", LimitScope::Key, "*", BudgetPeriod::Total, 1.0, BudgetMode::Hard}},
      std::vector<RateLimitRule>{});
  std::atomic<int64_t> spent_micros{0};
  std::atomic<int> admitted{0}, refused{0};
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Limiter l(rules, limits);
      std::mt19937 rng(t);
      const std::string key = "k" + std::to_string(t % 7);
      const Subjects who{.key = key, .team = "eng"};
      start.arrive_and_wait();
      for (int i = 0; i < 5; ++i) {
        l.reserve(who, kWorst, [&](Result<BudgetVerdict> v) {
          ASSERT_TRUE(v);
          if (!v->admitted) {
            ++refused;
            return;
          }
          ++admitted;
          // Actual cost at most the worst case; a third of the requests fail (cost 0,
          // the reservation is simply dropped).
          const int64_t actual = std::uniform_int_distribution<int64_t>(1, 50'000)(rng);
          if (rng() % 3 == 0) return;
          spent_micros += actual;
          v->reservation.settle(micros_to_usd(actual));
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(spent_micros.load(), usd_to_micros(kLimit));
  EXPECT_GE(admitted.load(), static_cast<int>(kLimit / kWorst));
  EXPECT_GT(refused.load(), 0);
  const auto usage = limits.usage("sy:budget:tiny:eng:total");
  EXPECT_EQ(usage.spent_micros, spent_micros.load());
  EXPECT_EQ(usage.used_micros, usage.spent_micros);  // no reservation left behind
  int64_t per_key = 0;
  for (int k = 0; k < 7; ++k) {
    const auto u = limits.usage("sy:budget:per-key:k" + std::to_string(k) + ":total");
    EXPECT_LE(u.spent_micros, usd_to_micros(1.0));
    EXPECT_EQ(u.used_micros, u.spent_micros);
    per_key += u.spent_micros;
  }
  EXPECT_EQ(per_key, spent_micros.load());
}

}  // namespace
}  // namespace sy::governance
