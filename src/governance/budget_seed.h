// Seeding the in-process budget counters at start-up from the store's spend ledger, so
// a restarted gateway does not forget what was spent this period. Blocks on the store:
// call it once before the workers start, never on a worker thread.
//
// Each budget rule's current period is summed from the ledger: scope key, team and
// project by that column (every subject for match "*", else the one named); scope org
// from every row (the ledger has no organization column yet, and a gateway serves one
// organization).
#pragma once

#include <cstdint>

#include "core/error.h"
#include "governance/limit_rules.h"
#include "governance/memory_limits.h"
#include "store/store.h"

namespace sy::governance {

// Returns how many counters were seeded.
Result<size_t> seed_budgets(const LimitRules& rules, store::Store& store, MemoryLimits& limits,
                            int64_t now_ms);

}  // namespace sy::governance
