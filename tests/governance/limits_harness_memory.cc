#include <gtest/gtest.h>

#include "governance/limits_harness.h"
#include "governance/memory_limits.h"

namespace sy::governance::testing {
namespace {

class MemoryHarness final : public LimitsHarness {
 public:
  LimitsBackend& backend() override { return limits_; }
  void wait(const std::function<bool()>& done) override {
    EXPECT_TRUE(done()) << "the in-process backend answers before returning";
  }

 private:
  MemoryLimits limits_;
};

}  // namespace

std::unique_ptr<LimitsHarness> memory_harness() { return std::make_unique<MemoryHarness>(); }

}  // namespace sy::governance::testing
