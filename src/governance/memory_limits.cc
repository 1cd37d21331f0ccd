#include "governance/memory_limits.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "core/time_spec.h"
#include "core/gcra.h"

namespace sy::governance {
namespace {

size_t shard_of(std::string_view key, size_t shards) {
  return std::hash<std::string_view>{}(key) % shards;
}

// Every this many new counters in a shard, counters past their expiry are dropped.
constexpr uint32_t kPruneEvery = 1024;

}  // namespace

std::shared_ptr<MemoryLimits::Counter> MemoryLimits::counter(const BudgetCell& cell) {
  auto& shard = budgets_[shard_of(cell.key, kShards)];
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(cell.key);
  if (it != shard.map.end()) return it->second;
  if (++shard.inserts % kPruneEvery == 0) {
    const int64_t now = unix_now_ms();
    std::erase_if(shard.map, [now](const auto& kv) {
      return kv.second->expire_at_ms != 0 && kv.second->expire_at_ms < now;
    });
  }
  auto c = std::make_shared<Counter>();
  c->expire_at_ms = cell.expire_at_ms;
  shard.map.emplace(cell.key, c);
  return c;
}

std::shared_ptr<MemoryLimits::Cell> MemoryLimits::rate_cell(const std::string& key) {
  auto& shard = rates_[shard_of(key, kShards)];
  std::lock_guard lock(shard.mu);
  auto& slot = shard.map[key];
  if (!slot) slot = std::make_shared<Cell>();
  return slot;
}

void MemoryLimits::reserve(std::span<const BudgetCell> cells, int64_t micros,
                           Handler<ReserveOutcome> done) {
  ReserveOutcome out;
  std::vector<std::shared_ptr<Counter>> held;
  held.reserve(cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    auto c = counter(cells[i]);
    if (cells[i].hard) {
      int64_t used = c->used.load(std::memory_order_relaxed);
      bool fits = true;
      while (true) {
        if (used + micros > cells[i].limit_micros) {
          fits = false;
          break;
        }
        if (c->used.compare_exchange_weak(used, used + micros, std::memory_order_acq_rel)) break;
      }
      if (!fits) {
        for (auto& h : held) h->used.fetch_sub(micros, std::memory_order_acq_rel);
        out.refused = i;
        out.soft_over.clear();
        done(out);
        return;
      }
    } else {
      const int64_t now_used = c->used.fetch_add(micros, std::memory_order_acq_rel) + micros;
      if (now_used > cells[i].limit_micros) out.soft_over.push_back(i);
    }
    held.push_back(std::move(c));
  }
  out.admitted = true;
  done(out);
}

void MemoryLimits::settle(std::span<const BudgetCell> cells, int64_t reserved, int64_t actual,
                          Handler<void> done) {
  for (const auto& cell : cells) {
    auto c = counter(cell);
    c->used.fetch_add(actual - reserved, std::memory_order_acq_rel);
    c->spent.fetch_add(actual, std::memory_order_acq_rel);
  }
  if (done) done({});
}

void MemoryLimits::seed(const BudgetCell& cell, int64_t spent_micros) {
  auto c = counter(cell);
  const int64_t before = c->spent.exchange(spent_micros, std::memory_order_acq_rel);
  c->used.fetch_add(spent_micros - before, std::memory_order_acq_rel);
}

MemoryLimits::BudgetUsage MemoryLimits::usage(std::string_view key) const {
  const auto& shard = budgets_[shard_of(key, kShards)];
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(key));
  if (it == shard.map.end()) return {};
  return {it->second->spent.load(), it->second->used.load()};
}

void MemoryLimits::acquire(std::span<const RateCell> cells, int64_t now_us,
                           Handler<RateOutcome> done) {
  RateOutcome out;
  std::vector<std::pair<std::shared_ptr<Cell>, int64_t>> taken;  // cell, increment to undo
  bool refused = false;
  for (size_t i = 0; i < cells.size(); ++i) {
    auto c = rate_cell(cells[i].key);
    int64_t tat = c->tat_us.load(std::memory_order_relaxed);
    while (true) {
      const GcraDecision d = gcra_decide(tat, now_us, cells[i].increment_us, cells[i].window_us);
      if (!d.allowed) {
        if (!refused) out.refused = i;
        refused = true;
        out.retry_after_us = std::max(out.retry_after_us, d.retry_after_us);
        break;
      }
      if (c->tat_us.compare_exchange_weak(tat, d.new_tat_us, std::memory_order_acq_rel)) {
        taken.emplace_back(std::move(c), cells[i].increment_us);
        break;
      }
    }
  }
  if (refused) {
    // Undo: TAT goes back by the increment (never behind what an idle cell would hold).
    for (auto& [c, inc] : taken) c->tat_us.fetch_sub(inc, std::memory_order_acq_rel);
  } else {
    out.allowed = true;
  }
  done(out);
}

void MemoryLimits::charge(std::span<const RateCell> cells, int64_t now_us, Handler<void> done) {
  for (const auto& cell : cells) {
    auto c = rate_cell(cell.key);
    int64_t tat = c->tat_us.load(std::memory_order_relaxed);
    while (!c->tat_us.compare_exchange_weak(tat, std::max(tat, now_us) + cell.increment_us,
                                            std::memory_order_acq_rel)) {
    }
  }
  if (done) done({});
}

}  // namespace sy::governance
