// RedisLimits: the LimitsBackend shared by every gateway replica. Counters live in Redis
// and each operation is one Lua script (EVALSHA, EVAL on NOSCRIPT), so a reservation
// across several budgets and a GCRA check across several limits are atomic however many
// replicas ask at once. Budget counters are hashes {used, spent} under
// <prefix>sy:budget:<rule>:<subject>:<period-start>, expiring a day after their period;
// rate cells hold their TAT under <prefix>sy:rate:… and expire when idle. All of one
// request's keys go in one script, so Redis Cluster is not supported.
//
// One per io_context (gateway worker): it owns that thread's RedisConnection; not
// thread-safe. Handlers run on the io_context's thread. Redis unreachable or slower than
// the timeout → Result error ErrorKind::Unavailable: the gateway fails closed (503).
#pragma once

#include <memory>
#include <string>

#include "governance/limits_backend.h"
#include "store/redis_connection.h"

namespace sy::governance {

struct RedisLimitsOptions {
  std::string key_prefix;        // namespaces the keys (several gateways, or tests, on one Redis)
  bool use_server_clock = true;  // GCRA times from Redis TIME (one clock for every replica);
                                 // false: the caller's now_us (tests inject a clock)
};

class RedisLimits final : public LimitsBackend {
 public:
  RedisLimits(boost::asio::io_context& ctx, store::RedisOptions redis,
              RedisLimitsOptions options = {});
  ~RedisLimits() override;

  void reserve(std::span<const BudgetCell> cells, int64_t micros,
               Handler<ReserveOutcome> done) override;
  void settle(std::span<const BudgetCell> cells, int64_t reserved, int64_t actual,
              Handler<void> done) override;
  void acquire(std::span<const RateCell> cells, int64_t now_us, Handler<RateOutcome> done) override;
  void charge(std::span<const RateCell> cells, int64_t now_us, Handler<void> done) override;
  const char* name() const override { return "redis"; }

  store::RedisConnection& connection() { return conn_; }

 private:
  store::RedisConnection conn_;
  RedisLimitsOptions options_;
};

}  // namespace sy::governance
