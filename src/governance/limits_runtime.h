// LimitsRuntime: the budgets-and-rate-limits state of one gateway process, made at
// start-up from the config's `limits:` section. With the memory backend it owns the one
// MemoryLimits every worker shares (seed it with seed_budgets() before serving); with
// Redis each worker gets its own RedisLimits (one connection per io_context).
//
//   auto rt = LimitsRuntime::create(*config);                 // start-up
//   if (auto* mem = (*rt)->memory()) seed_budgets(rules, store, *mem, unix_now_ms());
//   auto w = (*rt)->for_worker(worker_io_context, LimitRules::from_config(*config));
//   w->limiter()                                               // on that worker's thread
//
// The runtime must outlive every WorkerLimits. for_worker() is thread-safe; a
// WorkerLimits belongs to its worker's thread.
#pragma once

#include <memory>

#include "core/config.h"
#include "core/error.h"
#include "governance/limiter.h"
#include "governance/memory_limits.h"
#include "store/redis_connection.h"

namespace sy::governance {

class WorkerLimits {
 public:
  WorkerLimits(std::unique_ptr<LimitsBackend> owned, LimitsBackend& backend,
               std::shared_ptr<const LimitRules> rules)
      : owned_(std::move(owned)), limiter_(std::move(rules), backend) {}
  Limiter& limiter() { return limiter_; }

 private:
  std::unique_ptr<LimitsBackend> owned_;  // declared first: the Limiter refers to it
  Limiter limiter_;
};

class LimitsRuntime {
 public:
  // Fails when the Redis URL cannot be parsed (nothing is connected yet).
  static Result<std::unique_ptr<LimitsRuntime>> create(const Config& c);

  MemoryLimits* memory() { return memory_.get(); }  // null with the Redis backend
  std::unique_ptr<WorkerLimits> for_worker(boost::asio::io_context& ctx,
                                           std::shared_ptr<const LimitRules> rules);

 private:
  std::unique_ptr<MemoryLimits> memory_;
  store::RedisOptions redis_;
};

}  // namespace sy::governance
