// 400 concurrent requests from 16 threads, each thread a "replica" with its own
// io_context and Redis connection, against one small hard budget in Redis.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "governance/limiter.h"
#include "governance/redis_limits.h"

namespace sy::governance {
namespace {

TEST(LimitsRedisConcurrency, ReplicasNeverJointlyOverspendAHardBudget) {
  const char* url = std::getenv("SY_TEST_REDIS_URL");
  if (url == nullptr || *url == '\0') GTEST_SKIP() << "SY_TEST_REDIS_URL is not set";
  auto endpoint = store::parse_redis_url(url);
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  constexpr int kThreads = 16, kPerThread = 25;
  constexpr double kLimit = 2.0, kWorst = 0.05;
  const std::string prefix = "conc" + std::to_string(getpid()) + "." +
                             std::to_string(std::random_device{}()) + ":";  // fresh keys each run
  auto rules = std::make_shared<LimitRules>(
      std::vector{
          BudgetRule{"tiny", LimitScope::Team, "*", BudgetPeriod::Total, kLimit, BudgetMode::Hard}},
      std::vector<RateLimitRule>{});
  std::atomic<int64_t> spent_micros{0};
  std::atomic<int> admitted{0}, refused{0}, failed{0};
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      boost::asio::io_context ctx;
      RedisLimits backend(ctx, {.endpoint = *endpoint, .timeout_ms = 10'000},
                          {.key_prefix = prefix});
      Limiter l(rules, backend);
      std::mt19937 rng(t);
      int answered = 0, settled = 0, to_settle = 0;
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {  // all in flight at once
        l.reserve({.team = "eng"}, kWorst, [&](Result<BudgetVerdict> v) {
          ++answered;
          if (!v) {
            ++failed;
            return;
          }
          if (!v->admitted) {
            ++refused;
            return;
          }
          ++admitted;
          ++to_settle;
          const int64_t actual =
              rng() % 3 == 0 ? 0 : std::uniform_int_distribution<int64_t>(1, 50'000)(rng);
          spent_micros += actual;
          v->reservation.settle(micros_to_usd(actual), [&](Result<void> r) {
            if (!r) ++failed;
            ++settled;
          });
        });
      }
      while ((answered < kPerThread || settled < to_settle) && failed == 0) ctx.run_one();
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failed.load(), 0);
  EXPECT_EQ(admitted + refused, kThreads * kPerThread);
  EXPECT_LE(spent_micros.load(), usd_to_micros(kLimit));
  EXPECT_GE(admitted.load(), static_cast<int>(kLimit / kWorst));
  EXPECT_GT(refused.load(), 0);

  // What Redis holds: spent is the sum of actual costs, nothing is still reserved.
  boost::asio::io_context ctx;
  store::RedisConnection conn(ctx, {.endpoint = *endpoint, .timeout_ms = 5'000});
  std::optional<Result<store::RedisReply>> reply;
  conn.command({"HMGET", prefix + "sy:budget:tiny:eng:total", "spent", "used"},
               [&](Result<store::RedisReply> r) { reply = std::move(r); });
  while (!reply) ctx.run_one();
  ASSERT_TRUE(*reply) << (*reply).error().message;
  ASSERT_EQ((*reply)->elements.size(), 2u);
  EXPECT_EQ(std::stoll((*reply)->elements[0].str), spent_micros.load());
  EXPECT_EQ(std::stoll((*reply)->elements[1].str), spent_micros.load());
}

}  // namespace
}  // namespace sy::governance
