// PolicySet: the declarative policies of one config snapshot (core/policy_config.h),
// compiled once into an immutable, thread-safe object shared as
// std::shared_ptr<const PolicySet>. Evaluation is pure and split in two for the router:
//
//   1. request level, before routing:
//        PolicyDecision d = policies->evaluate({principal, request});
//      → allow or deny (deny overrides everything; the first deny rule's id and message),
//        the data classes to mask, whether approval is required, every rule that fired,
//        and the deployment constraints of the `restrict` rules that fired;
//   2. per candidate deployment: each DeploymentConstraint is an independent, named
//      predicate the router applies to its candidate list:
//        if (!c->admits(facts)) remove(candidate, c->removal_message(facts));
//
// Evaluation does not allocate beyond the decision's vectors (none once a reused decision
// has grown; evaluate(input, out)). A decision's string_views and constraint pointers
// point into the PolicySet: keep the snapshot while using them. See docs/policies.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/policy_config.h"
#include "governance/policy_facts.h"
#include "governance/policy_vocabulary.h"

namespace sy::governance {

// The deployments one `restrict` rule admits. Immutable; thread-safe.
class DeploymentConstraint {
 public:
  std::string_view rule_id() const { return rule_id_; }
  // What the rule admits, e.g. "region in [eu-west-1, eu-central-1]".
  std::string_view reason() const { return reason_; }
  bool admits(const DeploymentFacts& d) const;
  // Why `d` is not admitted, e.g. "region eu-west not in [on-prem]"; "" when it is.
  std::string why_not(const DeploymentFacts& d) const;
  // "removed by policy rule pii-on-prem: region eu-west not in [on-prem]"
  std::string removal_message(const DeploymentFacts& d) const;

 private:
  friend class PolicySet;
  enum class Attr : uint8_t { Name, Provider, Model, Region, Tier, Labels };
  struct Condition {
    Attr attr;
    SetOp op;
    std::vector<std::string> values;  // as configured, for messages
    std::vector<std::string> sorted;  // sorted and unique, for lookups
  };
  static DeploymentConstraint make(std::string_view rule_id, const DeploymentSelector& s);
  static bool holds(const Condition& c, const DeploymentFacts& d);

  std::string rule_id_;
  std::string reason_;
  std::vector<Condition> conditions_;  // ANDed
};

enum class PolicyOutcome { Allow, Deny };

struct PolicyDecision {
  PolicyOutcome effect = PolicyOutcome::Allow;
  std::string_view deny_rule;     // the first deny rule that fired; "" when denied by default
  std::string_view deny_message;  // for the client
  bool require_approval = false;
  std::string_view approval_rule;       // the first require_approval rule that fired
  std::vector<std::string_view> fired;  // every rule that fired, in config order
  std::vector<std::string_view> mask;   // data classes to mask, each once
  std::vector<const DeploymentConstraint*> constraints;  // of the restrict rules that fired

  bool allowed() const { return effect == PolicyOutcome::Allow; }
  // The first constraint that does not admit `d`, or nullptr when every one does.
  const DeploymentConstraint* rejecting(const DeploymentFacts& d) const;
  // {"effect","deny":{"rule","message"}|null,"require_approval","approval_rule","fired",
  //  "mask","constraints":[{"rule","admits"}]} for the audit record and the CLI.
  std::string to_json() const;
  void clear();
};

class PolicySet {
 public:
  // Checks what the loader checks (ids, required fields per effect) for configs that do
  // not come from YAML, and precompiles every condition's values into bit sets.
  static Result<std::shared_ptr<const PolicySet>> compile(const PolicyConfig& config);

  PolicyDecision evaluate(const PolicyInput& in) const;
  // The same into `out` (cleared first), reusing its capacity.
  void evaluate(const PolicyInput& in, PolicyDecision& out) const;

  std::size_t size() const { return rules_.size(); }
  PolicyDefault default_effect() const { return default_; }

 private:
  // The request-level attributes a `when` can test; each has its own vocabulary.
  enum Attr : uint8_t { Team, Project, Roles, Tags, Model, Task, DataClasses, Tools, kAttrs };
  struct Condition {
    SetOp op;
    uint32_t fact;   // offset of the first word of the condition in the request's fact bits
    uint32_t mask;   // offset of the condition's mask words in masks_
    uint32_t words;  // words compared: those that hold the condition's values
  };
  struct Rule {
    std::string id;
    PolicyEffect effect;
    std::string message;
    uint32_t cond_begin = 0, cond_end = 0;  // into conditions_
    std::optional<NumberCondition> max_tokens;
    std::vector<std::string> mask;
    int constraint = -1;  // into constraints_
  };
  PolicySet() = default;
  bool matches(const Rule& rule, const uint64_t* facts, const RequestFacts& req) const;

  PolicyDefault default_ = PolicyDefault::Allow;
  std::vector<Rule> rules_;
  std::vector<Condition> conditions_;
  std::vector<uint64_t> masks_;
  std::vector<DeploymentConstraint> constraints_;
  Vocabulary vocab_[kAttrs];
  uint32_t offset_[kAttrs] = {};
  uint32_t total_words_ = 0;
};

}  // namespace sy::governance
