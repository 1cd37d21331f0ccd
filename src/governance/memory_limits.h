// MemoryLimits: the in-process LimitsBackend (the default; one gateway process). One
// object serves every worker thread: thread-safe. Counters live in a sharded hash map
// (a shard's mutex is held only to find or create a counter); the counts themselves are
// atomics updated with compare-and-swap, so concurrent requests never jointly overspend
// a hard limit and no lock is held while charging.
//
// A multi-cell reservation charges the cells in order and undoes the ones already
// charged when a later hard cell refuses: the end state is all or none, and a concurrent
// request may briefly see the undone charge (it can be refused early, never overspend).
// Counters whose period ended more than a day ago are dropped as new ones are made.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "governance/limits_backend.h"

namespace sy::governance {

class MemoryLimits final : public LimitsBackend {
 public:
  MemoryLimits() = default;

  void reserve(std::span<const BudgetCell> cells, int64_t micros,
               Handler<ReserveOutcome> done) override;
  void settle(std::span<const BudgetCell> cells, int64_t reserved, int64_t actual,
              Handler<void> done) override;
  void acquire(std::span<const RateCell> cells, int64_t now_us, Handler<RateOutcome> done) override;
  void charge(std::span<const RateCell> cells, int64_t now_us, Handler<void> done) override;
  const char* name() const override { return "memory"; }

  // Start-up: sets the settled spend of `cell` (e.g. from the store's spend ledger for the
  // current period; see budget_seed.h). Replaces any earlier seed; reservations in flight
  // are kept.
  void seed(const BudgetCell& cell, int64_t spent_micros);

  // Reads one budget counter (tests, the admin API): settled spend, and spend plus
  // outstanding reservations.
  struct BudgetUsage {
    int64_t spent_micros = 0;
    int64_t used_micros = 0;
  };
  BudgetUsage usage(std::string_view key) const;

 private:
  struct Counter {
    std::atomic<int64_t> used{0};  // spent + outstanding reservations
    std::atomic<int64_t> spent{0};
    int64_t expire_at_ms = 0;  // set once at creation
  };
  struct Cell {
    std::atomic<int64_t> tat_us{0};
  };
  template <class T>
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<T>> map;
    uint32_t inserts = 0;
  };
  static constexpr size_t kShards = 64;

  std::shared_ptr<Counter> counter(const BudgetCell& cell);
  std::shared_ptr<Cell> rate_cell(const std::string& key);

  std::array<Shard<Counter>, kShards> budgets_;
  std::array<Shard<Cell>, kShards> rates_;
};

}  // namespace sy::governance
