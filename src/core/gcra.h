// GCRA (the generic cell rate algorithm) as pure integer math, shared by the in-process
// and the Redis rate limiters (the Lua script in redis_limits.cc does the same sums).
//
// A limit of `limit` units per `window_us` has an emission interval T = window/limit;
// the state is the theoretical arrival time (TAT) of the next unit, in microseconds
// since the epoch. A request costing n units needs increment = ceil(n * T); it conforms
// when max(TAT, now) + increment - now <= window (a full window's worth may come in one
// burst), and then TAT becomes max(TAT, now) + increment. Otherwise it may retry after
// (max(TAT, now) + increment - now - window). Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace sy {

inline constexpr int64_t kMinuteUs = 60'000'000;

// ceil(units * window_us / limit); 0 for zero units. limit must be positive.
int64_t gcra_increment(uint64_t units, uint32_t limit, int64_t window_us = kMinuteUs);

struct GcraDecision {
  bool allowed = false;
  int64_t new_tat_us = 0;      // the state to store when allowed
  int64_t retry_after_us = 0;  // when refused: how long until the same request conforms
};

GcraDecision gcra_decide(int64_t tat_us, int64_t now_us, int64_t increment_us, int64_t window_us);

}  // namespace sy
