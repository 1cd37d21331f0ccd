// The admin policy versions on both backends: numbering, optimistic concurrency (412 on a
// stale expected version, nothing stored), history order, and two connections appending.
#include <gtest/gtest.h>

#include "store/store_fixture.h"

namespace sy::store::testing {
namespace {

PolicyVersionRow row(std::string source, std::string text, std::string actor, int64_t ts) {
  PolicyVersionRow r;
  r.source = std::move(source);
  r.text = std::move(text);
  r.sha256_hex = "ab";
  r.actor = std::move(actor);
  r.ts_ms = ts;
  return r;
}

TEST_P(StoreTest, PolicyVersionsAreNumberedAndKeptAsHistory) {
  EXPECT_FALSE(store_->latest_policy_version().value().has_value());
  EXPECT_TRUE(store_->policy_versions(10).value().empty());
  auto first = store_->add_policy_version(row("admin", "- id: a\n  effect: deny\n", "admin-key", 5),
                                          std::nullopt);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->version, 1);
  auto second = store_->add_policy_version(row("config", "", "key:k1", 6), 1);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->version, 2);

  auto latest = store_->latest_policy_version().value();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->source, "config");
  EXPECT_EQ(latest->actor, "key:k1");
  auto history = store_->policy_versions(10).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version, 2);
  EXPECT_EQ(history[1].version, 1);
  EXPECT_EQ(history[1].text, "- id: a\n  effect: deny\n");
  EXPECT_EQ(history[1].sha256_hex, "ab");
  EXPECT_EQ(history[1].ts_ms, 5);
  EXPECT_EQ(store_->policy_versions(1).value().size(), 1u);
}

TEST_P(StoreTest, AStaleExpectedPolicyVersionIsRefusedAndStoresNothing) {
  ASSERT_TRUE(store_->add_policy_version(row("admin", "[]", "a", 1), 0));
  // Another connection (another replica) read version 1 too and wrote first.
  auto other = open_again();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->add_policy_version(row("admin", "[]", "b", 2), 1));
  auto stale = store_->add_policy_version(row("admin", "[]", "a", 3), 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().status, 412);
  EXPECT_EQ(stale.error().code, "version_mismatch");
  EXPECT_NE(stale.error().message.find("version 2"), std::string::npos) << stale.error().message;
  auto fresh = store_->add_policy_version(row("admin", "[]", "a", 3), 0);
  EXPECT_FALSE(fresh);
  EXPECT_EQ(store_->latest_policy_version().value()->version, 2);
  EXPECT_EQ(store_->latest_policy_version().value()->actor, "b");
  // The store keeps working after a refusal (the transaction was rolled back).
  EXPECT_EQ(store_->add_policy_version(row("config", "", "a", 4), 2).value().version, 3);
}

}  // namespace
}  // namespace sy::store::testing
