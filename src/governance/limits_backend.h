// LimitsBackend: where budget and rate-limit counters live — in this process
// (MemoryLimits) or in Redis shared by every replica (RedisLimits). The Limiter
// (limiter.h) turns a request's subjects into counter cells and calls a backend; the
// gateway talks to the Limiter, not to a backend.
//
// Calls complete through a handler: MemoryLimits calls it before returning; RedisLimits
// calls it later on its io_context's thread. A backend copies what it needs from the
// spans before returning. A Result error means the backend could not answer (Redis down
// or too slow): ErrorKind::Unavailable, code "redis_unavailable" — fail closed (503).
//
// Amounts are integer micro-USD (1e-6 USD); times are microseconds since the epoch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace sy::governance {

template <class T>
using Handler = std::move_only_function<void(Result<T>)>;

// One budget counter for one subject in one period, e.g.
// "sy:budget:team-eng-monthly:eng:2026-03-01". The counter keeps `used` (settled spend
// plus outstanding reservations) and `spent` (settled spend only).
struct BudgetCell {
  std::string key;
  std::string rule_id;
  int64_t limit_micros = 0;
  bool hard = true;
  int64_t period_end_ms = 0;  // when the period rolls over (INT64_MAX: never)
  int64_t expire_at_ms = 0;   // when the counter may be dropped (0: never)
  int64_t ttl_ms = 0;         // the same, counted from when the cell was made (0: never)
};

struct ReserveOutcome {
  bool admitted = false;
  std::size_t refused = 0;             // index of the hard cell that refused, when not admitted
  std::vector<std::size_t> soft_over;  // indices of soft cells now over their limit
};

// One GCRA state, e.g. "sy:rate:key-rpm:r:key_abc". See gcra.h for the math.
struct RateCell {
  std::string key;
  std::string rule_id;
  int64_t increment_us = 0;
  int64_t window_us = 0;
};

struct RateOutcome {
  bool allowed = false;
  std::size_t refused = 0;     // index of the first cell that refused
  int64_t retry_after_us = 0;  // the longest wait among the refusing cells
};

class LimitsBackend {
 public:
  virtual ~LimitsBackend() = default;

  // Adds `micros` to every cell's `used`, all or none: refused (nothing held) when a hard
  // cell would go over its limit. Soft cells are always charged and reported when over.
  virtual void reserve(std::span<const BudgetCell> cells, int64_t micros,
                       Handler<ReserveOutcome> done) = 0;
  // Releases a reservation of `reserved` micros and records `actual` as spent.
  // `done` may be empty.
  virtual void settle(std::span<const BudgetCell> cells, int64_t reserved, int64_t actual,
                      Handler<void> done) = 0;
  // GCRA on every cell, all or none: allowed only when every cell conforms.
  virtual void acquire(std::span<const RateCell> cells, int64_t now_us,
                       Handler<RateOutcome> done) = 0;
  // Charges every cell unconditionally (tokens counted after the response). `done` may be
  // empty.
  virtual void charge(std::span<const RateCell> cells, int64_t now_us, Handler<void> done) = 0;

  virtual const char* name() const = 0;  // "memory" or "redis"
};

// 1e-6 USD units, rounded up (a reservation never undercounts); negative → 0.
int64_t usd_to_micros(double usd);
double micros_to_usd(int64_t micros);

}  // namespace sy::governance
