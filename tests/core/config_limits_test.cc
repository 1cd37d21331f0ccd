// The limits:, budgets: and rate_limits: sections of the gateway config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/config_loader.h"

namespace sy {
namespace {

using ::testing::HasSubstr;

const EnvLookup kNoEnv = [](const std::string&) -> std::optional<std::string> {
  return std::nullopt;
};

constexpr const char* kBase = R"(
providers: {p: {type: openai_compatible, base_url: "http://h"}}
deployments: {a: {provider: p}}
)";

TEST(ConfigLimits, ReadsBackendBudgetsAndRateLimits) {
  auto c = load_config_text(std::string(kBase) + R"(
limits: {backend: redis, redis_url: "redis://127.0.0.1:6390/2", redis_timeout_ms: 100}
budgets:
  - {id: team-eng-monthly, scope: team, match: eng, period: month, limit_usd: 100}
  - {id: key-daily, scope: key, period: day, limit_usd: 2.5, mode: soft}
  - {id: org-total, scope: org, match: acme, period: total, limit_usd: 1000}
rate_limits:
  - {id: key-rpm, scope: key, match: "*", rpm: 600, tpm: 200000}
  - {id: team-tpm, scope: team, tpm: 1000}
)",
                            "f.yaml", kNoEnv);
  ASSERT_TRUE(c) << c.error().message;
  const Config& cfg = **c;
  EXPECT_EQ(cfg.limits.backend, LimitsBackendKind::Redis);
  EXPECT_EQ(cfg.limits.redis_url, "redis://127.0.0.1:6390/2");
  EXPECT_EQ(cfg.limits.redis_timeout_ms, 100u);
  ASSERT_EQ(cfg.budgets.size(), 3u);
  EXPECT_EQ(cfg.budgets[0].scope, LimitScope::Team);
  EXPECT_EQ(cfg.budgets[0].match, "eng");
  EXPECT_EQ(cfg.budgets[0].period, BudgetPeriod::Month);
  EXPECT_EQ(cfg.budgets[0].mode, BudgetMode::Hard);
  EXPECT_EQ(cfg.budgets[1].match, "*");
  EXPECT_EQ(cfg.budgets[1].mode, BudgetMode::Soft);
  EXPECT_DOUBLE_EQ(cfg.budgets[1].limit_usd, 2.5);
  EXPECT_EQ(cfg.budgets[2].scope, LimitScope::Org);
  EXPECT_EQ(cfg.budgets[2].period, BudgetPeriod::Total);
  ASSERT_EQ(cfg.rate_limits.size(), 2u);
  EXPECT_EQ(cfg.rate_limits[0].rpm, 600u);
  EXPECT_EQ(cfg.rate_limits[0].tpm, 200000u);
  EXPECT_EQ(cfg.rate_limits[1].scope, LimitScope::Team);
  EXPECT_EQ(cfg.rate_limits[1].rpm, 0u);
}

TEST(ConfigLimits, DefaultsToTheMemoryBackendAndNoLimits) {
  auto c = load_config_text(kBase, "f.yaml", kNoEnv);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)->limits.backend, LimitsBackendKind::Memory);
  EXPECT_TRUE((*c)->budgets.empty());
  EXPECT_TRUE((*c)->rate_limits.empty());
}

TEST(ConfigLimits, ProblemsNameTheirPath) {
  auto c = load_config_text(std::string(kBase) + R"(
limits: {backend: etcd, redis_url: "http://x", colour: red}
budgets:
  - {id: b1, scope: galaxy, period: fortnight, limit_usd: 0, mode: loud}
  - {id: b1, scope: team, period: day, limit_usd: 5}
  - {scope: key, period: day}
rate_limits:
  - {id: r1, scope: project, rpm: 10}
  - {id: r2, scope: key}
)",
                            "f.yaml", kNoEnv);
  ASSERT_FALSE(c);
  const auto& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("limits.backend: unknown backend \"etcd\""));
  EXPECT_THAT(m, HasSubstr("limits.redis_url: expected redis://"));
  EXPECT_THAT(m, HasSubstr("limits.colour: unknown key"));
  EXPECT_THAT(m, HasSubstr("budgets[0].scope: unknown scope \"galaxy\""));
  EXPECT_THAT(m, HasSubstr("budgets[0].period: unknown period \"fortnight\""));
  EXPECT_THAT(m, HasSubstr("budgets[0].limit_usd: must be positive"));
  EXPECT_THAT(m, HasSubstr("budgets[0].mode: unknown mode \"loud\""));
  EXPECT_THAT(m, HasSubstr("budgets[1].id: duplicate id \"b1\""));
  EXPECT_THAT(m, HasSubstr("budgets[2].id: required key is missing"));
  EXPECT_THAT(m, HasSubstr("budgets[2].limit_usd: required key is missing"));
  EXPECT_THAT(m,
              HasSubstr("rate_limits[0].scope: unknown scope \"project\" (expected key or team)"));
  EXPECT_THAT(m, HasSubstr("rate_limits[1]: needs rpm, tpm or both"));
}

TEST(ConfigLimits, BudgetsMustBeAList) {
  auto c = load_config_text(std::string(kBase) + "budgets: {a: 1}\n", "f.yaml", kNoEnv);
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("budgets: expected a list"));
}

}  // namespace
}  // namespace sy
