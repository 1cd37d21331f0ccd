// Budgets and rate limits per request: reserve + settle against three budgets (key, team,
// org) and an rpm + tpm check, on the in-process backend (baseline: one uncontended
// atomic add) and on Redis (baseline: a PING round trip on the same connection; set
// SY_BENCH_REDIS_URL, e.g. unix:/tmp/r/redis.sock, to run those).
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <optional>

#include "governance/limiter.h"
#include "governance/memory_limits.h"
#include "governance/redis_limits.h"

namespace {

using namespace sy;
using namespace sy::governance;

std::shared_ptr<const LimitRules> rules() {
  static auto r = std::make_shared<const LimitRules>(
      std::vector{BudgetRule{"key-d", LimitScope::Key, "*", BudgetPeriod::Day, 1e9},
                  BudgetRule{"team-m", LimitScope::Team, "*", BudgetPeriod::Month, 1e9},
                  BudgetRule{"org-t", LimitScope::Org, "acme", BudgetPeriod::Total, 1e9}},
      std::vector{RateLimitRule{"key-r", LimitScope::Key, "*", 4'000'000'000u, 4'000'000'000u}});
  return r;
}

Subjects who(int thread) {
  static const std::string keys[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};
  return {.key = keys[thread % 8], .team = "eng", .org = "acme"};
}

void BM_AtomicAddBaseline(benchmark::State& state) {
  static std::atomic<int64_t> counter{0};
  for (auto _ : state) benchmark::DoNotOptimize(counter.fetch_add(1));
}
BENCHMARK(BM_AtomicAddBaseline)->Threads(1)->Threads(2);

MemoryLimits& shared_memory() {
  static MemoryLimits m;
  return m;
}

void BM_MemoryRequest(benchmark::State& state) {
  Limiter l(rules(), shared_memory());
  const Subjects s = who(state.thread_index());
  for (auto _ : state) {
    l.check_rate(s, [](Result<RateVerdict> v) { benchmark::DoNotOptimize(v->allowed); });
    l.reserve(s, 0.01, [](Result<BudgetVerdict> v) { v->reservation.settle(0.005); });
    l.charge_tokens(s, 100);
  }
}
BENCHMARK(BM_MemoryRequest)->Threads(1)->Threads(2);

std::optional<store::RedisEndpoint> redis_endpoint(benchmark::State& state) {
  const char* url = std::getenv("SY_BENCH_REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("SY_BENCH_REDIS_URL is not set");
    return std::nullopt;
  }
  auto e = store::parse_redis_url(url);
  if (!e) {
    state.SkipWithError(e.error().message.c_str());
    return std::nullopt;
  }
  return *e;
}

void BM_RedisPingBaseline(benchmark::State& state) {
  auto e = redis_endpoint(state);
  if (!e) return;
  boost::asio::io_context ctx;
  store::RedisConnection c(ctx, {.endpoint = *e, .timeout_ms = 5'000});
  for (auto _ : state) {
    bool done = false;
    c.command({"PING"}, [&](Result<store::RedisReply>) { done = true; });
    while (!done) ctx.run_one();
  }
}
BENCHMARK(BM_RedisPingBaseline);

void BM_RedisRequest(benchmark::State& state) {
  auto e = redis_endpoint(state);
  if (!e) return;
  boost::asio::io_context ctx;
  RedisLimits backend(ctx, {.endpoint = *e, .timeout_ms = 5'000}, {.key_prefix = "bench:"});
  Limiter l(rules(), backend);
  const Subjects s = who(0);
  for (auto _ : state) {
    int done = 0;
    l.check_rate(s, [&](Result<RateVerdict>) { ++done; });
    l.reserve(s, 0.01, [&](Result<BudgetVerdict> v) {
      ++done;
      if (v) v->reservation.settle(0.005, [&](Result<void>) { ++done; });
    });
    l.charge_tokens(s, 100, [&](Result<void>) { ++done; });
    while (done < 4) ctx.run_one();
  }
}
BENCHMARK(BM_RedisRequest);

}  // namespace

BENCHMARK_MAIN();
