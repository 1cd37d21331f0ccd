// The strategies that use what the router knows about a request: rules (task type →
// route), threshold (p_cheap_ok against a calibrated threshold), cheapest with a
// quality knob, the caller's hints as constraints, cascade checks, the calibration file,
// and the config checks on routes (loops, unknown tasks, target counts).
#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "routing/calibration.h"
#include "routing/cascade.h"
#include "routing/requirements.h"
#include "routing/route_decision.h"

namespace sy::routing {
namespace {

constexpr const char* kConfig = R"(
providers: {p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}}
deployments:
  small: {provider: p, model: gpt-4o-mini, price: {input_per_mtok: 0.15, output_per_mtok: 0.6},
          quality: {default: 0.6, extraction: 0.85}}
  big: {provider: p, model: gpt-4o, price: {input_per_mtok: 2.5, output_per_mtok: 10},
        quality: {default: 0.9}}
  coder: {provider: p, model: my-coder, price: {input_per_mtok: 0.5, output_per_mtok: 1.5},
          quality: {default: 0.4, code: 0.95}}
routes:
  auto:
    strategy: rules
    rules:
      - {task: code, to: coder}
      - {task: [math, reasoning], to: smart}
    otherwise: standard
  smart: {strategy: threshold, targets: [small, big], quality: 0.3}
  standard: {targets: [small, big]}
  cheap: {strategy: cheapest, targets: [big, small, coder]}
  good: {strategy: cheapest, targets: [big, small, coder], quality: 0.8}
  careful: {strategy: cascade, targets: [small, big], checks: [json, {min_chars: 3}]}
)";

ConfigPtr config() {
  auto c = load_config_text(kConfig, "t.yaml");
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

std::string names(const RouteDecision& d) {
  std::string s;
  for (auto* dep : d.order) s += (s.empty() ? "" : ",") + dep->name();
  return s;
}

Signals task(TaskType t) {
  Signals s;
  s.hints.task = t;
  return s;
}

Signals predicted(float p_cheap_ok, TaskType t = TaskType::Reasoning) {
  Signals s;
  s.prediction = Prediction{t, 0.9f, p_cheap_ok};
  return s;
}

// A calibration whose sample is uniform on [0, 1]: threshold_for(s) ≈ s.
Calibration uniform() {
  std::vector<float> p;
  for (int i = 0; i <= 1000; ++i) p.push_back(i / 1000.0f);
  return Calibration::from_scores(p, 42, "uniform");
}

auto half = [] { return 0.5; };

TEST(Rules, TheTaskPicksTheRouteAndTheDecisionSaysWhy) {
  auto cat = providers::Catalog::build(config());
  ASSERT_TRUE(cat);
  auto d = decide(**cat, "auto", task(TaskType::Code), half);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(names(*d), "coder");
  EXPECT_EQ(d->compact(), "route=auto; task=code; strategy=direct; order=coder");
  ASSERT_EQ(d->via.size(), 1u);
  EXPECT_EQ(d->via[0], "auto: task=code -> coder");

  auto e = decide(**cat, "auto", task(TaskType::Math), half);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->route, "smart");
  EXPECT_EQ(e->compact(), "route=auto>smart; task=math; strategy=threshold; order=small,big");
  EXPECT_NE(e->to_json().find(R"("task_source":"hint")"), std::string::npos);
}

TEST(Rules, UnknownOrUnlistedTasksGoOtherwise) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "auto", Signals{}, half);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->route, "standard");
  EXPECT_EQ(d->via[0], "auto: task unknown -> standard");
  auto e = decide(**cat, "auto", predicted(0.5, TaskType::Creative), half);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->route, "standard");
  EXPECT_EQ(e->via[0], "auto: task=creative (no rule) -> standard");
  EXPECT_NE(e->to_json().find(R"("task_source":"classifier")"), std::string::npos);
}

TEST(Threshold, CalibratedShareOfStrongCalls) {
  auto cat = providers::Catalog::build(config());
  const Calibration cal = uniform();
  EXPECT_NEAR(cal.threshold_for(0.3), 0.3, 0.002);
  EXPECT_EQ(cal.threshold_for(0), 0.0);
  EXPECT_GT(cal.threshold_for(1), 1.0);
  const Needs needs;
  auto order_for = [&](const Signals& s) {
    auto d = decide(**cat, "smart", s, half);
    EXPECT_TRUE(d);
    ChooseInputs in;
    in.route = (*cat)->route("smart");
    in.needs = &needs;
    in.signals = &s;
    in.calibration = &cal;
    d->choose(in);
    return *d;
  };
  auto hard = order_for(predicted(0.2f));
  EXPECT_EQ(names(hard), "big,small");
  EXPECT_NEAR(*hard.threshold, 0.3, 0.002);
  EXPECT_NE(hard.compact().find("p_cheap_ok=0.200; threshold=0.300"), std::string::npos);
  EXPECT_EQ(names(order_for(predicted(0.8f))), "small,big");
  // The caller's knob: 0.9 of requests to the strong model moves the threshold up.
  Signals eager = predicted(0.8f);
  eager.hints.quality = 0.9;
  auto d = order_for(eager);
  EXPECT_EQ(names(d), "big,small");
  EXPECT_NEAR(*d.quality, 0.9, 1e-9);
  // No prediction (no classifier): the strong model, to be safe.
  EXPECT_EQ(names(order_for(Signals{})), "big,small");
}

TEST(Threshold, RoutesTheConfiguredShareOfASample) {
  // Over the calibration sample itself, the share sent to the strong target is the knob.
  auto cat = providers::Catalog::build(config());
  const Calibration cal = uniform();
  const Needs needs;
  for (double knob : {0.1, 0.3, 0.5, 0.8}) {
    int strong = 0;
    for (int i = 0; i < 1000; ++i) {
      Signals s = predicted(static_cast<float>((i + 0.5) / 1000.0));
      s.hints.quality = knob;
      auto d = decide(**cat, "smart", s, half);
      ChooseInputs in;
      in.route = (*cat)->route("smart");
      in.needs = &needs;
      in.signals = &s;
      in.calibration = &cal;
      d->choose(in);
      strong += d->order.front()->name() == "big";
    }
    EXPECT_NEAR(strong / 1000.0, knob, 0.01) << knob;
  }
}

TEST(Cheapest, TheQualityKnobSetsAFloorForTheTask) {
  auto cat = providers::Catalog::build(config());
  const Needs needs;
  auto run = [&](const char* route, Signals s) {
    auto d = decide(**cat, route, s, half);
    EXPECT_TRUE(d);
    ChooseInputs in;
    in.route = (*cat)->route(route);
    in.needs = &needs;
    in.signals = &s;
    d->choose(in);
    return *d;
  };
  EXPECT_EQ(names(run("cheap", Signals{})), "small,coder,big");  // no knob: by cost alone
  // knob 0.8 × best 0.9 = 0.72: small (0.6) and coder (0.4) are not good enough.
  auto d = run("good", task(TaskType::Reasoning));
  EXPECT_EQ(names(d), "big");
  ASSERT_EQ(d.removed.size(), 2u);
  EXPECT_EQ(d.removed[0].constraint, "quality");
  // For extraction small is good enough (0.85 ≥ 0.8 × 0.9) and cheaper.
  EXPECT_EQ(names(run("good", task(TaskType::Extraction))), "small,big");
  // For code only coder is.
  EXPECT_EQ(names(run("good", task(TaskType::Code))), "coder,big");
}

TEST(Hints, MaxCostAndMaxLatencyAreNamedConstraints) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "cheap", Signals{}, half);
  Needs needs;
  needs.input_tokens = 1000;
  needs.output_tokens = 1000;
  Hints hints;
  hints.max_cost_usd = 0.001;  // small: 0.00075; big: 0.0125; coder: 0.002
  HealthBoard board;
  std::vector<CandidateConstraint> cs;
  append_hint_constraints(hints, needs, board, cs);
  ASSERT_TRUE(d->apply(cs));
  EXPECT_EQ(names(*d), "small");
  EXPECT_EQ(d->removed[0].constraint, "hint.max_cost");

  hints.max_cost_usd = 0.0001;
  auto e = decide(**cat, "cheap", Signals{}, half);
  cs.clear();
  append_hint_constraints(hints, needs, board, cs);
  auto r = e->apply(cs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "no_capable_deployment");
}

TEST(Headroom, DeploymentsNearTheirProviderLimitsStepAside) {
  auto c = load_config_text(R"(
providers: {p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}}
deployments:
  a: {provider: p, model: m, limits: {rpm: 2}}
  b: {provider: p, model: m, limits: {tpm: 1000}}
routes:
  r: {targets: [a, b]}
)",
                            "t.yaml");
  ASSERT_TRUE(c) << c.error().message;
  auto cat = providers::Catalog::build(*c);
  const auto* a = (*cat)->deployment("a");
  const auto* b = (*cat)->deployment("b");
  ASSERT_TRUE(a->headroom && b->headroom);
  const int64_t t = 1'000'000'000;
  a->headroom->charge(t, 10);
  a->headroom->charge(t, 10);  // two requests: a's minute is used up
  auto d = decide(**cat, "r", Signals{}, half);
  d->apply_headroom(t, 10);
  EXPECT_EQ(names(*d), "b");
  EXPECT_EQ(d->removed[0].constraint, "rate_limit");
  // b has room for 10 tokens but not for 5,000; with none left, both stay.
  auto e = decide(**cat, "r", Signals{}, half);
  e->apply_headroom(t, 5000);
  EXPECT_EQ(names(*e), "a,b");
  EXPECT_TRUE(e->removed.empty());
  // A minute later a has room again (GCRA: one request every 30 s).
  auto f = decide(**cat, "r", Signals{}, half);
  f->apply_headroom(t + 30'000'000, 10);
  EXPECT_EQ(names(*f), "a,b");
}

TEST(ClassifierUse, OnlyWhatReachableRoutesNeed) {
  auto cat = providers::Catalog::build(config());
  EXPECT_FALSE(classifier_use(**cat, "standard", {}).any());
  EXPECT_FALSE(classifier_use(**cat, "small", {}).any());
  auto a = classifier_use(**cat, "auto", {});
  EXPECT_TRUE(a.task);
  EXPECT_TRUE(a.difficulty);  // smart is reachable
  Hints h;
  h.task = TaskType::Chat;
  EXPECT_FALSE(classifier_use(**cat, "auto", h).task);
  EXPECT_TRUE(classifier_use(**cat, "good", {}).task);
  EXPECT_FALSE(classifier_use(**cat, "cheap", {}).task);
  h = {};
  h.quality = 0.5;
  EXPECT_TRUE(classifier_use(**cat, "cheap", h).task);
}

TEST(Cascade, ChecksNameWhatFailed) {
  const std::vector<CascadeCheck> checks = {{CascadeCheck::Json, 0}, {CascadeCheck::MinChars, 3}};
  EXPECT_FALSE(run_checks(checks, R"({"a": 1})", nullptr));
  auto f = run_checks(checks, "Sure! {\"a\": 1}", nullptr);
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->check, "json");
  f = run_checks(checks, "12", nullptr);
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->check, "min_chars");
  // Code points, not bytes: "äöü" is three characters.
  EXPECT_FALSE(run_checks(std::vector<CascadeCheck>{{CascadeCheck::MinChars, 3}}, "\"äöü\"", nullptr));
  EXPECT_TRUE(run_checks(std::vector<CascadeCheck>{{CascadeCheck::MinChars, 4}}, "äöü", nullptr));

  const std::vector<CascadeCheck> polite = {{CascadeCheck::NotRefusal, 0}};
  EXPECT_TRUE(run_checks(polite, "  I'm sorry, but I can't help with that.", nullptr));
  EXPECT_TRUE(run_checks(polite, "I can\xe2\x80\x99t do that", nullptr));
  EXPECT_TRUE(run_checks(polite, "AS AN AI language model", nullptr));
  EXPECT_FALSE(run_checks(polite, "Here is the summary: I cannot stress this enough.", nullptr));

  const std::vector<CascadeCheck> schema = {{CascadeCheck::JsonSchema, 0}};
  EXPECT_FALSE(run_checks(schema, "anything", nullptr));  // the request has no schema
  SchemaCheck wants_total = [](std::string_view t) {
    return t.find("\"total\"") == std::string_view::npos ? std::string("/ missing required property total")
                                                         : std::string();
  };
  EXPECT_FALSE(run_checks(schema, R"({"total": 3})", &wants_total));
  f = run_checks(schema, R"({"sum": 3})", &wants_total);
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->check, "json_schema");
  EXPECT_EQ(f->reason, "/ missing required property total");
}

TEST(Calibration, FileRoundTripsAndNamesItsModel) {
  const Calibration cal = uniform();
  auto back = Calibration::parse(cal.to_json(), 42);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_NEAR(back->threshold_for(0.25), cal.threshold_for(0.25), 1e-6);
  EXPECT_EQ(back->prompts(), 1001u);
  auto other = Calibration::parse(cal.to_json(), 43);
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("another classifier model"), std::string::npos);
  EXPECT_FALSE(Calibration::parse("{}", 42));
  EXPECT_FALSE(Calibration::parse("not json", 42));
  std::string bad = cal.to_json();
  bad.replace(bad.find("\"quantiles\":[0"), 14, "\"quantiles\":[2");
  EXPECT_FALSE(Calibration::parse(bad, 42));
}

TEST(RouteConfig, ProblemsAreRefusedAtLoad) {
  auto refused = [](const std::string& routes) {
    const std::string base = R"(
providers: {p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}}
deployments:
  a: {provider: p, model: m}
  b: {provider: p, model: m}
routes:
)";
    auto c = load_config_text(base + routes, "t.yaml");
    return c ? std::string() : c.error().message;
  };
  EXPECT_EQ(refused("  r: {strategy: rules, rules: [{task: code, to: a}], otherwise: b}\n"), "");
  EXPECT_NE(refused("  r: {strategy: rules, rules: [{task: poetry, to: a}], otherwise: b}\n")
                .find("unknown task type \"poetry\""),
            std::string::npos);
  EXPECT_NE(refused("  r: {strategy: rules, rules: [{task: code, to: s}], otherwise: b}\n"
                    "  s: {strategy: rules, rules: [{task: math, to: r}], otherwise: a}\n")
                .find("lead back"),
            std::string::npos);
  EXPECT_NE(refused("  r: {strategy: rules, rules: [{task: code, to: nowhere}], otherwise: b}\n")
                .find("unknown route or deployment \"nowhere\""),
            std::string::npos);
  EXPECT_NE(refused("  r: {strategy: threshold, targets: [a]}\n").find("exactly two"), std::string::npos);
  EXPECT_NE(refused("  r: {strategy: cascade, targets: [a, b], checks: [vibes]}\n").find("unknown check"),
            std::string::npos);
  EXPECT_NE(refused("  r: {strategy: fallback, targets: [a, b], checks: [json]}\n").find("only the cascade"),
            std::string::npos);
  EXPECT_NE(refused("  r: {strategy: threshold, targets: [a, b], quality: 1.5}\n").find("[0, 1]"),
            std::string::npos);
}

}  // namespace
}  // namespace sy::routing
