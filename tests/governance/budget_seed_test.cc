// Seeding the in-process counters from the spend ledger (an in-memory SQLite store).
#include "governance/budget_seed.h"

#include <gtest/gtest.h>

#include "governance/limiter.h"

namespace sy::governance {
namespace {

constexpr int64_t kNowMs = 1'709'251'199'000;  // 2024-02-29T23:59:59Z

store::SpendRow row(int64_t ts_ms, std::string id, std::string team, std::string key, double usd) {
  store::SpendRow r;
  r.ts_ms = ts_ms;
  r.request_id = std::move(id);
  r.team = std::move(team);
  r.key_id = std::move(key);
  r.model = r.deployment = "m";
  r.cost_usd = usd;
  return r;
}

TEST(BudgetSeed, CurrentPeriodSpendFromTheLedger) {
  auto st = store::open_store({.url = "sqlite::memory:"});
  ASSERT_TRUE(st) << st.error().message;
  store::WriteBatch b;
  b.spend = {row(kNowMs - 1000, "r1", "eng", "k1", 0.25),
             row(kNowMs - 2000, "r2", "eng", "k2", 0.5),
             row(kNowMs - 3000, "r3", "ops", "k3", 0.125),
             // Yesterday: counts for the month, not for the day.
             row(kNowMs - 86'400'000, "r4", "eng", "k1", 1.0),
             // Last month: counts for neither.
             row(kNowMs - 40LL * 86'400'000, "r5", "eng", "k1", 7.0)};
  ASSERT_TRUE((*st)->write(b));
  LimitRules rules({{"team-month", LimitScope::Team, "*", BudgetPeriod::Month, 2.0},
                    {"k1-day", LimitScope::Key, "k1", BudgetPeriod::Day, 1.0},
                    {"org", LimitScope::Org, "acme", BudgetPeriod::Total, 100.0}},
                   {});
  MemoryLimits limits;
  auto n = seed_budgets(rules, **st, limits, kNowMs);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 4u);  // eng, ops, k1, acme
  EXPECT_EQ(limits.usage("sy:budget:team-month:eng:2024-02-01").spent_micros, 1'750'000);
  EXPECT_EQ(limits.usage("sy:budget:team-month:ops:2024-02-01").spent_micros, 125'000);
  EXPECT_EQ(limits.usage("sy:budget:k1-day:k1:2024-02-29").spent_micros, 250'000);
  EXPECT_EQ(limits.usage("sy:budget:org:acme:total").spent_micros, 8'875'000);
  // The seeded spend counts against new reservations.
  Limiter l(std::make_shared<LimitRules>(rules), limits, [] { return kNowMs * 1000; });
  std::optional<bool> admitted;
  l.reserve({.key = "k9", .team = "eng"}, 0.3,
            [&](Result<BudgetVerdict> v) { admitted = v && v->admitted; });
  EXPECT_EQ(admitted, false);  // 1.75 + 0.3 > 2.0
  l.reserve({.key = "k9", .team = "eng"}, 0.25,
            [&](Result<BudgetVerdict> v) { admitted = v && v->admitted; });
  EXPECT_EQ(admitted, true);
}

}  // namespace
}  // namespace sy::governance
