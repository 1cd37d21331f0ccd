// Identity without JWTs: key secrets (format, hashing), the RBAC table, and the
// KeyRegistry — config keys, store keys, revocation and expiry, and the poller that lets
// one replica see another's key changes through a shared store.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "governance/api_key.h"
#include "governance/authenticator.h"
#include "governance/key_registry.h"
#include "governance/rbac.h"

namespace sy::governance {
namespace {

namespace fs = std::filesystem;

TEST(ApiKeyTest, SecretsAreRandomAndOnlyTheirHashIsKept) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const NewKeySecret k = generate_key();
    ASSERT_TRUE(k.secret.starts_with("sk-sy-"));
    EXPECT_EQ(k.secret.size(), 6u + 43u);  // 32 bytes as unpadded base64url
    EXPECT_EQ(k.secret.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6),
              std::string::npos);
    EXPECT_TRUE(k.id.starts_with("key_"));
    EXPECT_EQ(k.id.size(), 20u);
    EXPECT_EQ(k.hash_hex, hash_key(k.secret));
    EXPECT_EQ(k.prefix, k.secret.substr(0, 10));
    EXPECT_TRUE(seen.insert(k.secret).second);
    EXPECT_TRUE(seen.insert(k.id).second);
  }
  // SHA-256("abc"), FIPS 180-2 test vector.
  EXPECT_EQ(hash_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Principal with(std::vector<Role> roles, std::string team = "search") {
  Principal p;
  p.id = "t";
  p.team = std::move(team);
  p.roles = std::move(roles);
  return p;
}

TEST(RbacTest, TheRoleTable) {
  const Principal org = with({Role::OrgAdmin}, "");
  const Principal team_admin = with({Role::TeamAdmin});
  const Principal dev = with({Role::Developer});
  const Principal auditor = with({Role::Auditor}, "");
  const Principal nobody = with({});
  for (Action a : {Action::CallModel, Action::ReadSpend, Action::ReadAudit, Action::ManageTeams,
                   Action::ManageProjects, Action::ManageKeys, Action::ReadIdentity}) {
    EXPECT_TRUE(allowed(org, a, "")) << action_name(a);
    EXPECT_TRUE(allowed(org, a, "ads")) << action_name(a);
    EXPECT_FALSE(allowed(nobody, a, "search")) << action_name(a);
  }
  // team-admin: its own team only, never organisation-wide.
  for (Action a : {Action::ManageProjects, Action::ManageKeys, Action::ReadIdentity,
                   Action::ReadSpend}) {
    EXPECT_TRUE(allowed(team_admin, a, "search")) << action_name(a);
    EXPECT_FALSE(allowed(team_admin, a, "ads")) << action_name(a);
    EXPECT_FALSE(allowed(team_admin, a, "")) << action_name(a);
  }
  EXPECT_FALSE(allowed(team_admin, Action::ManageTeams, "search"));
  EXPECT_FALSE(allowed(team_admin, Action::ReadAudit, "search"));
  EXPECT_TRUE(allowed(team_admin, Action::CallModel, "search"));
  // A team-admin without a team administers nothing (an empty team is not a wildcard).
  EXPECT_FALSE(allowed(with({Role::TeamAdmin}, ""), Action::ManageKeys, ""));
  // developer: calls models, nothing else.
  EXPECT_TRUE(allowed(dev, Action::CallModel, "search"));
  for (Action a : {Action::ReadSpend, Action::ReadAudit, Action::ManageKeys, Action::ReadIdentity}) {
    EXPECT_FALSE(allowed(dev, a, "search")) << action_name(a);
  }
  // auditor: reads spend and audit anywhere, nothing else, no model calls.
  EXPECT_TRUE(allowed(auditor, Action::ReadSpend, ""));
  EXPECT_TRUE(allowed(auditor, Action::ReadAudit, ""));
  EXPECT_TRUE(allowed(auditor, Action::ReadSpend, "ads"));
  for (Action a : {Action::CallModel, Action::ManageKeys, Action::ManageTeams,
                   Action::ReadIdentity, Action::ManageProjects}) {
    EXPECT_FALSE(allowed(auditor, a, "")) << action_name(a);
  }
  auto denied = authorize(dev, Action::ManageKeys, "search");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().status, 403);
  EXPECT_NE(denied.error().message.find("manage-keys"), std::string::npos);
}

TEST(RbacTest, PoliciesAreReadByAuditorsAndTeamAdminsAndChangedByOrgAdminsOnly) {
  EXPECT_TRUE(allowed(with({Role::OrgAdmin}, ""), Action::ManagePolicies, ""));
  EXPECT_TRUE(allowed(with({Role::OrgAdmin}, ""), Action::ReadPolicies, ""));
  EXPECT_TRUE(allowed(with({Role::Auditor}, ""), Action::ReadPolicies, ""));
  EXPECT_TRUE(allowed(with({Role::TeamAdmin}), Action::ReadPolicies, ""));
  for (const auto& roles : {std::vector<Role>{Role::Auditor}, std::vector<Role>{Role::TeamAdmin},
                            std::vector<Role>{Role::Developer}}) {
    EXPECT_FALSE(allowed(with(roles), Action::ManagePolicies, "")) << static_cast<int>(roles[0]);
    EXPECT_FALSE(allowed(with(roles), Action::ManagePolicies, "search"));
  }
  EXPECT_FALSE(allowed(with({Role::Developer}), Action::ReadPolicies, ""));
  EXPECT_FALSE(allowed(with({}), Action::ReadPolicies, ""));
}

TEST(PrincipalTest, EmptyAllowListsMeanAny) {
  Principal p;
  EXPECT_TRUE(p.may_use_model("anything"));
  EXPECT_TRUE(p.may_use_region("eu"));
  p.allowed_models = {"gpt-4o"};
  p.allowed_regions = {"eu-west"};
  EXPECT_TRUE(p.may_use_model("gpt-4o"));
  EXPECT_FALSE(p.may_use_model("gpt-4o-mini"));
  EXPECT_FALSE(p.may_use_region("us-east"));
  EXPECT_TRUE(p.may_use_route("fast"));
}

StaticKeyConfig demo_key() {
  StaticKeyConfig k;
  k.id = "demo";
  k.key = "sk-demo";
  k.team = "demo";
  k.roles = {"developer"};
  k.tags = {"env=demo"};
  return k;
}

TEST(KeyRegistryTest, ConfigKeysPlainAndHashed) {
  StaticKeyConfig hashed = demo_key();
  hashed.id = "ci";
  hashed.key.clear();
  hashed.key_sha256 = hash_key("sk-ci-secret");
  hashed.team = "ci";
  KeyRegistry reg({demo_key(), hashed});
  auto p = reg.authenticate("sk-demo", 0);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->kind, PrincipalKind::Key);
  EXPECT_EQ(p->key_id, "demo");
  EXPECT_EQ(p->team, "demo");
  EXPECT_EQ(p->roles, std::vector<Role>{Role::Developer});
  EXPECT_EQ(p->tags, std::vector<std::string>{"env=demo"});
  EXPECT_EQ(reg.authenticate("sk-ci-secret", 0)->team, "ci");
  auto bad = reg.authenticate("sk-demo ", 0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 401);
  EXPECT_EQ(bad.error().code, "invalid_api_key");
  reg.set_config_keys({});
  EXPECT_FALSE(reg.authenticate("sk-demo", 0));
}

class StoreKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sy-identity-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    url_ = "sqlite:" + (dir_ / "s.db").string();
    auto db = store::open_store({.url = url_});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->create_team({"search", "", 1}));
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }
  // Creates a key the way the admin API does; returns its secret.
  std::string add_key(int64_t expires_ms = 0) {
    const NewKeySecret k = generate_key();
    store::ApiKeyRow row;
    row.id = k.id;
    row.hash_hex = k.hash_hex;
    row.prefix = k.prefix;
    row.team = "search";
    row.roles = {"developer"};
    row.models = {"sim-small"};
    row.expires_ms = expires_ms;
    EXPECT_TRUE(db_->create_key(row));
    ids_.push_back(k.id);
    return k.secret;
  }

  fs::path dir_;
  std::string url_;
  std::unique_ptr<store::Store> db_;
  std::vector<std::string> ids_;
};

TEST_F(StoreKeysTest, ReloadRevokeAndExpire) {
  KeyRegistry reg({demo_key()});
  const std::string secret = add_key();
  const std::string expiring = add_key(/*expires_ms=*/5'000);
  EXPECT_FALSE(reg.authenticate(secret, 0));  // not loaded yet
  ASSERT_TRUE(reg.reload(*db_));
  auto p = reg.authenticate(secret, 0);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->key_id, ids_[0]);
  EXPECT_EQ(p->allowed_models, std::vector<std::string>{"sim-small"});
  EXPECT_TRUE(reg.authenticate("sk-demo", 0));  // config keys stay merged in

  EXPECT_TRUE(reg.authenticate(expiring, 4'999));
  auto expired = reg.authenticate(expiring, 5'000);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);

  EXPECT_FALSE(reg.refresh(*db_).value());  // nothing changed
  ASSERT_TRUE(db_->revoke_key(ids_[0], 10).value());
  EXPECT_TRUE(reg.authenticate(secret, 0));  // the snapshot is immutable until refreshed
  EXPECT_TRUE(reg.refresh(*db_).value());
  auto revoked = reg.authenticate(secret, 0);
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos);
}

TEST_F(StoreKeysTest, TeamRegionsReachKeysAndOtherPrincipals) {
  KeyRegistry reg;
  const std::string secret = add_key();
  ASSERT_TRUE(reg.reload(*db_));
  auto p = reg.authenticate(secret, 0);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->team_regions.empty());
  EXPECT_TRUE(p->may_use_region("us-east"));

  ASSERT_TRUE(db_->set_team_regions("search", {"eu-west"}).value());
  ASSERT_TRUE(reg.refresh(*db_).value());
  p = reg.authenticate(secret, 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->team_regions, std::vector<std::string>{"eu-west"});
  EXPECT_TRUE(p->may_use_region("eu-west"));
  EXPECT_FALSE(p->may_use_region("us-east"));

  // The key's own list narrows further; both must allow a region.
  p->allowed_regions = {"us-east", "eu-west"};
  EXPECT_TRUE(p->may_use_region("eu-west"));
  EXPECT_FALSE(p->may_use_region("us-east"));

  // A JWT's principal gets its team's list the same way.
  Principal jwt;
  jwt.kind = PrincipalKind::Jwt;
  jwt.team = "search";
  reg.apply_team(jwt);
  EXPECT_EQ(jwt.team_regions, std::vector<std::string>{"eu-west"});
  jwt.team = "other";
  reg.apply_team(jwt);
  EXPECT_TRUE(jwt.team_regions.empty());
}

TEST_F(StoreKeysTest, AnotherReplicasChangeArrivesThroughThePoller) {
  // Two authenticators on one database, as two gateway replicas would be.
  AuthConfig config;
  config.key_refresh_ms = 50;
  Authenticator replica_a(config, url_);
  Authenticator replica_b(config, url_);
  ASSERT_TRUE(replica_a.start());
  ASSERT_TRUE(replica_b.start());
  const std::string secret = add_key();  // written by "replica a's admin API"
  // Wait (bounded) for replica b's poller; never assert on how long it took.
  auto wait_until = [&](auto&& condition) {
    for (int i = 0; i < 400 && !condition(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return condition();
  };
  EXPECT_TRUE(wait_until([&] { return replica_b.authenticate(secret, 0).has_value(); }));
  ASSERT_TRUE(db_->revoke_key(ids_[0], 1).value());
  replica_a.keys().poke();
  EXPECT_TRUE(wait_until([&] { return !replica_a.authenticate(secret, 0).has_value(); }));
  EXPECT_TRUE(wait_until([&] { return !replica_b.authenticate(secret, 0).has_value(); }));
  replica_a.stop();
  replica_b.stop();
}

TEST(AuthenticatorTest, BearerHeaderForms) {
  AuthConfig config;
  config.keys = {demo_key()};
  Authenticator auth(config, "");
  ASSERT_TRUE(auth.start());
  EXPECT_TRUE(auth.authenticate_header("Bearer sk-demo", 0));
  EXPECT_TRUE(auth.authenticate_header("bearer sk-demo", 0));
  EXPECT_EQ(auth.authenticate_header("Basic c2stZGVtbw==", 0).error().code, "missing_api_key");
  EXPECT_EQ(auth.authenticate_header("", 0).error().status, 401);
  EXPECT_EQ(auth.authenticate_header("Bearer ", 0).error().code, "missing_api_key");
  // Without issuers, a JWT-shaped token is just an unknown key.
  EXPECT_EQ(auth.authenticate("eyJhbGciOiJub25lIn0.e30.", 0).error().code, "invalid_api_key");
}

}  // namespace
}  // namespace sy::governance
