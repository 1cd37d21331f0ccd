// PolicyConfig: the declarative governance policies of a config file (`policies:`), as
// read and validated by the loader. Plain values with no evaluation logic; the policy
// engine (governance/policy_set.h) compiles them once per config snapshot into an
// immutable PolicySet. docs/policies.md describes every field. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sy {

// How a condition compares an attribute's values (a set: a single-valued attribute such
// as team or region holds zero or one value) with the condition's values.
enum class SetOp {
  Any,   // the attribute holds at least one of the values   (`[a, b]`, `{any: [a, b]}`)
  All,   // the attribute holds every one of the values      (`{all: [a, b]}`)
  None,  // the attribute holds none of the values           (`{not: [a, b]}`)
};

struct StringCondition {
  SetOp op = SetOp::Any;
  std::vector<std::string> values;  // non-empty
};

// Bounds on a number, ANDed. A request that does not state the number matches only when
// `match_missing` is set.
struct NumberCondition {
  std::optional<uint64_t> gt, gte, lt, lte;
  bool match_missing = false;
};

// What a rule looks at. Unset conditions match anything; the set ones are ANDed, so a
// rule without conditions applies to every request.
struct PolicyWhen {
  // The principal (the caller's key): team, project, roles, key tags.
  std::optional<StringCondition> team, project, roles, tags;
  // The request: the model or route asked for, the task type, the data classes the DLP
  // scanner found (entity types such as EMAIL_ADDRESS), the names of the tools offered.
  std::optional<StringCondition> model, task, data_classes, tools;
  std::optional<NumberCondition> max_tokens;
};

// Which deployments a `restrict` rule admits: the set conditions are ANDed (at least one
// is set). `names` are deployment names, `models` upstream model ids.
struct DeploymentSelector {
  std::optional<StringCondition> names, providers, models, regions, tiers, labels;
};

enum class PolicyEffect { Allow, Deny, Mask, Restrict, RequireApproval };

struct PolicyRule {
  std::string id;           // unique; letters, digits, '.', '_', '-'
  std::string description;  // for people; not used by the engine
  PolicyWhen when;
  PolicyEffect effect = PolicyEffect::Allow;
  std::string message;                    // deny: told to the client (has a default)
  std::vector<std::string> data_classes;  // mask: the data classes to mask (non-empty)
  DeploymentSelector deployments;         // restrict: the deployments still admitted
};

// What a request gets when no rule decides: allow, or deny unless an `allow` rule fires.
enum class PolicyDefault { Allow, Deny };

struct PolicyConfig {
  PolicyDefault default_effect = PolicyDefault::Allow;
  std::vector<PolicyRule> rules;  // in file order; decisions list fired rules in this order
  // The section's YAML as read (the config file's, re-emitted; or the admin API's text as
  // given), for showing which policies are in force. Not used by the engine.
  std::string text;
};

inline const char* effect_name(PolicyEffect e) {
  switch (e) {
    case PolicyEffect::Allow:
      return "allow";
    case PolicyEffect::Deny:
      return "deny";
    case PolicyEffect::Mask:
      return "mask";
    case PolicyEffect::Restrict:
      return "restrict";
    case PolicyEffect::RequireApproval:
      return "require_approval";
  }
  return "?";
}

}  // namespace sy
