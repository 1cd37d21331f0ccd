#include "governance/budget_seed.h"

#include <string>

#include "governance/budget_period.h"

namespace sy::governance {

Result<size_t> seed_budgets(const LimitRules& rules, store::Store& store, MemoryLimits& limits,
                            int64_t now_ms) {
  size_t seeded = 0;
  for (const BudgetRule& rule : rules.budgets()) {
    const PeriodWindow w = period_window(rule.period, now_ms);
    store::SpendQuery q;
    q.since_ms = w.start_ms;
    q.until_ms = w.end_ms;
    const bool one = rule.match != "*";
    switch (rule.scope) {
      case LimitScope::Key:
        q.by = store::SpendDimension::Key;
        if (one) q.key_id = rule.match;
        break;
      case LimitScope::Team:
        q.by = store::SpendDimension::Team;
        if (one) q.team = rule.match;
        break;
      case LimitScope::Project:
        q.by = store::SpendDimension::Project;
        if (one) q.project = rule.match;
        break;
      case LimitScope::Org:
        q.by = store::SpendDimension::Team;  // summed below
        break;
    }
    auto totals = store.spend(q);
    if (!totals) return std::unexpected(std::move(totals.error()));
    if (rule.scope == LimitScope::Org) {
      if (!one) continue;  // "*" orgs cannot be told apart in the ledger
      double sum = 0;
      for (const auto& t : *totals) sum += t.cost_usd;
      limits.seed(LimitRules::budget_cell(rule, rule.match, now_ms), usd_to_micros(sum));
      ++seeded;
      continue;
    }
    for (const auto& t : *totals) {
      if (t.group.empty()) continue;
      limits.seed(LimitRules::budget_cell(rule, t.group, now_ms), usd_to_micros(t.cost_usd));
      ++seeded;
    }
  }
  return seeded;
}

}  // namespace sy::governance
