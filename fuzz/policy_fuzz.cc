// Fuzzes the policy compile path: a `policies:` section (the input) after a fixed prelude
// of providers and deployments, through load_config_text and PolicySet::compile, then a
// few evaluations. What the loader accepts the compiler must accept, and every decision
// must be consistent: deny names a fired rule (or the default), fired ids are distinct
// rule ids in file order, constraints belong to fired restrict rules, a constraint
// explains every deployment it rejects.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config_loader.h"
#include "fuzz_check.h"
#include "governance/policy_set.h"

namespace {

constexpr std::string_view kPrelude = R"(providers:
  p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}
deployments:
  cloud: {provider: p, model: gpt-4o, region: eu-west-1, tier: premium, labels: [cloud]}
  local: {provider: p, model: llama-3, region: on-prem, labels: [on_prem, gpu]}
)";

using namespace sy::governance;

void check(const sy::PolicyConfig& config, const PolicySet& set, const PrincipalFacts& p,
           const RequestFacts& r) {
  const PolicyDecision d = set.evaluate({p, r});
  std::size_t next = 0;  // fired ids appear in file order, each once
  for (auto id : d.fired) {
    while (next < config.rules.size() && config.rules[next].id != id) ++next;
    FUZZ_CHECK(next < config.rules.size());
    ++next;
  }
  const auto fired = [&](std::string_view id) {
    return std::find(d.fired.begin(), d.fired.end(), id) != d.fired.end();
  };
  if (d.allowed()) {
    FUZZ_CHECK(d.deny_rule.empty());
  } else {
    FUZZ_CHECK(!d.deny_message.empty());
    FUZZ_CHECK(d.deny_rule.empty() ? config.default_effect == sy::PolicyDefault::Deny
                                   : fired(d.deny_rule));
  }
  FUZZ_CHECK(!d.require_approval || fired(d.approval_rule));
  for (std::size_t i = 0; i < d.mask.size(); ++i) {
    FUZZ_CHECK(std::find(d.mask.begin() + static_cast<long>(i) + 1, d.mask.end(), d.mask[i]) ==
               d.mask.end());
  }
  for (const auto* c : d.constraints) FUZZ_CHECK(fired(c->rule_id()));
  const DeploymentFacts deployments[] = {
      {"cloud", "p", "gpt-4o", "eu-west-1", "premium", {"cloud"}},
      {"local", "p", "llama-3", "on-prem", "", {"on_prem", "gpu"}},
      {"bare", "", "", "", "", {}}};
  for (const auto& dep : deployments) {
    for (const auto* c : d.constraints) FUZZ_CHECK(c->admits(dep) == c->why_not(dep).empty());
    const auto* rejecting = d.rejecting(dep);
    FUZZ_CHECK(rejecting == nullptr || !rejecting->admits(dep));
  }
  // A reused decision gives the same answer.
  PolicyDecision again;
  set.evaluate({p, r}, again);
  set.evaluate({p, r}, again);
  FUZZ_CHECK(again.to_json() == d.to_json());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(kPrelude);
  yaml.append(reinterpret_cast<const char*>(data), size);
  const sy::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  auto config = sy::load_config_text(yaml, "fuzz.yaml", env);
  if (!config) return 0;
  auto set = PolicySet::compile((*config)->policies);
  FUZZ_CHECK(set.has_value());  // the loader and the compiler agree on what is valid
  FUZZ_CHECK((*set)->size() == (*config)->policies.rules.size());
  const PrincipalFacts nobody;
  const PrincipalFacts someone{"core", "apollo", {"admin", "contractor"}, {"pii-ok"}};
  const RequestFacts plain{"auto", "", {}, {}, std::nullopt};
  const RequestFacts risky{"gpt-4o", "code", {"SECRET", "EMAIL_ADDRESS"}, {"shell"}, 9000};
  for (const auto* p : {&nobody, &someone}) {
    for (const auto* r : {&plain, &risky}) check((*config)->policies, **set, *p, *r);
  }
  return 0;
}
