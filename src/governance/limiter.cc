#include "governance/limiter.h"

#include <chrono>

namespace sy::governance {

int64_t system_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

BudgetReservation& BudgetReservation::operator=(BudgetReservation&& o) noexcept {
  if (this != &o) {
    settle(0);
    backend_ = std::exchange(o.backend_, nullptr);
    cells_ = std::move(o.cells_);
    micros_ = std::exchange(o.micros_, 0);
  }
  return *this;
}

void BudgetReservation::settle(double actual_usd, Handler<void> done) {
  if (backend_ == nullptr) {
    if (done) done({});
    return;
  }
  LimitsBackend* b = std::exchange(backend_, nullptr);
  b->settle(cells_, micros_, usd_to_micros(actual_usd), std::move(done));
}

Limiter::Limiter(std::shared_ptr<const LimitRules> rules, LimitsBackend& backend, Clock clock)
    : rules_(std::move(rules)), backend_(backend), clock_(std::move(clock)) {}

void Limiter::check_rate(const Subjects& who, Handler<RateVerdict> done) {
  std::vector<RateCell> cells = rules_->request_cells(who);
  std::vector<RateCell> tokens = rules_->token_cells(who, 0);
  cells.insert(cells.end(), std::make_move_iterator(tokens.begin()),
               std::make_move_iterator(tokens.end()));
  if (cells.empty()) {
    done(RateVerdict{});
    return;
  }
  std::vector<std::string> ids;
  ids.reserve(cells.size());
  for (const auto& c : cells) ids.push_back(c.rule_id);
  backend_.acquire(cells, clock_(),
                   [ids = std::move(ids), done = std::move(done)](Result<RateOutcome> r) mutable {
                     if (!r) {
                       done(std::unexpected(std::move(r.error())));
                       return;
                     }
                     RateVerdict v;
                     v.allowed = r->allowed;
                     if (!r->allowed) {
                       v.refused_by = r->refused < ids.size() ? ids[r->refused] : "";
                       v.retry_after_ms = (r->retry_after_us + 999) / 1000;
                     }
                     done(std::move(v));
                   });
}

void Limiter::reserve(const Subjects& who, double worst_case_usd, Handler<BudgetVerdict> done) {
  const int64_t now_ms = clock_() / 1000;
  std::vector<BudgetCell> cells = rules_->budget_cells(who, now_ms);
  if (cells.empty()) {
    done(BudgetVerdict{});
    return;
  }
  const int64_t micros = usd_to_micros(worst_case_usd);
  // The cells move into the handler (and then the reservation); the span given to the
  // backend stays valid because a backend copies what it needs before returning.
  auto owned = std::make_unique<std::vector<BudgetCell>>(std::move(cells));
  const std::span<const BudgetCell> view(*owned);
  backend_.reserve(view, micros,
                   [backend = &backend_, owned = std::move(owned), micros, now_ms,
                    done = std::move(done)](Result<ReserveOutcome> r) mutable {
                     if (!r) {
                       done(std::unexpected(std::move(r.error())));
                       return;
                     }
                     BudgetVerdict v;
                     for (size_t i : r->soft_over) v.soft_exceeded.push_back((*owned)[i].rule_id);
                     if (!r->admitted) {
                       const BudgetCell& c = (*owned)[r->refused];
                       v.admitted = false;
                       v.refused_by = c.rule_id;
                       v.retry_after_ms =
                           c.period_end_ms == INT64_MAX ? 0 : c.period_end_ms - now_ms;
                     } else {
                       v.reservation = BudgetReservation(backend, std::move(*owned), micros);
                     }
                     done(std::move(v));
                   });
}

void Limiter::charge_tokens(const Subjects& who, uint64_t tokens, Handler<void> done) {
  const std::vector<RateCell> cells = rules_->token_cells(who, tokens);
  if (cells.empty() || tokens == 0) {
    if (done) done({});
    return;
  }
  backend_.charge(cells, clock_(), std::move(done));
}

Error rate_limit_error(const RateVerdict& v) {
  return Error::make(ErrorKind::RateLimited,
                     "rate limit \"" + v.refused_by + "\" exceeded; retry after " +
                         std::to_string(v.retry_after_ms) + " ms",
                     {}, "rate_limited");
}

Error budget_error(const BudgetVerdict& v) {
  return Error::make(ErrorKind::RateLimited,
                     "budget \"" + v.refused_by + "\" is exhausted for the current period", {},
                     "budget_exceeded");
}

}  // namespace sy::governance
