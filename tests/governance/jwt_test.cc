// JWT verification with keys made in the test: RS256 and ES256 tokens in the claim
// shapes of Entra ID, Okta and Keycloak, and every rejection — bad signature, "none",
// HS256 signed with the RSA public key (key confusion), expired, not yet valid, wrong
// issuer and audience, unknown kid — plus the JWKS parser and the Authenticator's
// unknown-kid refetch.
#include <gtest/gtest.h>

#include <atomic>

#include "governance/authenticator.h"
#include "governance/jwt.h"
#include "governance/jwt_test_keys.h"

namespace sy::governance::testing {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'800'000'000;  // seconds; tokens are made around this time

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::rsa("rsa-1"));
    ec_ = new TestKey(TestKey::ec("ec-1"));
    other_ = new TestKey(TestKey::rsa("rsa-1"));  // same kid, different key
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete other_;
  }

  void SetUp() override {
    issuer_.issuer = "https://login.example.com/tenant/v2.0";
    issuer_.audiences = {"api://switchyard", "switchyard"};
    issuer_.team_claim = "groups";
    issuer_.team_prefix = "team-";
    issuer_.roles_claim = "roles";
    issuer_.leeway_s = 60;
    auto jwks = Jwks::parse(jwks_of({rsa_, ec_}));
    ASSERT_TRUE(jwks) << jwks.error().message;
    jwks_ = *jwks;
  }

  json claims() const {
    return {{"iss", issuer_.issuer},       {"aud", "api://switchyard"}, {"sub", "user-1"},
            {"exp", kNow + 600},           {"nbf", kNow - 10},          {"iat", kNow - 10},
            {"groups", {"staff", "team-search"}}, {"roles", {"developer"}}};
  }

  Result<Principal> verify(const std::string& token, int64_t now = kNow) const {
    return verify_jwt(token, issuer_, jwks_, now);
  }
  void expect_rejected(const std::string& token, const std::string& code, int64_t now = kNow) {
    auto p = verify(token, now);
    ASSERT_FALSE(p) << "accepted a token that should fail with " << code;
    EXPECT_EQ(p.error().code, code) << p.error().message;
    EXPECT_EQ(p.error().status, 401);
  }

  static TestKey* rsa_;
  static TestKey* ec_;
  static TestKey* other_;
  JwtIssuerConfig issuer_;
  Jwks jwks_;
};
TestKey* JwtTest::rsa_ = nullptr;
TestKey* JwtTest::ec_ = nullptr;
TestKey* JwtTest::other_ = nullptr;

TEST_F(JwtTest, Rs256EntraShape) {
  auto p = verify(rsa_->sign(claims()));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->kind, PrincipalKind::Jwt);
  EXPECT_EQ(p->id, issuer_.issuer + "|user-1");
  EXPECT_EQ(p->team, "search");
  EXPECT_EQ(p->roles, std::vector<Role>{Role::Developer});
}

TEST_F(JwtTest, Es256WithRawSignature) {
  auto p = verify(ec_->sign(claims()));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->team, "search");
}

TEST_F(JwtTest, OktaGroupsMappedToRoles) {
  issuer_.roles_claim = "groups";
  issuer_.team_claim = "team";
  issuer_.team_prefix.clear();
  issuer_.role_map = {{"switchyard-admins", "org-admin"}, {"switchyard-audit", "auditor"}};
  json c = claims();
  c["aud"] = "switchyard";
  c["team"] = "ads";
  c["groups"] = {"Everyone", "switchyard-audit", "switchyard-admins"};
  auto p = verify(rsa_->sign(c));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->team, "ads");
  EXPECT_EQ(p->roles, (std::vector<Role>{Role::Auditor, Role::OrgAdmin}));
}

TEST_F(JwtTest, KeycloakNestedRolesAndAudienceArray) {
  issuer_.roles_claim = "realm_access.roles";
  issuer_.team_claim = "org.team";
  issuer_.team_prefix.clear();
  issuer_.project_claim = "org.project";
  json c = claims();
  c["aud"] = {"account", "switchyard"};
  c.erase("roles");
  c["realm_access"] = {{"roles", {"offline_access", "team-admin"}}};
  c["org"] = {{"team", "infra"}, {"project", "batch"}};
  auto p = verify(ec_->sign(c));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->team, "infra");
  EXPECT_EQ(p->project, "batch");
  EXPECT_EQ(p->roles, std::vector<Role>{Role::TeamAdmin});
}

TEST_F(JwtTest, DefaultRolesWhenNoClaimMaps) {
  issuer_.default_roles = {"developer"};
  json c = claims();
  c["roles"] = {"Reader"};
  auto p = verify(rsa_->sign(c));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->roles, std::vector<Role>{Role::Developer});
  issuer_.default_roles.clear();
  EXPECT_TRUE(verify(rsa_->sign(c))->roles.empty());
}

TEST_F(JwtTest, LeewayOnExpAndNbf) {
  json c = claims();
  c["exp"] = kNow - 30;  // expired 30 s ago, within the 60 s leeway
  EXPECT_TRUE(verify(rsa_->sign(c)));
  c["exp"] = kNow - 61;
  expect_rejected(rsa_->sign(c), "token_expired");
  c = claims();
  c["nbf"] = kNow + 30;
  EXPECT_TRUE(verify(rsa_->sign(c)));
  c["nbf"] = kNow + 61;
  expect_rejected(rsa_->sign(c), "token_not_yet_valid");
}

TEST_F(JwtTest, RejectsBadSignatures) {
  const std::string good = rsa_->sign(claims());
  // Another key under the same kid.
  expect_rejected(other_->sign(claims()), "bad_signature");
  // A payload swapped under a valid signature.
  json evil = claims();
  evil["roles"] = {"org-admin"};
  const std::string forged = rsa_->sign(evil);
  const std::string spliced = forged.substr(0, forged.rfind('.')) + good.substr(good.rfind('.'));
  expect_rejected(spliced, "bad_signature");
  // One flipped character in the signature, a truncated signature, an empty one.
  std::string flipped = good;
  char& c = flipped[flipped.rfind('.') + 10];
  c = c == 'A' ? 'B' : 'A';
  expect_rejected(flipped, "bad_signature");
  expect_rejected(good.substr(0, good.size() - 8), "bad_signature");
  expect_rejected(good.substr(0, good.rfind('.') + 1), "bad_signature");
  // ES256 with a wrong-length signature.
  const std::string es = ec_->sign(claims());
  expect_rejected(es.substr(0, es.rfind('.') + 1) + base64url_encode(std::string(63, 'x')),
                  "bad_signature");
}

TEST_F(JwtTest, RejectsNoneAndOtherAlgorithms) {
  expect_rejected(unsigned_token({{"alg", "none"}, {"kid", "rsa-1"}}, claims()), "unsupported_alg");
  expect_rejected(unsigned_token({{"alg", "None"}}, claims()), "unsupported_alg");
  for (const char* alg : {"RS384", "RS512", "PS256", "ES384", "EdDSA", ""}) {
    expect_rejected(rsa_->sign(claims(), {{"alg", alg}}), "unsupported_alg");
  }
}

TEST_F(JwtTest, RejectsHs256KeyConfusion) {
  // The classic attack: HMAC the token with the issuer's public key as the secret.
  const json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "rsa-1"}};
  expect_rejected(hs256_token(header, claims(), rsa_->public_pem()), "unsupported_alg");
  expect_rejected(hs256_token(header, claims(), rsa_->jwk()["n"].get<std::string>()),
                  "unsupported_alg");
}

TEST_F(JwtTest, AlgorithmMustMatchTheKeyType) {
  // An ES256 header naming the RSA key's kid finds no ES256 key of that kid.
  expect_rejected(ec_->sign(claims(), {{"kid", "rsa-1"}}), "unknown_kid");
  expect_rejected(rsa_->sign(claims(), {{"kid", "ec-1"}}), "unknown_kid");
}

TEST_F(JwtTest, RejectsWrongIssuerAudienceAndUnknownKid) {
  json c = claims();
  c["iss"] = "https://evil.example.com";
  expect_rejected(rsa_->sign(c), "wrong_issuer");
  c = claims();
  c["aud"] = "api://someone-else";
  expect_rejected(rsa_->sign(c), "wrong_audience");
  c["aud"] = {"a", "b"};
  expect_rejected(rsa_->sign(c), "wrong_audience");
  c.erase("aud");
  expect_rejected(rsa_->sign(c), "wrong_audience");
  expect_rejected(rsa_->sign(claims(), {{"kid", "rotated-away"}}), "unknown_kid");
}

TEST_F(JwtTest, RejectsMissingClaimsAndMalformedTokens) {
  json c = claims();
  c.erase("exp");
  expect_rejected(rsa_->sign(c), "missing_claim");
  c = claims();
  c.erase("sub");
  expect_rejected(rsa_->sign(c), "missing_claim");
  c = claims();
  c["exp"] = "tomorrow";
  expect_rejected(rsa_->sign(c), "malformed_token");
  expect_rejected("", "malformed_token");
  expect_rejected("a.b", "malformed_token");
  expect_rejected("a.b.c.d", "malformed_token");
  expect_rejected("!!!.???.###", "malformed_token");
  expect_rejected(base64url_encode("[1]") + "." + base64url_encode("{}") + ".", "malformed_token");
  expect_rejected(rsa_->sign(claims(), {{"crit", {"exp"}}}), "malformed_token");
}

TEST(JwksTest, KeepsUsableKeysAndSkipsTheRest) {
  const TestKey rsa = TestKey::rsa("r");
  json doc = json::parse(jwks_of({&rsa}));
  doc["keys"].push_back({{"kty", "oct"}, {"kid", "h"}, {"k", "c2VjcmV0"}});
  doc["keys"].push_back({{"kty", "EC"}, {"kid", "p384"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}});
  doc["keys"].push_back({{"kty", "RSA"}, {"kid", "enc"}, {"use", "enc"}, {"n", "AQAB"}, {"e", "AQAB"}});
  doc["keys"].push_back({{"kty", "RSA"}, {"kid", "small"}, {"n", "AQAB"}, {"e", "AQAB"}});
  doc["keys"].push_back({{"kty", "EC"}, {"kid", "off-curve"}, {"crv", "P-256"},
                         {"x", base64url_encode(std::string(32, '\1'))},
                         {"y", base64url_encode(std::string(32, '\2'))}});
  auto jwks = Jwks::parse(doc.dump());
  ASSERT_TRUE(jwks) << jwks.error().message;
  ASSERT_EQ(jwks->keys().size(), 1u);
  EXPECT_EQ(jwks->keys()[0].kid, "r");
  EXPECT_EQ(jwks->skipped().size(), 5u);
  // Without a kid, the only key of the algorithm is used.
  EXPECT_NE(jwks->find("", JwsAlg::RS256), nullptr);
  EXPECT_EQ(jwks->find("", JwsAlg::ES256), nullptr);
  EXPECT_FALSE(Jwks::parse("{\"keys\": 1}"));
  EXPECT_FALSE(Jwks::parse("not json"));
}

TEST(AuthenticatorJwtTest, UnknownKidRefetchesOnceThenAccepts) {
  const TestKey old_key = TestKey::rsa("2025");
  const TestKey new_key = TestKey::ec("2026");
  std::atomic<int> fetches = 0;
  std::atomic<bool> rotated = false;
  AuthConfig config;
  JwtIssuerConfig& issuer = config.jwt.emplace_back();
  issuer.issuer = "https://idp.example.com";
  issuer.audiences = {"switchyard"};
  issuer.jwks_file = "(injected)";
  issuer.roles_claim = "roles";
  Authenticator auth(config, "", [&](const JwtIssuerConfig&) -> Result<std::string> {
    ++fetches;
    return rotated ? jwks_of({&old_key, &new_key}) : jwks_of({&old_key});
  });
  ASSERT_TRUE(auth.start());
  const json c = {{"iss", issuer.issuer}, {"aud", "switchyard"}, {"sub", "u"},
                  {"exp", kNow + 60}, {"roles", {"auditor"}}};
  const int64_t now_ms = kNow * 1000;
  auto p = auth.authenticate(old_key.sign(c), now_ms);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->roles, std::vector<Role>{Role::Auditor});

  // The issuer rotates: a token with the new kid fails once and triggers a refetch.
  rotated = true;
  auto& source = *auth.issuers()->front();
  EXPECT_EQ(auth.authenticate(new_key.sign(c), now_ms).error().code, "unknown_kid");
  // Whether the background fetch has happened yet or not, the result must be that the new
  // key verifies once the set is refetched; fetch synchronously to avoid waiting.
  ASSERT_TRUE(source.fetch_now());
  EXPECT_TRUE(auth.authenticate(new_key.sign(c), now_ms));
  // Early refetches are rate-limited: right after a fetch another is refused.
  EXPECT_FALSE(source.request_refresh());
  auth.stop();
  EXPECT_GE(fetches.load(), 2);
}

TEST(AuthenticatorJwtTest, ApplySwapsIssuersKeysAndRequire) {
  const TestKey old_key = TestKey::ec("old");
  const TestKey new_key = TestKey::rsa("new");
  std::atomic<int> fetches = 0;
  auto issuer_config = [](std::string name) {
    JwtIssuerConfig i;
    i.issuer = std::move(name);
    i.audiences = {"switchyard"};
    i.jwks_file = "(injected)";
    i.default_roles = {"developer"};
    return i;
  };
  AuthConfig config;
  config.jwt.push_back(issuer_config("https://old.example"));
  config.jwt.push_back(issuer_config("https://kept.example"));
  config.keys.push_back({.id = "keep", .key = "sk-keep", .team = "t"});
  config.keys.push_back({.id = "drop", .key = "sk-drop", .team = "t"});
  Authenticator auth(config, "", [&](const JwtIssuerConfig& i) -> Result<std::string> {
    ++fetches;
    return i.issuer == "https://new.example" ? jwks_of({&new_key}) : jwks_of({&old_key});
  });
  ASSERT_TRUE(auth.start());
  ASSERT_EQ(fetches.load(), 2);
  const auto kept_before = auth.issuers()->at(1);
  const int64_t now_ms = kNow * 1000;
  auto claims = [](const char* iss) {
    return json{{"iss", iss}, {"aud", "switchyard"}, {"sub", "u"}, {"exp", kNow + 60}};
  };
  EXPECT_TRUE(auth.authenticate(old_key.sign(claims("https://old.example")), now_ms));
  EXPECT_TRUE(auth.authenticate("sk-drop", now_ms));
  EXPECT_FALSE(auth.required());

  AuthConfig next = config;
  next.require = true;
  next.keys.pop_back();
  next.jwt[0] = issuer_config("https://new.example");
  ASSERT_TRUE(auth.apply(next));
  EXPECT_TRUE(auth.required());
  EXPECT_EQ(fetches.load(), 4) << "the new issuer's file and the kept one's, read again";
  EXPECT_EQ(auth.issuers()->at(1), kept_before) << "an unchanged issuer keeps its source";
  EXPECT_EQ(auth.authenticate("sk-drop", now_ms).error().code, "invalid_api_key");
  EXPECT_TRUE(auth.authenticate("sk-keep", now_ms));
  EXPECT_EQ(auth.authenticate(old_key.sign(claims("https://old.example")), now_ms).error().code,
            "wrong_issuer");
  EXPECT_TRUE(auth.authenticate(new_key.sign(claims("https://new.example")), now_ms));
  auth.stop();
}

TEST(AuthenticatorJwtTest, RecognisesOnlyItsOwnCredentials) {
  const TestKey key = TestKey::ec("k");
  AuthConfig config;
  JwtIssuerConfig& issuer = config.jwt.emplace_back();
  issuer.issuer = "https://idp.example";
  issuer.audiences = {"switchyard"};
  issuer.jwks_file = "(injected)";
  config.keys.push_back({.id = "k1", .key = "sk-plain-config-key", .team = "t"});
  Authenticator auth(config, "", [&](const JwtIssuerConfig&) -> Result<std::string> {
    return jwks_of({&key});
  });
  const json expired = {{"iss", issuer.issuer}, {"aud", "switchyard"}, {"sub", "u"}, {"exp", 1}};
  EXPECT_TRUE(auth.recognises(key.sign(expired)));
  EXPECT_TRUE(auth.recognises("sk-plain-config-key"));
  EXPECT_TRUE(auth.recognises("sk-sy-unknownButOursByItsPrefix"));
  EXPECT_FALSE(auth.recognises("sk-proj-someone-elses-key"));
  json foreign = expired;
  foreign["iss"] = "https://other.example";
  EXPECT_FALSE(auth.recognises(key.sign(foreign)));
}

TEST(JwksSourceTest, EarlyRefetchIsRateLimited) {
  int64_t now_ms = 1'000'000;
  int fetches = 0;
  JwtIssuerConfig issuer;
  issuer.issuer = "i";
  issuer.jwks_min_refetch_s = 7;  // not the default: the source must take it from the config
  JwksSource source(
      issuer,
      [&](const JwtIssuerConfig&) -> Result<std::string> {
        ++fetches;
        return std::string("{\"keys\":[]}");
      },
      [&] { return now_ms; });
  ASSERT_TRUE(source.fetch_now());
  EXPECT_FALSE(source.request_refresh());
  now_ms += 7'000 - 1;
  EXPECT_FALSE(source.request_refresh());
  now_ms += 1;
  EXPECT_TRUE(source.request_refresh());
  EXPECT_FALSE(source.request_refresh());  // the slot is taken until the next interval
  // A failed fetch keeps the previous set.
  JwksSource failing(issuer, [](const JwtIssuerConfig&) -> Result<std::string> {
    return fail(ErrorKind::UpstreamError, "down");
  });
  EXPECT_FALSE(failing.fetch_now());
  EXPECT_TRUE(failing.current()->keys().empty());
}

}  // namespace
}  // namespace sy::governance::testing
