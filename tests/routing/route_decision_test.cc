#include "routing/route_decision.h"

#include <gtest/gtest.h>

#include <map>

#include "core/config_loader.h"

namespace sy::routing {
namespace {

ConfigPtr config() {
  auto c = load_config_text(R"(
providers: {p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}}
deployments: {a: {provider: p}, b: {provider: p}, c: {provider: p}}
routes:
  chain: {targets: [a, b, c], retry: {max_attempts: 5, attempts_per_deployment: 2}}
  spread:
    strategy: weighted
    targets: [{deployment: a, weight: 6}, {deployment: b, weight: 3}, {deployment: c, weight: 1}]
)",
                            "t.yaml");
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

TEST(Decide, DirectDeploymentRetriesOnce) {
  auto cat = providers::Catalog::build(config());
  ASSERT_TRUE(cat);
  auto d = decide(**cat, "b", Signals{}, [] { return 0.5; });
  ASSERT_TRUE(d);
  EXPECT_EQ(d->route, "");
  EXPECT_STREQ(d->strategy, "direct");
  auto s = d->schedule();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0]->name(), "b");
  EXPECT_EQ(s[1]->name(), "b");
}

TEST(Decide, FallbackRouteKeepsOrderAndCapsAttempts) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "chain", Signals{}, [] { return 0.5; });
  ASSERT_TRUE(d);
  auto s = d->schedule();
  std::string names;
  for (auto* dep : s) names += dep->name();
  EXPECT_EQ(names, "aabbc");  // two tries each, five in all
  EXPECT_EQ(d->compact(), "route=chain; strategy=fallback; order=a,b,c");
}

TEST(Decide, UnknownModelIs404WithCode) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "gpt-9", Signals{}, [] { return 0.5; });
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().status, 404);
  EXPECT_EQ(d.error().code, "model_not_found");
  EXPECT_EQ(d.error().param, "model");
}

TEST(Decide, WeightedOrderFollowsTheWeights) {
  auto cat = providers::Catalog::build(config());
  uint64_t state = 12345;
  auto rng = [&] {  // deterministic LCG for the test
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  std::map<std::string, int> first;
  constexpr int kRuns = 20000;
  for (int i = 0; i < kRuns; ++i) {
    auto d = decide(**cat, "spread", Signals{}, rng);
    ASSERT_EQ(d->order.size(), 3u);
    ++first[d->order[0]->name()];
  }
  EXPECT_NEAR(first["a"] / double(kRuns), 0.6, 0.02);
  EXPECT_NEAR(first["b"] / double(kRuns), 0.3, 0.02);
  EXPECT_NEAR(first["c"] / double(kRuns), 0.1, 0.02);
}

TEST(Backoff, FullJitterBoundedByTheCap) {
  RetryPolicy p{4, 1, 100, 1000};
  EXPECT_EQ(backoff_delay(p, 0, 0.0).count(), 0);
  EXPECT_EQ(backoff_delay(p, 0, 0.999).count(), 99);
  EXPECT_EQ(backoff_delay(p, 2, 0.5).count(), 200);
  EXPECT_EQ(backoff_delay(p, 10, 0.999).count(), 999);
}

}  // namespace
}  // namespace sy::routing
