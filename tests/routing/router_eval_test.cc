// PGR, APGR and CPT on examples small enough to compute by hand; the savings arithmetic.
#include "routing/router_eval.h"

#include <gtest/gtest.h>

#include <vector>

namespace sy::routing {
namespace {

// weak right on 0 and 2, strong right on 0, 1 and 3: weak 0.5, strong 0.75, gap one prompt.
const std::vector<uint8_t> kWeak = {1, 0, 1, 0};
const std::vector<uint8_t> kStrong = {1, 1, 0, 1};

TEST(RouterEval, GoodRouterByHand) {
  // Strong calls go in order 1, 3, 2, 0: correct counts 2, 3, 4, 3, 3 → PGR 0, 1, 2, 1, 1.
  const std::vector<float> p = {0.9f, 0.1f, 0.8f, 0.2f};
  const auto m = evaluate_router(p, kWeak, kStrong);
  EXPECT_EQ(m.prompts, 4u);
  EXPECT_DOUBLE_EQ(m.weak_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.strong_accuracy, 0.75);
  ASSERT_EQ(m.curve.size(), 5u);
  const double pgr[] = {0, 1, 2, 1, 1};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(m.curve[i].strong_share, i / 4.0);
    EXPECT_DOUBLE_EQ(m.curve[i].pgr, pgr[i]) << i;
  }
  EXPECT_DOUBLE_EQ(m.curve[2].performance, 1.0);
  // Trapezoids of width 0.25: (0+1)/2 + (1+2)/2 + (2+1)/2 + (1+1)/2 = 4.5 → 1.125.
  EXPECT_DOUBLE_EQ(m.apgr, 1.125);
  EXPECT_DOUBLE_EQ(m.cpt50, 0.25);
  EXPECT_DOUBLE_EQ(m.cpt80, 0.25);
  EXPECT_DOUBLE_EQ(pgr_at(m, 0.375), 1.5);
  EXPECT_DOUBLE_EQ(pgr_at(m, 1.0), 1.0);
}

TEST(RouterEval, BadRouterByHand) {
  // Order 0, 2, 3, 1: correct 2, 2, 1, 2, 3 → PGR 0, 0, -1, 0, 1.
  const std::vector<float> p = {0.1f, 0.9f, 0.2f, 0.8f};
  const auto m = evaluate_router(p, kWeak, kStrong);
  EXPECT_DOUBLE_EQ(m.apgr, 0.25 * (0 + (0 - 1) / 2.0 + (-1 + 0) / 2.0 + (0 + 1) / 2.0));
  EXPECT_DOUBLE_EQ(m.cpt50, 1.0);
  EXPECT_DOUBLE_EQ(m.cpt80, 1.0);
}

TEST(RouterEval, TiesKeepInputOrder) {
  // Equal scores: strong calls in index order 0, 1, 2, 3 → correct 2, 2, 3, 2, 3.
  const std::vector<float> p(4, 0.5f);
  const auto m = evaluate_router(p, kWeak, kStrong);
  const double pgr[] = {0, 0, 1, 0, 1};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(m.curve[i].pgr, pgr[i]) << i;
  EXPECT_DOUBLE_EQ(m.cpt50, 0.5);
}

TEST(RouterEval, RandomRouterExpectationIsTheDiagonal) {
  // Averaged over every order of a larger set, a router's PGR is the diagonal: check with
  // a router whose scores are independent of the labels across many rotations.
  std::vector<uint8_t> weak, strong;
  for (int i = 0; i < 400; ++i) {
    weak.push_back(i % 3 == 0);
    strong.push_back(i % 3 != 2);
  }
  double apgr = 0;
  const int rotations = 12;
  for (int r = 0; r < rotations; ++r) {
    std::vector<float> p;
    for (int i = 0; i < 400; ++i) p.push_back(float((i * 7 + r * 31) % 400));
    apgr += evaluate_router(p, weak, strong).apgr / rotations;
  }
  EXPECT_NEAR(apgr, 0.5, 0.05);
}

TEST(Savings, ByHand) {
  const std::vector<float> p = {0.9f, 0.2f};
  const std::vector<double> tokens = {1000, 3000};
  const auto s = estimate_savings(p, tokens, 10.0, 1.0, 0.5);
  EXPECT_EQ(s.prompts, 2u);
  EXPECT_EQ(s.to_weak, 1u);
  EXPECT_DOUBLE_EQ(s.tokens, 4000);
  EXPECT_DOUBLE_EQ(s.cost_always_strong, 0.04);
  EXPECT_DOUBLE_EQ(s.cost_routed, 0.031);
  EXPECT_NEAR(s.saved_share, 0.225, 1e-12);
  EXPECT_EQ(estimate_savings(p, tokens, 10.0, 1.0, 0.95).to_weak, 0u);
}

}  // namespace
}  // namespace sy::routing
