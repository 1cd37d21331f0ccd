#include "core/json_writer.h"
#include "governance/policy_set.h"

namespace sy::governance {

const DeploymentConstraint* PolicyDecision::rejecting(const DeploymentFacts& d) const {
  for (const auto* c : constraints) {
    if (!c->admits(d)) return c;
  }
  return nullptr;
}

std::string PolicyDecision::to_json() const {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.field("effect", allowed() ? "allow" : "deny");
  w.key("deny");
  if (allowed()) {
    w.null();
  } else {
    w.begin_object();
    w.key("rule");
    if (deny_rule.empty()) {
      w.null();
    } else {
      w.value(deny_rule);
    }
    w.field("message", deny_message);
    w.end_object();
  }
  w.field("require_approval", require_approval);
  w.key("approval_rule");
  if (require_approval) {
    w.value(approval_rule);
  } else {
    w.null();
  }
  w.key("fired").begin_array();
  for (auto id : fired) w.value(id);
  w.end_array();
  w.key("mask").begin_array();
  for (auto c : mask) w.value(c);
  w.end_array();
  w.key("constraints").begin_array();
  for (const auto* c : constraints) {
    w.begin_object().field("rule", c->rule_id()).field("admits", c->reason()).end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

void PolicyDecision::clear() {
  effect = PolicyOutcome::Allow;
  deny_rule = {};
  deny_message = {};
  require_approval = false;
  approval_rule = {};
  fired.clear();
  mask.clear();
  constraints.clear();
}

}  // namespace sy::governance
