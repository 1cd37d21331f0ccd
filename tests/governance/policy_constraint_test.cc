// Deployment constraints of `restrict` rules: what each selector admits, ANDed conditions,
// negation, and the reasons the router reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "governance/policy_set.h"
#include "governance/policy_test_util.h"

namespace sy::governance {
namespace {

using testing::compile_yaml;
using testing::load;

// The one constraint of a set whose single rule is `restrict` with `selector`, applied to
// every deployment of the test prelude: the names it admits.
std::vector<std::string> admitted(const std::string& selector) {
  auto config = load("policies:\n  - {id: r, effect: restrict, deployments: " + selector + "}\n");
  if (!config) return {"(load failed)"};
  auto set = PolicySet::compile(config->policies);
  if (!set) return {"(compile failed)"};
  const auto d = (*set)->evaluate({PrincipalFacts{}, RequestFacts{}});
  if (d.constraints.size() != 1) return {"(no constraint)"};
  std::vector<std::string> names;
  for (const auto& [name, dep] : config->deployments) {
    if (d.constraints[0]->admits(facts_of(dep))) names.push_back(name);
  }
  return names;
}

TEST(DeploymentConstraint, EachSelectorAttribute) {
  using ::testing::ElementsAre;
  EXPECT_THAT(admitted("{names: [local, cloud-us]}"), ElementsAre("cloud-us", "local"));
  EXPECT_THAT(admitted("{providers: [q]}"), ElementsAre("cloud-us"));
  EXPECT_THAT(admitted("{models: gpt-4o}"), ElementsAre("cloud-eu", "cloud-us"));
  EXPECT_THAT(admitted("{regions: [eu-west-1, on-prem]}"), ElementsAre("cloud-eu", "local"));
  EXPECT_THAT(admitted("{tiers: [premium]}"), ElementsAre("cloud-eu"));
  EXPECT_THAT(admitted("{labels: [gpu]}"), ElementsAre("local"));
}

TEST(DeploymentConstraint, NegationAllOfAndConjunction) {
  using ::testing::ElementsAre;
  EXPECT_THAT(admitted("{providers: {not: [p]}}"), ElementsAre("cloud-us"));
  // A deployment without a tier is "not in [premium]".
  EXPECT_THAT(admitted("{tiers: {not: [premium]}}"), ElementsAre("cloud-us", "local"));
  EXPECT_THAT(admitted("{labels: {all: [on_prem, gpu]}}"), ElementsAre("local"));
  EXPECT_THAT(admitted("{labels: {all: [on_prem, cloud]}}"), ::testing::IsEmpty());
  EXPECT_THAT(admitted("{labels: {any: [cloud]}, regions: {not: [us-east-1]}}"),
              ElementsAre("cloud-eu"));
}

TEST(DeploymentConstraint, ReasonsNameTheRuleAndTheFailingCondition) {
  auto set = compile_yaml(R"(
policies:
  - id: residency
    effect: restrict
    deployments: {regions: [eu-west-1], labels: {not: [gpu]}, tiers: [premium]}
)");
  ASSERT_TRUE(set);
  const auto d = set->evaluate({PrincipalFacts{}, RequestFacts{}});
  ASSERT_EQ(d.constraints.size(), 1u);
  const DeploymentConstraint& c = *d.constraints[0];
  EXPECT_EQ(c.rule_id(), "residency");
  EXPECT_EQ(c.reason(),
            "region in [eu-west-1] and tier in [premium] and labels include none of [gpu]");
  const DeploymentFacts us{"cloud-us", "q", "gpt-4o", "us-east-1", "standard", {"cloud"}};
  EXPECT_EQ(c.removal_message(us),
            "removed by policy rule residency: region us-east-1 not in [eu-west-1]");
  const DeploymentFacts gpu{"x", "p", "m", "eu-west-1", "premium", {"gpu"}};
  EXPECT_EQ(c.why_not(gpu), "labels [gpu] include excluded [gpu]");
  const DeploymentFacts no_tier{"x", "p", "m", "eu-west-1", "", {}};
  EXPECT_EQ(c.why_not(no_tier), "tier (none) not in [premium]");
  const DeploymentFacts ok{"x", "p", "m", "eu-west-1", "premium", {"cloud"}};
  EXPECT_TRUE(c.admits(ok));
  EXPECT_EQ(c.why_not(ok), "");
}

}  // namespace
}  // namespace sy::governance
