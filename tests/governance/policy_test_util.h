// Test helper: compile the policies of a YAML snippet (a `policies:` section appended to a
// fixed providers/deployments prelude) through the real loader and compiler.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/config_loader.h"
#include "governance/policy_set.h"

namespace sy::governance::testing {

inline constexpr const char* kPrelude = R"(
providers:
  p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}
  q: {type: openai_compatible, base_url: "http://127.0.0.1:2"}
deployments:
  cloud-eu: {provider: p, model: gpt-4o, region: eu-west-1, tier: premium, labels: [cloud]}
  cloud-us: {provider: q, model: gpt-4o, region: us-east-1, tier: standard, labels: [cloud]}
  local: {provider: p, model: llama-3, region: on-prem, labels: [on_prem, gpu]}
)";

inline ConfigPtr load(const std::string& policies_yaml) {
  auto c = load_config_text(std::string(kPrelude) + policies_yaml, "test.yaml",
                            [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : nullptr;
}

inline std::shared_ptr<const PolicySet> compile_yaml(const std::string& policies_yaml) {
  auto config = load(policies_yaml);
  if (!config) return nullptr;
  auto set = PolicySet::compile(config->policies);
  EXPECT_TRUE(set) << set.error().message;
  return set ? *set : nullptr;
}

}  // namespace sy::governance::testing
