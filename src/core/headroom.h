// Headroom: what is left of a deployment's provider limits (requests and tokens per
// minute), tracked by this process with the GCRA sums of core/gcra.h on atomics, so any
// worker thread may read and charge it without a lock. It is an estimate — other
// processes using the same provider account are not seen, and a prompt's tokens are
// estimated — used to steer requests away from a deployment about to be rate-limited,
// not to enforce anything (the provider's own 429 does that).
#pragma once

#include <atomic>
#include <cstdint>

namespace sy {

class Headroom {
 public:
  Headroom(uint32_t rpm, uint32_t tpm) : rpm_(rpm), tpm_(tpm) {}

  // Whether one more request of `tokens` would stay within both limits at `now_us`
  // (microseconds since any fixed epoch).
  bool has_room(int64_t now_us, uint64_t tokens) const;
  // Counts one request of `tokens` sent at `now_us`.
  void charge(int64_t now_us, uint64_t tokens);

  uint32_t rpm() const { return rpm_; }
  uint32_t tpm() const { return tpm_; }

 private:
  uint32_t rpm_, tpm_;  // 0: no limit
  std::atomic<int64_t> requests_tat_{0};
  std::atomic<int64_t> tokens_tat_{0};
};

}  // namespace sy
