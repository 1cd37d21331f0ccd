// The coroutine forms of the Limiter's calls, on the in-process backend (answers before
// returning) and on Redis (answers later): the coroutine resumes on its own executor.
#include "governance/limits_await.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <random>
#include <thread>

#include "governance/memory_limits.h"
#include "governance/redis_limits.h"

namespace sy::governance {
namespace {

namespace asio = boost::asio;

struct Seen {
  int admitted = 0, refused = 0, rate_ok = 0, rate_refused = 0, errors = 0;
  bool on_own_thread = true;
};

asio::awaitable<void> three_requests(Limiter& l, Seen& seen, std::thread::id me) {
  const std::string team = "eng";  // outlives nothing: the operation copies it
  for (int i = 0; i < 3; ++i) {
    Result<RateVerdict> rate =
        co_await async_check_rate(l, Subjects{.team = team}, asio::use_awaitable);
    if (std::this_thread::get_id() != me) seen.on_own_thread = false;
    if (!rate) {
      ++seen.errors;
      continue;
    }
    ++(rate->allowed ? seen.rate_ok : seen.rate_refused);
    Result<BudgetVerdict> b =
        co_await async_reserve(l, Subjects{.team = team}, 0.4, asio::use_awaitable);
    if (!b) {
      ++seen.errors;
      continue;
    }
    ++(b->admitted ? seen.admitted : seen.refused);
    b->reservation.settle(0.4);
  }
}

void run_three(LimitsBackend& backend, asio::io_context& ctx, Seen& seen) {
  auto rules = std::make_shared<LimitRules>(
      std::vector{BudgetRule{"b", LimitScope::Team, "*", BudgetPeriod::Total, 1.0}},
      std::vector{RateLimitRule{"r", LimitScope::Team, "*", 2, 0}});
  Limiter l(rules, backend);
  // The Redis connection keeps the io_context busy (it watches its socket): stop it when
  // the coroutine is done.
  asio::co_spawn(ctx, three_requests(l, seen, std::this_thread::get_id()),
                 [&ctx](const std::exception_ptr&) { ctx.stop(); });
  ctx.run();
}

TEST(LimitsAwait, InProcess) {
  MemoryLimits limits;
  asio::io_context ctx;
  Seen seen;
  run_three(limits, ctx, seen);
  EXPECT_EQ(seen.errors, 0);
  EXPECT_EQ(seen.rate_ok, 2);
  EXPECT_EQ(seen.rate_refused, 1);
  EXPECT_EQ(seen.admitted, 2);  // 0.4 + 0.4; a third 0.4 would pass 1.0
  EXPECT_EQ(seen.refused, 1);
  EXPECT_TRUE(seen.on_own_thread);
}

TEST(LimitsAwait, Redis) {
  const char* url = std::getenv("SY_TEST_REDIS_URL");
  if (url == nullptr || *url == '\0') GTEST_SKIP() << "SY_TEST_REDIS_URL is not set";
  auto endpoint = store::parse_redis_url(url);
  ASSERT_TRUE(endpoint);
  asio::io_context ctx;
  RedisLimits limits(ctx, {.endpoint = *endpoint, .timeout_ms = 5'000},
                     {.key_prefix = "await" + std::to_string(::getpid()) + "." +
                                    std::to_string(std::random_device{}()) + ":"});
  Seen seen;
  run_three(limits, ctx, seen);
  EXPECT_EQ(seen.errors, 0);
  EXPECT_EQ(seen.rate_ok, 2);
  EXPECT_EQ(seen.admitted, 2);
  EXPECT_EQ(seen.refused, 1);
  EXPECT_TRUE(seen.on_own_thread);
}

TEST(LimitsAwait, RedisDownIsAnErrorNotAHang) {
  asio::io_context ctx;
  RedisLimits limits(ctx, {.endpoint = {.unix_path = "/nonexistent/redis.sock"}});
  Seen seen;
  run_three(limits, ctx, seen);
  EXPECT_EQ(seen.errors, 3);  // fail closed: every rate check fails
  EXPECT_EQ(seen.admitted, 0);
}

}  // namespace
}  // namespace sy::governance
