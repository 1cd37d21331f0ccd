// The auth: section of the config: static keys, JWT issuers, and every problem reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config_loader.h"

namespace sy {
namespace {

using ::testing::HasSubstr;

const EnvLookup kNoEnv = [](const std::string&) -> std::optional<std::string> {
  return std::nullopt;
};

Result<ConfigPtr> load(const std::string& auth) {
  return load_config_text(
      "providers: {p: {type: openai_compatible, base_url: 'http://127.0.0.1:1/v1'}}\n"
      "deployments: {d: {provider: p}}\n" + auth,
      "t.yaml", kNoEnv);
}

TEST(ConfigAuthTest, ReadsKeysAndIssuers) {
  auto c = load(R"(
auth:
  require: true
  key_refresh_ms: 500
  keys:
    - {key: sk-demo, team: demo}
    - {id: ci, key_sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08,
       team: platform, project: nightly, roles: [team-admin, auditor], models: [d],
       routes: [fast], regions: [eu], tags: [env=ci, nightly]}
  jwt:
    - issuer: https://kc.example.com/realms/a
      audience: [switchyard, account]
      jwks_url: https://kc.example.com/certs
      roles_claim: realm_access.roles
      team_claim: groups
      team_prefix: team-
      role_map: {admins: org-admin}
      default_roles: [developer]
      leeway_s: 30
      jwks_min_refetch_s: 5
    - {issuer: local, audience: sy, jwks_file: /tmp/jwks.json}
)");
  ASSERT_TRUE(c) << c.error().message;
  const AuthConfig& a = (*c)->auth;
  EXPECT_TRUE(a.require);
  EXPECT_EQ(a.key_refresh_ms, 500u);
  ASSERT_EQ(a.keys.size(), 2u);
  EXPECT_EQ(a.keys[0].id, "static-0");
  EXPECT_EQ(a.keys[0].roles, std::vector<std::string>{"developer"});
  EXPECT_EQ(a.keys[1].key_sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(a.keys[1].tags, (std::vector<std::string>{"env=ci", "nightly"}));
  ASSERT_EQ(a.jwt.size(), 2u);
  EXPECT_EQ(a.jwt[0].audiences, (std::vector<std::string>{"switchyard", "account"}));
  EXPECT_EQ(a.jwt[0].role_map.at("admins"), "org-admin");
  EXPECT_EQ(a.jwt[0].leeway_s, 30u);
  EXPECT_EQ(a.jwt[0].jwks_min_refetch_s, 5u);
  EXPECT_EQ(a.jwt[1].jwks_min_refetch_s, 30u);
  EXPECT_EQ(a.jwt[1].audiences, std::vector<std::string>{"sy"});
}

TEST(ConfigAuthTest, NoAuthSectionMeansOpen) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE((*c)->auth.require);
  EXPECT_TRUE((*c)->auth.keys.empty());
}

TEST(ConfigAuthTest, ReportsEveryProblem) {
  auto c = load(R"(
auth:
  colour: blue
  keys:
    - {team: a}
    - {key: x, key_sha256: abc, team: b}
    - {key: y, team: c, roles: [superuser]}
    - {key: y, team: d}
    - {key: z}
  jwt:
    - {issuer: i, jwks_url: 'http://idp.example.com/keys', jwks_file: f}
    - {issuer: j, audience: a, jwks_file: f, role_map: {x: boss}, leeway_s: 9999,
       jwks_min_refetch_s: 0}
)");
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("auth.colour: unknown key"));
  EXPECT_THAT(m, HasSubstr("auth.keys[0]: give exactly one of key"));
  EXPECT_THAT(m, HasSubstr("auth.keys[1]: give exactly one of key"));
  EXPECT_THAT(m, HasSubstr("auth.keys[1].key_sha256: expected 64 hex digits"));
  EXPECT_THAT(m, HasSubstr("auth.keys[2].roles[0]: unknown role \"superuser\""));
  EXPECT_THAT(m, HasSubstr("auth.keys[3]: the same key is declared twice"));
  EXPECT_THAT(m, HasSubstr("auth.keys[4].team: required key is missing"));
  EXPECT_THAT(m, HasSubstr("auth.jwt[0].audience: at least one audience is required"));
  EXPECT_THAT(m, HasSubstr("auth.jwt[0]: give exactly one of jwks_url and jwks_file"));
  EXPECT_THAT(m, HasSubstr("auth.jwt[0].jwks_url: must be https"));
  EXPECT_THAT(m, HasSubstr("auth.jwt[1].role_map.x: unknown role \"boss\""));
  EXPECT_THAT(m, HasSubstr("auth.jwt[1].leeway_s: at most 600"));
  EXPECT_THAT(m, HasSubstr("auth.jwt[1].jwks_min_refetch_s: between 1 and 3600"));
}

}  // namespace
}  // namespace sy
