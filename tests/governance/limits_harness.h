// A LimitsBackend under test, and a way to wait for its callbacks: MemoryLimits answers
// before returning; RedisLimits answers on its io_context, which wait() runs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "governance/limits_backend.h"

namespace sy::governance::testing {

class LimitsHarness {
 public:
  virtual ~LimitsHarness() = default;
  virtual LimitsBackend& backend() = 0;
  // Runs the backend's event loop until `done` is true (fails the test after a while).
  virtual void wait(const std::function<bool()>& done) = 0;
  // A second backend object over the same counters ("another replica"); null when the
  // backend cannot have one.
  virtual std::unique_ptr<LimitsHarness> replica() { return nullptr; }
};

std::unique_ptr<LimitsHarness> memory_harness();
// Null (and `why` set) when no test Redis server is configured.
std::unique_ptr<LimitsHarness> redis_harness(std::string* why);

// Calls `start(handler)` and waits for the handler's result.
template <class T, class Start>
Result<T> call(LimitsHarness& h, Start&& start) {
  std::optional<Result<T>> out;
  start([&out](Result<T> r) { out.emplace(std::move(r)); });
  h.wait([&out] { return out.has_value(); });
  return std::move(*out);
}

}  // namespace sy::governance::testing
