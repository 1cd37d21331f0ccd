// LimitRules: the budgets and rate limits of one config snapshot, compiled for lookup:
// given a request's subjects (its key, team, project and organization) and the time, the
// counter cells every applicable rule charges. A rule applies when the request has a
// subject of the rule's scope and the rule's `match` is "*" (each subject separately)
// or that subject's name. Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "governance/limits_backend.h"

namespace sy::governance {

// Who a request is on behalf of; an empty field means "none" (that scope's rules skip it).
struct Subjects {
  std::string_view key;
  std::string_view team;
  std::string_view project;
  std::string_view org;
};

class LimitRules {
 public:
  LimitRules(std::vector<BudgetRule> budgets, std::vector<RateLimitRule> rate_limits);
  static std::shared_ptr<const LimitRules> from_config(const Config& c);

  const std::vector<BudgetRule>& budgets() const { return budgets_; }
  const std::vector<RateLimitRule>& rate_limits() const { return rate_limits_; }
  bool empty() const { return budgets_.empty() && rate_limits_.empty(); }

  // Budget cells for the period each rule's window at now_ms falls in.
  std::vector<BudgetCell> budget_cells(const Subjects& who, int64_t now_ms) const;
  // The cell for one rule and subject (what seeding and the tests use).
  static BudgetCell budget_cell(const BudgetRule& rule, std::string_view subject, int64_t now_ms);

  // Requests-per-minute cells, each costing one request.
  std::vector<RateCell> request_cells(const Subjects& who) const;
  // Tokens-per-minute cells costing `tokens` (0: only "is there room now?").
  std::vector<RateCell> token_cells(const Subjects& who, uint64_t tokens) const;

 private:
  std::vector<BudgetRule> budgets_;
  std::vector<RateLimitRule> rate_limits_;
};

std::string_view subject_of(const Subjects& who, LimitScope scope);
const char* scope_name(LimitScope scope);

}  // namespace sy::governance
