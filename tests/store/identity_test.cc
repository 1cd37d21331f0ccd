// The identity part of the Store contract, on SQLite and PostgreSQL: teams, projects,
// virtual keys (round trip, uniqueness, revocation) and the change counter that replicas
// poll.
#include <gtest/gtest.h>

#include "store/store_fixture.h"

namespace sy::store::testing {
namespace {

ApiKeyRow key_row(const std::string& id, char hash_digit, const std::string& team) {
  ApiKeyRow k;
  k.id = id;
  k.hash_hex = std::string(64, hash_digit);
  k.prefix = "sk-sy-" + id.substr(0, 4);
  k.name = "ci key \"quoted\" d\xc3\xa9j\xc3\xa0";
  k.team = team;
  k.roles = {"developer", "team-admin"};
  k.models = {"gpt-4o", "claude"};
  k.routes = {"fast"};
  k.regions = {"eu-west"};
  k.tags = {"env=prod", "cost-center=42", "plain"};
  k.created_ms = 1'700'000'000'000;
  k.expires_ms = 1'800'000'000'000;
  k.created_by = "admin-key";
  return k;
}

auto as_tuple(const ApiKeyRow& k) {
  return std::make_tuple(k.id, k.hash_hex, k.prefix, k.name, k.team, k.project, k.roles, k.models,
                         k.routes, k.regions, k.tags, k.created_ms, k.expires_ms, k.revoked_ms,
                         k.created_by);
}

TEST_P(StoreTest, FreshStoreHasNoIdentity) {
  EXPECT_EQ(store_->identity_version().value(), 0);
  EXPECT_TRUE(store_->teams().value().empty());
  EXPECT_TRUE(store_->projects(std::nullopt).value().empty());
  EXPECT_TRUE(store_->keys(std::nullopt).value().empty());
  EXPECT_FALSE(store_->key("key_none").value().has_value());
  EXPECT_FALSE(store_->revoke_key("key_none", 5).value());
}

TEST_P(StoreTest, TeamsAndProjects) {
  ASSERT_TRUE(store_->create_team({"search", "the search team", 10}));
  ASSERT_TRUE(store_->create_team({"ads", "", 20}));
  auto dup = store_->create_team({"ads", "again", 30});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().status, 409);
  EXPECT_EQ(dup.error().code, "already_exists");
  EXPECT_FALSE(store_->create_team({"bad name", "", 1}));
  EXPECT_FALSE(store_->create_team({"", "", 1}));

  const auto teams = store_->teams().value();
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[0].name, "ads");
  EXPECT_EQ(teams[1].name, "search");
  EXPECT_EQ(teams[1].description, "the search team");
  EXPECT_EQ(teams[1].created_ms, 10);

  ASSERT_TRUE(store_->create_project({"search", "web", "", 1}));
  ASSERT_TRUE(store_->create_project({"search", "images", "pics", 2}));
  ASSERT_TRUE(store_->create_project({"ads", "web", "", 3}));  // same name, other team
  EXPECT_EQ(store_->create_project({"search", "web", "", 4}).error().status, 409);
  auto orphan = store_->create_project({"nobody", "web", "", 5});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().kind, ErrorKind::NotFound);

  const auto all = store_->projects(std::nullopt).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].team, "ads");
  EXPECT_EQ(all[1].name, "images");
  EXPECT_EQ(all[1].description, "pics");
  EXPECT_EQ(store_->projects("search").value().size(), 2u);
  EXPECT_TRUE(store_->projects("nobody").value().empty());
}

TEST_P(StoreTest, TeamRegionsRoundTripAndBumpTheVersion) {
  ASSERT_TRUE(store_->create_team({"search", "", 1, {"eu-west", "eu-central"}}));
  ASSERT_TRUE(store_->create_team({"ads", "", 2}));
  EXPECT_FALSE(store_->create_team({"bad", "", 3, {""}}));  // empty region name
  auto teams = store_->teams().value();
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_TRUE(teams[0].regions.empty());
  EXPECT_EQ(teams[1].regions, (std::vector<std::string>{"eu-west", "eu-central"}));

  const int64_t before = store_->identity_version().value();
  EXPECT_TRUE(store_->set_team_regions("ads", {"us-east"}).value());
  EXPECT_GT(store_->identity_version().value(), before);
  EXPECT_TRUE(store_->set_team_regions("search", {}).value());
  EXPECT_FALSE(store_->set_team_regions("nobody", {"us-east"}).value());
  EXPECT_FALSE(store_->set_team_regions("ads", {"two\nlines"}));
  teams = store_->teams().value();
  EXPECT_EQ(teams[0].regions, std::vector<std::string>{"us-east"});
  EXPECT_TRUE(teams[1].regions.empty());
}

TEST_P(StoreTest, KeysRoundTripAndStayUnique) {
  ASSERT_TRUE(store_->create_team({"search", "", 1}));
  ASSERT_TRUE(store_->create_project({"search", "web", "", 1}));
  ApiKeyRow a = key_row("key_aaaa", 'a', "search");
  a.project = "web";
  ApiKeyRow b = key_row("key_bbbb", 'b', "search");
  b.created_ms += 1;
  b.roles.clear();  // empty lists stay empty
  b.models.clear();
  b.tags.clear();
  ASSERT_TRUE(store_->create_key(a));
  ASSERT_TRUE(store_->create_key(b));

  EXPECT_EQ(store_->create_key(key_row("key_aaaa", 'c', "search")).error().status, 409);
  EXPECT_EQ(store_->create_key(key_row("key_cccc", 'a', "search")).error().status, 409);
  EXPECT_EQ(store_->create_key(key_row("key_dddd", 'd', "nobody")).error().kind,
            ErrorKind::NotFound);
  ApiKeyRow bad_project = key_row("key_eeee", 'e', "search");
  bad_project.project = "mobile";
  EXPECT_EQ(store_->create_key(bad_project).error().kind, ErrorKind::NotFound);
  ApiKeyRow bad_hash = key_row("key_ffff", 'F', "search");
  EXPECT_EQ(store_->create_key(bad_hash).error().kind, ErrorKind::InvalidRequest);
  ApiKeyRow bad_tag = key_row("key_gggg", 'f', "search");
  bad_tag.tags = {"two\nlines"};
  EXPECT_EQ(store_->create_key(bad_tag).error().kind, ErrorKind::InvalidRequest);

  const auto keys = store_->keys(std::nullopt).value();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(as_tuple(keys[0]), as_tuple(a));
  EXPECT_EQ(as_tuple(keys[1]), as_tuple(b));
  EXPECT_EQ(store_->keys("search").value().size(), 2u);
  EXPECT_TRUE(store_->keys("ads").value().empty());
  auto got = store_->key("key_bbbb").value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(as_tuple(*got), as_tuple(b));
}

TEST_P(StoreTest, RevocationKeepsTheFirstTime) {
  ASSERT_TRUE(store_->create_team({"search", "", 1}));
  ASSERT_TRUE(store_->create_key(key_row("key_aaaa", 'a', "search")));
  EXPECT_TRUE(store_->revoke_key("key_aaaa", 100).value());
  EXPECT_TRUE(store_->revoke_key("key_aaaa", 200).value());
  EXPECT_EQ(store_->key("key_aaaa").value()->revoked_ms, 100);
  EXPECT_FALSE(store_->revoke_key("key_zzzz", 100).value());
}

TEST_P(StoreTest, EveryIdentityChangeBumpsTheVersionSeenByOtherConnections) {
  auto other = open_again();
  ASSERT_TRUE(other);
  int64_t last = other->identity_version().value();
  auto expect_bumped = [&](const char* what) {
    const int64_t now = other->identity_version().value();
    EXPECT_GT(now, last) << what;
    last = now;
  };
  ASSERT_TRUE(store_->create_team({"search", "", 1}));
  expect_bumped("create_team");
  ASSERT_TRUE(store_->create_project({"search", "web", "", 1}));
  expect_bumped("create_project");
  ASSERT_TRUE(store_->create_key(key_row("key_aaaa", 'a', "search")));
  expect_bumped("create_key");
  ASSERT_TRUE(store_->revoke_key("key_aaaa", 5).value());
  expect_bumped("revoke_key");
  // A refused change leaves the version alone.
  ASSERT_FALSE(store_->create_team({"search", "", 1}));
  EXPECT_EQ(other->identity_version().value(), last);
  // And the other connection reads what this one wrote.
  EXPECT_EQ(other->key("key_aaaa").value()->revoked_ms, 5);
}

}  // namespace
}  // namespace sy::store::testing
