#include "governance/limits_harness.h"

namespace sy::governance::testing {

std::unique_ptr<LimitsHarness> redis_harness(std::string* why) {
  *why = "the Redis backend is not built yet";
  return nullptr;
}

}  // namespace sy::governance::testing
