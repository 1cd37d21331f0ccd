#include "core/headroom.h"

#include <algorithm>

#include "core/gcra.h"

namespace sy {
namespace {

bool conforms(const std::atomic<int64_t>& tat, uint32_t limit, uint64_t units, int64_t now_us) {
  if (limit == 0 || units == 0) return true;
  return gcra_decide(tat.load(std::memory_order_relaxed), now_us, gcra_increment(units, limit), kMinuteUs)
      .allowed;
}

// Advances the TAT by the request's increment whether or not it conforms: the request
// was sent either way, and the provider counts it.
void advance(std::atomic<int64_t>& tat, uint32_t limit, uint64_t units, int64_t now_us) {
  if (limit == 0 || units == 0) return;
  const int64_t inc = gcra_increment(units, limit);
  int64_t seen = tat.load(std::memory_order_relaxed);
  while (!tat.compare_exchange_weak(seen, std::max(seen, now_us) + inc, std::memory_order_relaxed)) {
  }
}

}  // namespace

bool Headroom::has_room(int64_t now_us, uint64_t tokens) const {
  return conforms(requests_tat_, rpm_, 1, now_us) && conforms(tokens_tat_, tpm_, tokens, now_us);
}

void Headroom::charge(int64_t now_us, uint64_t tokens) {
  advance(requests_tat_, rpm_, 1, now_us);
  advance(tokens_tat_, tpm_, tokens, now_us);
}

}  // namespace sy
