#include "governance/limit_rules.h"

#include <cmath>
#include <limits>

#include "governance/budget_period.h"
#include "core/gcra.h"

namespace sy::governance {
namespace {

// Counters outlive their period by a day, so a request settled just after the rollover
// still finds the counter it reserved against.
constexpr int64_t kExpiryGraceMs = 24 * 3600 * 1000;

bool applies(std::string_view match, std::string_view subject) {
  return !subject.empty() && (match == "*" || match == subject);
}

}  // namespace

int64_t usd_to_micros(double usd) {
  if (!(usd > 0)) return 0;
  const double m = std::ceil(usd * 1e6 - 1e-6);  // tolerate binary noise, then round up
  return m >= 9e15 ? static_cast<int64_t>(9e15) : static_cast<int64_t>(m);
}

double micros_to_usd(int64_t micros) { return static_cast<double>(micros) / 1e6; }

LimitRules::LimitRules(std::vector<BudgetRule> budgets, std::vector<RateLimitRule> rate_limits)
    : budgets_(std::move(budgets)), rate_limits_(std::move(rate_limits)) {}

std::shared_ptr<const LimitRules> LimitRules::from_config(const Config& c) {
  return std::make_shared<const LimitRules>(c.budgets, c.rate_limits);
}

std::string_view subject_of(const Subjects& who, LimitScope scope) {
  switch (scope) {
    case LimitScope::Key:
      return who.key;
    case LimitScope::Team:
      return who.team;
    case LimitScope::Project:
      return who.project;
    case LimitScope::Org:
      return who.org;
  }
  return {};
}

const char* scope_name(LimitScope scope) {
  switch (scope) {
    case LimitScope::Key:
      return "key";
    case LimitScope::Team:
      return "team";
    case LimitScope::Project:
      return "project";
    case LimitScope::Org:
      return "org";
  }
  return "?";
}

BudgetCell LimitRules::budget_cell(const BudgetRule& rule, std::string_view subject,
                                   int64_t now_ms) {
  const PeriodWindow w = period_window(rule.period, now_ms);
  BudgetCell c;
  c.key.reserve(64);
  c.key.append("sy:budget:").append(rule.id).append(":").append(subject).append(":");
  c.key.append(period_label(rule.period, w));
  c.rule_id = rule.id;
  c.limit_micros = usd_to_micros(rule.limit_usd);
  c.hard = rule.mode == BudgetMode::Hard;
  c.period_end_ms = w.end_ms;
  c.expire_at_ms = rule.period == BudgetPeriod::Total ? 0 : w.end_ms + kExpiryGraceMs;
  c.ttl_ms = c.expire_at_ms == 0 ? 0 : c.expire_at_ms - now_ms;
  return c;
}

std::vector<BudgetCell> LimitRules::budget_cells(const Subjects& who, int64_t now_ms) const {
  std::vector<BudgetCell> out;
  for (const auto& rule : budgets_) {
    const std::string_view subject = subject_of(who, rule.scope);
    if (applies(rule.match, subject)) out.push_back(budget_cell(rule, subject, now_ms));
  }
  return out;
}

namespace {

void add_rate_cells(const std::vector<RateLimitRule>& rules, const Subjects& who, bool tokens,
                    uint64_t units, std::vector<RateCell>& out) {
  for (const auto& rule : rules) {
    const uint32_t limit = tokens ? rule.tpm : rule.rpm;
    const std::string_view subject = subject_of(who, rule.scope);
    if (limit == 0 || !applies(rule.match, subject)) continue;
    RateCell c;
    c.key.append("sy:rate:").append(rule.id).append(tokens ? ":t:" : ":r:").append(subject);
    c.rule_id = rule.id;
    c.increment_us = gcra_increment(units, limit);
    c.window_us = kMinuteUs;
    out.push_back(std::move(c));
  }
}

}  // namespace

std::vector<RateCell> LimitRules::request_cells(const Subjects& who) const {
  std::vector<RateCell> out;
  add_rate_cells(rate_limits_, who, false, 1, out);
  return out;
}

std::vector<RateCell> LimitRules::token_cells(const Subjects& who, uint64_t tokens) const {
  std::vector<RateCell> out;
  add_rate_cells(rate_limits_, who, true, tokens, out);
  return out;
}

}  // namespace sy::governance
