// Limiter: what the gateway calls for budgets and rate limits. One per worker thread
// (it uses that worker's LimitsBackend; MemoryLimits may be shared by every Limiter,
// RedisLimits is one per io_context). Not thread-safe: use it, and the reservations it
// hands out, on its worker's thread only.
//
// Per request:
//   1. check_rate(who, done): one request against every rpm cell, and "is there room?"
//      against every tpm cell (tokens are charged after the response: step 4).
//      Refused → 429 with Retry-After (RateVerdict::retry_after_ms).
//   2. reserve(who, worst_case_usd, done): the worst-case cost held against every budget
//      that applies (key, team, project, org), all or none. Refused by a hard budget →
//      429 "budget_exceeded"; soft budgets over their limit → a warning header.
//   3. dispatch the request.
//   4. reservation.settle(actual_usd) — or let the reservation go out of scope, which
//      settles 0 (a failed request releases its hold) — and charge_tokens(who, tokens).
// A reservation must be settled or dropped before its backend is destroyed (it keeps a
// pointer to it); a worker destroys its reservations before its WorkerLimits.
// A Result error from a callback means the backend could not answer (Redis down):
// ErrorKind::Unavailable (503), fail closed. limits_await.h wraps these for coroutines.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "governance/limit_rules.h"
#include "governance/limits_backend.h"

namespace sy::governance {

using Clock = std::function<int64_t()>;  // microseconds since the Unix epoch
int64_t system_clock_us();

struct RateVerdict {
  bool allowed = true;
  std::string refused_by;      // the rule id that refused
  int64_t retry_after_ms = 0;  // when refused, rounded up
};

// A held worst-case cost. Move-only; settle() once, or the destructor settles 0.
class BudgetReservation {
 public:
  BudgetReservation() = default;
  BudgetReservation(LimitsBackend* backend, std::vector<BudgetCell> cells, int64_t micros)
      : backend_(backend), cells_(std::move(cells)), micros_(micros) {}
  BudgetReservation(BudgetReservation&& o) noexcept { *this = std::move(o); }
  BudgetReservation& operator=(BudgetReservation&& o) noexcept;
  BudgetReservation(const BudgetReservation&) = delete;
  BudgetReservation& operator=(const BudgetReservation&) = delete;
  ~BudgetReservation() { settle(0); }

  // Releases the hold and records the actual cost (may exceed the hold: it was spent).
  // `done` (optional) learns whether the backend recorded it. Later calls do nothing.
  void settle(double actual_usd, Handler<void> done = {});
  bool active() const { return backend_ != nullptr; }
  int64_t reserved_micros() const { return micros_; }
  const std::vector<BudgetCell>& cells() const { return cells_; }

 private:
  LimitsBackend* backend_ = nullptr;
  std::vector<BudgetCell> cells_;
  int64_t micros_ = 0;
};

struct BudgetVerdict {
  bool admitted = true;
  BudgetReservation reservation;           // active when admitted (and a budget applies)
  std::string refused_by;                  // the hard budget's rule id, when refused
  int64_t retry_after_ms = 0;              // when refused: until that budget's period ends
  std::vector<std::string> soft_exceeded;  // soft budgets over their limit (warn)
};

class Limiter {
 public:
  Limiter(std::shared_ptr<const LimitRules> rules, LimitsBackend& backend,
          Clock clock = system_clock_us);

  void check_rate(const Subjects& who, Handler<RateVerdict> done);
  void reserve(const Subjects& who, double worst_case_usd, Handler<BudgetVerdict> done);
  // Tokens used by a finished request, against every tpm cell. `done` may be empty.
  void charge_tokens(const Subjects& who, uint64_t tokens, Handler<void> done = {});

  // Takes new rules (config reload); reservations already made keep their cells.
  void set_rules(std::shared_ptr<const LimitRules> rules) { rules_ = std::move(rules); }
  const LimitRules& rules() const { return *rules_; }

 private:
  std::shared_ptr<const LimitRules> rules_;
  LimitsBackend& backend_;
  Clock clock_;
};

// The client-facing errors for refusals (429, codes "rate_limited" and "budget_exceeded").
Error rate_limit_error(const RateVerdict& v);
Error budget_error(const BudgetVerdict& v);

}  // namespace sy::governance
