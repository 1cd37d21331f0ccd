#include "governance/limits_runtime.h"

#include "governance/redis_limits.h"

namespace sy::governance {

Result<std::unique_ptr<LimitsRuntime>> LimitsRuntime::create(const Config& c) {
  auto rt = std::make_unique<LimitsRuntime>();
  if (c.limits.backend == LimitsBackendKind::Memory) {
    rt->memory_ = std::make_unique<MemoryLimits>();
    return rt;
  }
  auto endpoint = store::parse_redis_url(c.limits.redis_url);
  if (!endpoint) return std::unexpected(std::move(endpoint.error()));
  rt->redis_.endpoint = std::move(*endpoint);
  rt->redis_.timeout_ms = c.limits.redis_timeout_ms;
  return rt;
}

std::unique_ptr<WorkerLimits> LimitsRuntime::for_worker(boost::asio::io_context& ctx,
                                                        std::shared_ptr<const LimitRules> rules) {
  if (memory_) return std::make_unique<WorkerLimits>(nullptr, *memory_, std::move(rules));
  auto redis = std::make_unique<RedisLimits>(ctx, redis_);
  LimitsBackend& backend = *redis;
  return std::make_unique<WorkerLimits>(std::move(redis), backend, std::move(rules));
}

}  // namespace sy::governance
