// Request-level policy evaluation: every effect, deny overrides, conditions ANDed, any /
// all / not, numbers, default deny, fired rule ids, compile errors.
#include "governance/policy_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "governance/policy_test_util.h"

namespace sy::governance {
namespace {

using testing::compile_yaml;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> ids(const std::vector<std::string_view>& v) {
  return {v.begin(), v.end()};
}

TEST(PolicySet, NoRulesAllowsEverything) {
  auto set = compile_yaml("");
  ASSERT_TRUE(set);
  PrincipalFacts p{"t", "", {"admin"}, {}};
  RequestFacts r{"gpt-4o", "", {"SECRET"}, {}, 100000};
  const auto d = set->evaluate({p, r});
  EXPECT_TRUE(d.allowed());
  EXPECT_TRUE(d.fired.empty());
  EXPECT_TRUE(d.constraints.empty());
  EXPECT_FALSE(d.require_approval);
}

TEST(PolicySet, DenyCarriesRuleIdAndMessage) {
  auto set = compile_yaml(R"(
policies:
  - id: no-secrets
    when: {data_classes: [SECRET]}
    effect: deny
    message: requests containing secrets are blocked
  - id: no-cards
    when: {data_classes: CREDIT_CARD}
    effect: deny
)");
  ASSERT_TRUE(set);
  PrincipalFacts p;
  RequestFacts clean{"m", "", {"EMAIL_ADDRESS"}, {}, {}};
  EXPECT_TRUE(set->evaluate({p, clean}).allowed());

  RequestFacts secret{"m", "", {"EMAIL_ADDRESS", "SECRET"}, {}, {}};
  auto d = set->evaluate({p, secret});
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.deny_rule, "no-secrets");
  EXPECT_EQ(d.deny_message, "requests containing secrets are blocked");
  EXPECT_THAT(ids(d.fired), ElementsAre("no-secrets"));

  RequestFacts card{"m", "", {"CREDIT_CARD"}, {}, {}};
  d = set->evaluate({p, card});
  EXPECT_EQ(d.deny_rule, "no-cards");
  EXPECT_EQ(d.deny_message, "request denied by policy rule no-cards");

  // Both fire: the first deny in file order gives the message; both are listed.
  RequestFacts both{"m", "", {"CREDIT_CARD", "SECRET"}, {}, {}};
  d = set->evaluate({p, both});
  EXPECT_EQ(d.deny_rule, "no-secrets");
  EXPECT_THAT(ids(d.fired), ElementsAre("no-secrets", "no-cards"));
}

TEST(PolicySet, DenyOverridesAllowAndOtherEffects) {
  auto set = compile_yaml(R"(
policies:
  - id: admins-may
    when: {roles: [admin]}
    effect: allow
  - id: mask-mail
    effect: mask
    data_classes: [EMAIL_ADDRESS]
  - id: eu-only
    effect: restrict
    deployments: {regions: [eu-west-1]}
  - id: no-secrets
    when: {data_classes: [SECRET]}
    effect: deny
)");
  ASSERT_TRUE(set);
  PrincipalFacts admin{"", "", {"admin"}, {}};
  RequestFacts secret{"m", "", {"SECRET"}, {}, {}};
  const auto d = set->evaluate({admin, secret});
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.deny_rule, "no-secrets");
  EXPECT_THAT(ids(d.fired), ElementsAre("admins-may", "mask-mail", "eu-only", "no-secrets"));
  // The other effects are still reported (for the audit record).
  EXPECT_THAT(ids(d.mask), ElementsAre("EMAIL_ADDRESS"));
  ASSERT_EQ(d.constraints.size(), 1u);
  EXPECT_EQ(d.constraints[0]->rule_id(), "eu-only");
}

TEST(PolicySet, MaskClassesAreMergedOnce) {
  auto set = compile_yaml(R"(
policies:
  - id: contractors
    when: {roles: [contractor], data_classes: [EMAIL_ADDRESS, PHONE_NUMBER]}
    effect: mask
    data_classes: [EMAIL_ADDRESS, PHONE_NUMBER]
  - id: everyone
    when: {data_classes: [EMAIL_ADDRESS]}
    effect: mask
    data_classes: [EMAIL_ADDRESS, US_SSN]
)");
  ASSERT_TRUE(set);
  PrincipalFacts contractor{"", "", {"dev", "contractor"}, {}};
  PrincipalFacts employee{"", "", {"dev"}, {}};
  RequestFacts mail{"m", "", {"EMAIL_ADDRESS"}, {}, {}};
  auto d = set->evaluate({contractor, mail});
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(ids(d.fired), ElementsAre("contractors", "everyone"));
  EXPECT_THAT(ids(d.mask), ElementsAre("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN"));
  d = set->evaluate({employee, mail});
  EXPECT_THAT(ids(d.fired), ElementsAre("everyone"));
  EXPECT_THAT(ids(d.mask), ElementsAre("EMAIL_ADDRESS", "US_SSN"));
  RequestFacts none{"m", "", {}, {}, {}};
  EXPECT_TRUE(set->evaluate({contractor, none}).mask.empty());
}

TEST(PolicySet, RestrictListsNamedConstraints) {
  auto set = compile_yaml(R"(
policies:
  - id: pii-on-prem
    when: {data_classes: [EMAIL_ADDRESS, PHONE_NUMBER, US_SSN]}
    effect: restrict
    deployments: {labels: [on_prem]}
  - id: eu-team-residency
    when: {team: [eu-analytics]}
    effect: restrict
    deployments: {regions: [eu-west-1, eu-central-1, on-prem]}
)");
  ASSERT_TRUE(set);
  PrincipalFacts eu{"eu-analytics", "", {}, {}};
  RequestFacts phone{"m", "", {"PHONE_NUMBER"}, {}, {}};
  const auto d = set->evaluate({eu, phone});
  EXPECT_TRUE(d.allowed());
  ASSERT_EQ(d.constraints.size(), 2u);
  EXPECT_EQ(d.constraints[0]->rule_id(), "pii-on-prem");
  EXPECT_EQ(d.constraints[1]->rule_id(), "eu-team-residency");
  const DeploymentFacts local{"local", "p", "llama-3", "on-prem", "", {"on_prem", "gpu"}};
  const DeploymentFacts cloud_eu{"cloud-eu", "p", "gpt-4o", "eu-west-1", "premium", {"cloud"}};
  const DeploymentFacts cloud_us{"cloud-us", "q", "gpt-4o", "us-east-1", "", {"cloud"}};
  EXPECT_EQ(d.rejecting(local), nullptr);
  ASSERT_NE(d.rejecting(cloud_eu), nullptr);
  EXPECT_EQ(d.rejecting(cloud_eu)->rule_id(), "pii-on-prem");
  EXPECT_EQ(d.rejecting(cloud_eu)->removal_message(cloud_eu),
            "removed by policy rule pii-on-prem: labels [cloud] include none of [on_prem]");
  // Each constraint is independent: the residency rule alone admits cloud-eu, not cloud-us.
  EXPECT_TRUE(d.constraints[1]->admits(cloud_eu));
  EXPECT_FALSE(d.constraints[1]->admits(cloud_us));
  EXPECT_EQ(d.constraints[1]->why_not(cloud_us),
            "region us-east-1 not in [eu-west-1, eu-central-1, on-prem]");

  PrincipalFacts other{"us-sales", "", {}, {}};
  RequestFacts clean{"m", "", {}, {}, {}};
  EXPECT_TRUE(set->evaluate({other, clean}).constraints.empty());
}

TEST(PolicySet, RequireApprovalOnMaxTokens) {
  auto set = compile_yaml(R"(
policies:
  - id: big-jobs
    when: {max_tokens: {gt: 8000}}
    effect: require_approval
    message: needs a manager
  - id: unbounded
    when: {max_tokens: {gt: 100000, missing: true}}
    effect: require_approval
  - id: mid
    when: {max_tokens: {gte: 100, lte: 200}}
    effect: allow
)");
  ASSERT_TRUE(set);
  PrincipalFacts p;
  RequestFacts r{"m", "", {}, {}, 8000};
  auto d = set->evaluate({p, r});
  EXPECT_FALSE(d.require_approval);
  EXPECT_TRUE(d.fired.empty());
  r.max_tokens = 8001;
  d = set->evaluate({p, r});
  EXPECT_TRUE(d.allowed());
  EXPECT_TRUE(d.require_approval);
  EXPECT_EQ(d.approval_rule, "big-jobs");
  r.max_tokens.reset();  // no limit: only the rule that asks for missing values matches
  d = set->evaluate({p, r});
  EXPECT_TRUE(d.require_approval);
  EXPECT_EQ(d.approval_rule, "unbounded");
  EXPECT_THAT(ids(d.fired), ElementsAre("unbounded"));
  for (uint32_t v : {100u, 150u, 200u}) {
    r.max_tokens = v;
    EXPECT_THAT(ids(set->evaluate({p, r}).fired), ElementsAre("mid")) << v;
  }
  for (uint32_t v : {99u, 201u}) {
    r.max_tokens = v;
    EXPECT_TRUE(set->evaluate({p, r}).fired.empty()) << v;
  }
}

TEST(PolicySet, ConditionsAreAndedAndListsAreAnyOf) {
  auto set = compile_yaml(R"(
policies:
  - id: r
    when: {team: [a, b], project: x, model: [gpt-4o, auto], task: code, tools: [shell, http], tags: [t1]}
    effect: deny
)");
  ASSERT_TRUE(set);
  PrincipalFacts p{"b", "x", {}, {"t0", "t1"}};
  RequestFacts r{"auto", "code", {}, {"search", "http"}, {}};
  EXPECT_FALSE(set->evaluate({p, r}).allowed());
  // Break each condition in turn.
  auto q = p;
  q.team = "c";
  EXPECT_TRUE(set->evaluate({q, r}).allowed());
  q = p;
  q.project = "";
  EXPECT_TRUE(set->evaluate({q, r}).allowed());
  q = p;
  q.tags = {"t0"};
  EXPECT_TRUE(set->evaluate({q, r}).allowed());
  auto s = r;
  s.model = "gpt-4o-mini";
  EXPECT_TRUE(set->evaluate({p, s}).allowed());
  s = r;
  s.task = "chat";
  EXPECT_TRUE(set->evaluate({p, s}).allowed());
  s = r;
  s.tools.clear();
  EXPECT_TRUE(set->evaluate({p, s}).allowed());
}

TEST(PolicySet, NegationAndAllOf) {
  auto set = compile_yaml(R"(
policies:
  - id: outsiders-no-tools
    when: {team: {not: [core, platform]}, tools: {any: [shell]}}
    effect: deny
  - id: reviewers
    when: {roles: {all: [reviewer, senior]}}
    effect: allow
  - id: no-pii-ok-tag
    when: {tags: {not: [pii-ok]}, data_classes: [EMAIL_ADDRESS]}
    effect: mask
    data_classes: [EMAIL_ADDRESS]
)");
  ASSERT_TRUE(set);
  RequestFacts shell{"m", "", {}, {"shell"}, {}};
  EXPECT_TRUE(set->evaluate({PrincipalFacts{"core", "", {}, {}}, shell}).allowed());
  EXPECT_FALSE(set->evaluate({PrincipalFacts{"guests", "", {}, {}}, shell}).allowed());
  // No team at all is "not in [core, platform]".
  EXPECT_FALSE(set->evaluate({PrincipalFacts{}, shell}).allowed());

  RequestFacts plain{"m", "", {}, {}, {}};
  EXPECT_THAT(
      ids(set->evaluate({PrincipalFacts{"", "", {"senior", "reviewer", "x"}, {}}, plain}).fired),
      ElementsAre("reviewers"));
  EXPECT_TRUE(set->evaluate({PrincipalFacts{"", "", {"reviewer"}, {}}, plain}).fired.empty());

  RequestFacts mail{"m", "", {"EMAIL_ADDRESS"}, {}, {}};
  EXPECT_THAT(ids(set->evaluate({PrincipalFacts{"", "", {}, {"pii-ok"}}, mail}).mask),
              ::testing::IsEmpty());
  EXPECT_THAT(ids(set->evaluate({PrincipalFacts{"", "", {}, {"other"}}, mail}).mask),
              ElementsAre("EMAIL_ADDRESS"));
}

TEST(PolicySet, DefaultDenyNeedsAnAllowRule) {
  auto set = compile_yaml(R"(
policies:
  default: deny
  rules:
    - id: known-teams
      when: {team: [core]}
      effect: allow
    - id: no-secrets
      when: {data_classes: [SECRET]}
      effect: deny
)");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->default_effect(), PolicyDefault::Deny);
  RequestFacts r{"m", "", {}, {}, {}};
  auto d = set->evaluate({PrincipalFacts{"other", "", {}, {}}, r});
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.deny_rule, "");
  EXPECT_THAT(std::string(d.deny_message), HasSubstr("no policy rule allows"));
  EXPECT_TRUE(set->evaluate({PrincipalFacts{"core", "", {}, {}}, r}).allowed());
  r.data_classes = {"SECRET"};
  d = set->evaluate({PrincipalFacts{"core", "", {}, {}}, r});
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.deny_rule, "no-secrets");
}

TEST(PolicySet, ManyValuesSpillPastTheInlineBits) {
  // 3000 teams need 47 words, more than evaluate() keeps on the stack.
  PolicyConfig config;
  PolicyRule rule;
  rule.id = "many";
  rule.effect = PolicyEffect::Deny;
  rule.when.team = StringCondition{SetOp::Any, {}};
  for (int i = 0; i < 3000; ++i) rule.when.team->values.push_back("team-" + std::to_string(i));
  PolicyRule last;
  last.id = "last";
  last.effect = PolicyEffect::Allow;
  last.when.team = StringCondition{SetOp::None, {"team-2999"}};
  config.rules = {rule, last};
  auto set = PolicySet::compile(config);
  ASSERT_TRUE(set) << set.error().message;
  RequestFacts r;
  for (const char* team : {"team-0", "team-63", "team-64", "team-2999"}) {
    EXPECT_FALSE((*set)->evaluate({PrincipalFacts{team, "", {}, {}}, r}).allowed()) << team;
  }
  const auto d = (*set)->evaluate({PrincipalFacts{"team-3000", "", {}, {}}, r});
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(ids(d.fired), ElementsAre("last"));
}

TEST(PolicySet, ReusedDecisionIsCleared) {
  auto set = compile_yaml(R"(
policies:
  - {id: d, when: {team: [x]}, effect: deny}
  - {id: m, when: {team: [x]}, effect: mask, data_classes: [A]}
  - {id: r, when: {team: [x]}, effect: restrict, deployments: {tiers: [premium]}}
  - {id: a, when: {team: [x]}, effect: require_approval}
)");
  ASSERT_TRUE(set);
  PolicyDecision d;
  RequestFacts r;
  set->evaluate({PrincipalFacts{"x", "", {}, {}}, r}, d);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.fired.size(), 4u);
  set->evaluate({PrincipalFacts{"y", "", {}, {}}, r}, d);
  EXPECT_TRUE(d.allowed());
  EXPECT_TRUE(d.fired.empty());
  EXPECT_TRUE(d.mask.empty());
  EXPECT_TRUE(d.constraints.empty());
  EXPECT_FALSE(d.require_approval);
  EXPECT_TRUE(d.deny_rule.empty());
}

TEST(PolicySet, DecisionAsJson) {
  auto set = compile_yaml(R"(
policies:
  - {id: m, effect: mask, data_classes: [EMAIL_ADDRESS]}
  - {id: r, effect: restrict, deployments: {labels: {not: [cloud]}}}
  - {id: d, when: {tools: [shell]}, effect: deny, message: "no \"shell\""}
)");
  ASSERT_TRUE(set);
  RequestFacts r{"m", "", {}, {"shell"}, {}};
  const auto j = nlohmann::json::parse(set->evaluate({PrincipalFacts{}, r}).to_json());
  EXPECT_EQ(j["effect"], "deny");
  EXPECT_EQ(j["deny"]["rule"], "d");
  EXPECT_EQ(j["deny"]["message"], "no \"shell\"");
  EXPECT_EQ(j["fired"], nlohmann::json({"m", "r", "d"}));
  EXPECT_EQ(j["mask"], nlohmann::json({"EMAIL_ADDRESS"}));
  EXPECT_EQ(j["constraints"][0]["rule"], "r");
  EXPECT_EQ(j["constraints"][0]["admits"], "labels include none of [cloud]");
  EXPECT_EQ(j["require_approval"], false);
  EXPECT_TRUE(j["approval_rule"].is_null());
}

TEST(PolicySet, CompileRejectsWhatTheLoaderWouldReject) {
  const auto err = [](PolicyConfig c) {
    auto s = PolicySet::compile(c);
    return s ? std::string("compiled") : s.error().message;
  };
  PolicyRule ok{"a", "", {}, PolicyEffect::Allow, "", {}, {}};
  EXPECT_EQ(err(PolicyConfig{PolicyDefault::Allow, {ok}}), "compiled");
  EXPECT_THAT(err(PolicyConfig{PolicyDefault::Allow, {ok, ok}}), HasSubstr("duplicate"));
  auto bad_id = ok;
  bad_id.id = "has space";
  EXPECT_THAT(err(PolicyConfig{PolicyDefault::Allow, {bad_id}}), HasSubstr("id"));
  auto mask = ok;
  mask.effect = PolicyEffect::Mask;
  EXPECT_THAT(err(PolicyConfig{PolicyDefault::Allow, {mask}}), HasSubstr("mask"));
  auto restrict = ok;
  restrict.effect = PolicyEffect::Restrict;
  EXPECT_THAT(err(PolicyConfig{PolicyDefault::Allow, {restrict}}), HasSubstr("selector"));
  auto empty_cond = ok;
  empty_cond.when.roles = StringCondition{SetOp::Any, {}};
  EXPECT_THAT(err(PolicyConfig{PolicyDefault::Allow, {empty_cond}}), HasSubstr("roles"));
}

}  // namespace
}  // namespace sy::governance
