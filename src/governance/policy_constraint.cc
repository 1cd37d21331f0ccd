#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "governance/policy_set.h"

namespace sy::governance {
namespace {

// The values of attribute `a` of `d`: a single-valued attribute is a set of zero or one.
std::span<const std::string> values_of(int a, const DeploymentFacts& d) {
  const std::string* single[] = {&d.name, &d.provider, &d.model, &d.region, &d.tier};
  if (a == 5) return d.labels;
  const std::string& v = *single[a];
  return v.empty() ? std::span<const std::string>() : std::span<const std::string>(&v, 1);
}

constexpr const char* kNames[] = {"name", "provider", "model", "region", "tier", "labels"};

std::string list(std::span<const std::string> values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

bool contains(const std::vector<std::string>& sorted, std::string_view v) {
  return std::binary_search(sorted.begin(), sorted.end(), v, std::less<>());
}

}  // namespace

DeploymentConstraint DeploymentConstraint::make(std::string_view rule_id,
                                                const DeploymentSelector& s) {
  DeploymentConstraint c;
  c.rule_id_ = rule_id;
  const std::optional<StringCondition>* by_attr[] = {&s.names,   &s.providers, &s.models,
                                                     &s.regions, &s.tiers,     &s.labels};
  for (int a = 0; a < 6; ++a) {
    if (!*by_attr[a]) continue;
    Condition cond{static_cast<Attr>(a), (*by_attr[a])->op, (*by_attr[a])->values, {}};
    cond.sorted = cond.values;
    std::ranges::sort(cond.sorted);
    cond.sorted.erase(std::unique(cond.sorted.begin(), cond.sorted.end()), cond.sorted.end());
    if (!c.reason_.empty()) c.reason_ += " and ";
    const bool multi = cond.attr == Attr::Labels;
    const char* op = cond.op == SetOp::Any   ? (multi ? "include any of" : "in")
                     : cond.op == SetOp::All ? (multi ? "include all of" : "is all of")
                                             : (multi ? "include none of" : "not in");
    c.reason_ += fmt::format("{} {} {}", kNames[a], op, list(cond.values));
    c.conditions_.push_back(std::move(cond));
  }
  return c;
}

bool DeploymentConstraint::holds(const Condition& c, const DeploymentFacts& d) {
  const auto values = values_of(static_cast<int>(c.attr), d);
  switch (c.op) {
    case SetOp::Any:
      return std::ranges::any_of(values, [&](const auto& v) { return contains(c.sorted, v); });
    case SetOp::None:
      return std::ranges::none_of(values, [&](const auto& v) { return contains(c.sorted, v); });
    case SetOp::All:
      return std::ranges::all_of(c.sorted, [&](const auto& want) {
        return std::ranges::find(values, want) != values.end();
      });
  }
  return false;
}

bool DeploymentConstraint::admits(const DeploymentFacts& d) const {
  for (const auto& c : conditions_) {
    if (!holds(c, d)) return false;
  }
  return true;
}

std::string DeploymentConstraint::why_not(const DeploymentFacts& d) const {
  for (const auto& c : conditions_) {
    if (holds(c, d)) continue;
    const auto a = static_cast<int>(c.attr);
    const auto values = values_of(a, d);
    const std::string have = c.attr == Attr::Labels ? list(values)
                             : values.empty()       ? std::string("(none)")
                                                    : values.front();
    switch (c.op) {
      case SetOp::Any:
        return c.attr == Attr::Labels
                   ? fmt::format("labels {} include none of {}", have, list(c.values))
                   : fmt::format("{} {} not in {}", kNames[a], have, list(c.values));
      case SetOp::None:
        return fmt::format("{} {} {} excluded {}", kNames[a], have,
                           c.attr == Attr::Labels ? "include" : "in", list(c.values));
      case SetOp::All:
        return fmt::format("{} {} lack some of {}", kNames[a], have, list(c.values));
    }
  }
  return {};
}

std::string DeploymentConstraint::removal_message(const DeploymentFacts& d) const {
  return fmt::format("removed by policy rule {}: {}", rule_id_, why_not(d));
}

}  // namespace sy::governance
