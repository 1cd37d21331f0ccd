// The per-process limits state made from a config: memory shared by workers, Redis per
// worker.
#include "governance/limits_runtime.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace sy::governance {
namespace {

TEST(LimitsRuntime, MemoryBackendIsSharedByEveryWorker) {
  Config c;
  auto rt = LimitsRuntime::create(c);
  ASSERT_TRUE(rt);
  ASSERT_NE((*rt)->memory(), nullptr);
  auto rules = std::make_shared<LimitRules>(
      std::vector{BudgetRule{"b", LimitScope::Key, "*", BudgetPeriod::Total, 1.0}},
      std::vector<RateLimitRule>{});
  boost::asio::io_context a, b;
  auto wa = (*rt)->for_worker(a, rules);
  auto wb = (*rt)->for_worker(b, rules);
  std::optional<BudgetVerdict> va, vb;
  wa->limiter().reserve({.key = "k"}, 0.8, [&](Result<BudgetVerdict> v) { va = std::move(*v); });
  wb->limiter().reserve({.key = "k"}, 0.8, [&](Result<BudgetVerdict> v) { vb = std::move(*v); });
  ASSERT_TRUE(va && vb);
  EXPECT_TRUE(va->admitted);
  EXPECT_FALSE(vb->admitted);  // the other worker's hold counts
}

TEST(LimitsRuntime, RedisUrlIsCheckedAtStartUp) {
  Config c;
  c.limits.backend = LimitsBackendKind::Redis;
  c.limits.redis_url = "redis://h:notaport";
  EXPECT_FALSE(LimitsRuntime::create(c));
  c.limits.redis_url = "unix:/nonexistent/redis.sock";
  auto rt = LimitsRuntime::create(c);
  ASSERT_TRUE(rt);
  EXPECT_EQ((*rt)->memory(), nullptr);
  boost::asio::io_context ctx;
  auto w = (*rt)->for_worker(
      ctx, std::make_shared<LimitRules>(
               std::vector{BudgetRule{"b", LimitScope::Key, "*", BudgetPeriod::Day, 1.0}},
               std::vector<RateLimitRule>{}));
  std::optional<Result<BudgetVerdict>> v;
  w->limiter().reserve({.key = "k"}, 0.1, [&](Result<BudgetVerdict> r) { v = std::move(r); });
  ctx.run();
  ASSERT_TRUE(v);
  ASSERT_FALSE(*v);  // fail closed
  EXPECT_EQ(v->error().status, 503);
}

}  // namespace
}  // namespace sy::governance
