// The `policies:` section and the deployments' tier and labels, read by load_config_text:
// the shapes it accepts and the problems it reports with their path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "core/policy_loader.h"

namespace sy {
namespace {

using ::testing::HasSubstr;

constexpr const char* kBase = R"(
providers: {p: {type: openai_compatible, base_url: "http://h"}}
deployments:
  a: {provider: p, region: on-prem, tier: gold, labels: [on_prem, gpu]}
)";

Result<ConfigPtr> load(const std::string& extra) {
  return load_config_text(std::string(kBase) + extra, "f.yaml",
                          [](const std::string&) { return std::optional<std::string>(); });
}

TEST(PolicyLoader, ReadsRulesDeploymentLabelsAndTier) {
  auto c = load(R"(
policies:
  - id: no-secrets
    description: secrets never leave
    when: {data_classes: [SECRET]}
    effect: deny
    message: blocked
  - id: pii
    when: {team: {not: [core]}, roles: {all: [a, b]}, tags: pii-ok, max_tokens: {gt: 10, lte: 20, missing: true}}
    effect: restrict
    deployments: {labels: [on_prem], names: [a]}
  - id: m
    effect: mask
    data_classes: EMAIL_ADDRESS
  - id: big
    when: {model: [auto], task: [code], tools: [shell]}
    effect: require_approval
)");
  ASSERT_TRUE(c) << c.error().message;
  const Config& cfg = **c;
  EXPECT_EQ(cfg.deployments.at("a").tier, "gold");
  EXPECT_EQ(cfg.deployments.at("a").labels, (std::vector<std::string>{"on_prem", "gpu"}));
  const auto& rules = cfg.policies.rules;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(cfg.policies.default_effect, PolicyDefault::Allow);
  EXPECT_EQ(rules[0].id, "no-secrets");
  EXPECT_EQ(rules[0].effect, PolicyEffect::Deny);
  EXPECT_EQ(rules[0].message, "blocked");
  EXPECT_EQ(rules[0].when.data_classes->values, std::vector<std::string>{"SECRET"});
  EXPECT_EQ(rules[0].when.data_classes->op, SetOp::Any);
  EXPECT_EQ(rules[1].when.team->op, SetOp::None);
  EXPECT_EQ(rules[1].when.roles->op, SetOp::All);
  EXPECT_EQ(rules[1].when.tags->values, std::vector<std::string>{"pii-ok"});
  EXPECT_EQ(rules[1].when.max_tokens->gt, 10u);
  EXPECT_EQ(rules[1].when.max_tokens->lte, 20u);
  EXPECT_FALSE(rules[1].when.max_tokens->lt.has_value());
  EXPECT_TRUE(rules[1].when.max_tokens->match_missing);
  EXPECT_EQ(rules[1].deployments.labels->values, std::vector<std::string>{"on_prem"});
  EXPECT_EQ(rules[2].effect, PolicyEffect::Mask);
  EXPECT_EQ(rules[2].data_classes, std::vector<std::string>{"EMAIL_ADDRESS"});
  EXPECT_FALSE(rules[2].when.team.has_value());
  EXPECT_EQ(rules[3].effect, PolicyEffect::RequireApproval);
}

TEST(PolicyLoader, MappingFormWithDefault) {
  auto c = load("policies:\n  default: deny\n  rules:\n    - {id: x, effect: allow}\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)->policies.default_effect, PolicyDefault::Deny);
  EXPECT_EQ((*c)->policies.rules.size(), 1u);
  auto bad = load("policies: {default: maybe}\n");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("policies.default: unknown default \"maybe\""));
}

TEST(PolicyLoader, UnknownKeysAreReportedWithTheirPath) {
  auto c = load(R"(
policies:
  - id: x
    effect: deny
    wen: {team: [a]}
  - id: y
    when: {teams: [a]}
    effect: deny
  - id: z
    effect: restrict
    deployments: {region: [eu]}
  - id: w
    when: {team: {none: [a]}}
    effect: allow
)");
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("f.yaml:9: policies[0].wen: unknown key"));
  EXPECT_THAT(m, HasSubstr("policies[1].when.teams: unknown key (expected one of: team,"));
  EXPECT_THAT(m, HasSubstr("policies[2].deployments.region: unknown key"));
  EXPECT_THAT(
      m, HasSubstr("policies[3].when.team.none: unknown key (expected one of: any, all, not)"));
  EXPECT_THAT(c.error().message, HasSubstr("policies[2].deployments: expected at least one of"));
}

TEST(PolicyLoader, BadEffectsAndMissingKeys) {
  auto c = load(R"(
policies:
  - id: a
    effect: block
  - effect: deny
  - id: b
    effect: mask
  - id: c
    effect: restrict
  - id: d
    effect: allow
    message: hi
    data_classes: [X]
  - id: "bad id"
    effect: deny
  - id: a
    effect: deny
)");
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("policies[0].effect: unknown effect \"block\" (expected allow, deny"));
  EXPECT_THAT(m, HasSubstr("policies[1].id: required key is missing"));
  EXPECT_THAT(m, HasSubstr("policies[2].data_classes: required key is missing"));
  EXPECT_THAT(m, HasSubstr("policies[3].deployments: required key is missing"));
  EXPECT_THAT(m, HasSubstr("policies[4].message: only used with effect deny or require_approval"));
  EXPECT_THAT(m, HasSubstr("policies[4].data_classes: only used with effect mask"));
  EXPECT_THAT(m, HasSubstr("policies[5].id: expected 1 to 64 letters"));
  EXPECT_THAT(m, HasSubstr("policies[6].id: duplicate rule id \"a\""));
}

TEST(PolicyLoader, BadValues) {
  auto c = load(R"(
policies:
  - {id: a, effect: deny, when: {team: []}}
  - {id: b, effect: deny, when: {roles: [x, {y: z}]}}
  - {id: c, effect: deny, when: {max_tokens: {missing: true}}}
  - {id: d, effect: deny, when: {max_tokens: {gt: lots}}}
  - {id: e, effect: deny, when: {team: {any: [a], not: [b]}}}
  - {id: f, effect: restrict, deployments: {names: [nope]}}
  - {id: g, effect: deny, when: [team]}
deployments_extra: 1
)");
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("policies[0].when.team: expected a value or a non-empty list"));
  EXPECT_THAT(m, HasSubstr("policies[1].when.roles[1]: expected a scalar value"));
  EXPECT_THAT(m, HasSubstr("policies[2].when.max_tokens: expected at least one of gt"));
  EXPECT_THAT(m, HasSubstr("policies[3].when.max_tokens.gt: expected a non-negative integer"));
  EXPECT_THAT(m, HasSubstr("policies[4].when.team: expected exactly one of any, all or not"));
  EXPECT_THAT(m, HasSubstr("policies[5].deployments.names: unknown deployment \"nope\""));
  EXPECT_THAT(m, HasSubstr("policies[6].when: expected a mapping"));
  EXPECT_THAT(m, HasSubstr("deployments_extra: unknown key"));
}

TEST(PolicyLoader, DeploymentLabelsMustBeAListOfValues) {
  auto c =
      load_config_text(R"(
providers: {p: {type: openai_compatible, base_url: "http://h"}}
deployments:
  a: {provider: p, labels: on_prem}
  b: {provider: p, labels: [""], tier: [x]}
)",
                       "f.yaml", [](const std::string&) { return std::optional<std::string>(); });
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("deployments.a.labels: expected a list of labels"));
  EXPECT_THAT(c.error().message, HasSubstr("deployments.b.labels[0]: expected a non-empty label"));
  EXPECT_THAT(c.error().message, HasSubstr("deployments.b.tier: expected a scalar value"));
}

// The admin API's body: the section alone, read by the same loader and checked against the
// config's deployments.
Result<PolicyConfig> load_alone(const std::string& text) {
  auto base = load("");
  EXPECT_TRUE(base.has_value());
  return load_policies_text(text, "body", **base,
                            [](const std::string&) { return std::optional<std::string>(); });
}

TEST(PolicyLoader, ReadsASectionOnItsOwn) {
  auto p = load_alone("default: deny\nrules:\n  - id: ok\n    effect: allow\n    when: {team: [core]}\n");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->default_effect, PolicyDefault::Deny);
  ASSERT_EQ(p->rules.size(), 1u);
  EXPECT_EQ(p->rules[0].id, "ok");
  EXPECT_THAT(p->text, HasSubstr("default: deny"));
  auto json = load_alone(R"([{"id": "j", "effect": "deny", "when": {"model": ["x"]}}])");
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_EQ(json->rules[0].effect, PolicyEffect::Deny);
}

TEST(PolicyLoader, ReportsASectionsProblemsWithLines) {
  auto bad = load_alone("- id: a\n  effect: deny\n- id: b\n  effect: explode\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("body:4: policies[1].effect"));
  auto unknown = load_alone("- id: r\n  effect: restrict\n  deployments: {names: [nope]}\n");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown deployment \"nope\""));
  auto syntax = load_alone("- id: a\n  effect: [deny\n");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_THAT(syntax.error().message, HasSubstr("body:"));
  EXPECT_THAT(syntax.error().message, HasSubstr("invalid YAML"));
  EXPECT_FALSE(load_alone("").has_value());
}

}  // namespace
}  // namespace sy
