// Filtering by what a request needs and choosing by strategy: capability and
// context-window constraints with their explanations and the 400 when nothing can serve;
// the health filter and its everyone-is-down exception; cheapest by this request's
// expected cost; latency by power of two choices over the EWMA; model-family defaults
// and config overrides in the catalog.
#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "providers/model_family.h"
#include "routing/requirements.h"
#include "routing/route_decision.h"

namespace sy::routing {
namespace {

using namespace std::chrono_literals;

ConfigPtr config() {
  auto c = load_config_text(R"(
providers: {p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}}
deployments:
  small: {provider: p, model: gpt-4o-mini, price: {input_per_mtok: 0.15, output_per_mtok: 0.6}}
  big: {provider: p, model: gpt-4o, price: {input_per_mtok: 2.5, output_per_mtok: 10}}
  local:
    provider: p
    model: my-local-model
    context_window: 100
    capabilities: {tools: false}
    quality: {default: 0.4, code: 0.7}
    price: {input_per_mtok: 0, output_per_mtok: 0}
routes:
  cheap: {strategy: cheapest, targets: [big, small, local]}
  fast: {strategy: latency, targets: [big, small, local]}
  plain: {targets: [big, small, local]}
)",
                            "t.yaml");
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

model::ChatRequest request(std::string text, uint32_t tools = 0) {
  model::ChatRequest r;
  r.model = "cheap";
  model::Message m;
  m.text = std::move(text);
  r.messages.push_back(std::move(m));
  r.tools = tools;
  return r;
}

std::string names(const RouteDecision& d) {
  std::string s;
  for (auto* dep : d.order) s += (s.empty() ? "" : ",") + dep->name();
  return s;
}

// choose() with the inputs the route stage gives it.
void choose_with(RouteDecision& d, const RouteConfig* route, const Needs& needs,
                 const HealthBoard* board, double r1, double r2) {
  ChooseInputs in;
  in.route = route;
  in.needs = &needs;
  in.board = board;
  in.r1 = r1;
  in.r2 = r2;
  d.choose(in);
}

TEST(Catalog, FamilyDefaultsFillWhatTheConfigLeavesOut) {
  auto cat = providers::Catalog::build(config());
  ASSERT_TRUE(cat);
  const auto* small = (*cat)->deployment("small");
  EXPECT_EQ(small->context_window, 128'000u);
  EXPECT_TRUE(small->vision);
  EXPECT_TRUE(small->json_schema);
  EXPECT_GT((*cat)->deployment("big")->quality_for("code"), small->quality_for("code"));
  const auto* local = (*cat)->deployment("local");
  EXPECT_EQ(local->context_window, 100u);
  EXPECT_FALSE(local->tools);
  EXPECT_FLOAT_EQ(local->quality_for("code"), 0.7f);
  EXPECT_FLOAT_EQ(local->quality_for("math"), 0.4f);
  EXPECT_FLOAT_EQ(local->quality_for(""), 0.4f);
}

TEST(Catalog, ModelFamiliesMatchQualifiedIds) {
  ASSERT_NE(providers::model_family("us.anthropic.claude-3-5-haiku-20241022-v1:0"), nullptr);
  EXPECT_EQ(providers::model_family("us.anthropic.claude-3-5-haiku-20241022-v1:0")->prefix,
            "claude-3-5-haiku");
  EXPECT_EQ(providers::model_family("models/gemini-2.5-flash")->prefix, "gemini-2.5-flash");
  EXPECT_EQ(providers::model_family("GPT-4o-mini-2024-07-18")->prefix, "gpt-4o-mini");
  EXPECT_EQ(providers::model_family("gpt-4.1-mini")->prefix, "gpt-4.1-mini");
  EXPECT_EQ(providers::model_family("totally-unknown"), nullptr);
}

TEST(Needs, ToolsAndContextWindowRemoveWhatCannotServe) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "plain", Signals{}, [] { return 0.5; });
  ASSERT_TRUE(d);
  std::vector<CandidateConstraint> cs;
  append_need_constraints(needs_of(request(std::string(400, 'x'), 1)), cs);
  ASSERT_TRUE(d->apply(cs));
  EXPECT_EQ(names(*d), "big,small");
  ASSERT_EQ(d->removed.size(), 1u);
  EXPECT_EQ(d->removed[0].deployment, "local");
  EXPECT_EQ(d->removed[0].constraint, "capability:tools");  // the first constraint that failed
}

TEST(Needs, NothingCapableIsA400NamingEachRemoval) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "local", Signals{}, [] { return 0.5; });
  ASSERT_TRUE(d);
  std::vector<CandidateConstraint> cs;
  append_need_constraints(needs_of(request(std::string(600, 'x'))), cs);
  auto r = d->apply(cs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "no_capable_deployment");
  EXPECT_NE(r.error().message.find("context_window"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("context window of 100"), std::string::npos);
}

TEST(Needs, TokenEstimateFollowsHowTokenizersSplit) {
  // True counts in the comments are cl100k_base's.
  EXPECT_EQ(estimate_tokens(""), 0u);
  EXPECT_EQ(estimate_tokens("the cat sat"), 3u);  // the| cat| sat
  EXPECT_EQ(estimate_tokens("in 2024"), 4u);      // in| |202|4: no space before digits
  EXPECT_GE(estimate_tokens("f(x);"), 3u);        // f|(x|);
  // Rare words and names split: A|ig|uo| collected| se|ash|ells.
  EXPECT_GE(estimate_tokens("Aiguo collected seashells"), 7u);
  // Indentation is one token a run, not one a space.
  EXPECT_EQ(estimate_tokens("if x:\n        return y"), estimate_tokens("if x:\n  return y"));
  EXPECT_LT(estimate_tokens("if x:\n        return y"), 9u);  // if| x|:\n|       | return| y
  // A capital after a small letter starts a word (o200k_base splits there).
  EXPECT_GT(estimate_tokens("getElementById"), estimate_tokens("getelementbyid"));
}

TEST(Needs, TokenEstimateCostsOtherScriptsByCharacter) {
  EXPECT_GE(estimate_tokens("東京"), 3u);      // cl100k_base: 3 tokens
  EXPECT_GE(estimate_tokens("你好吗"), 4u);    // 4
  EXPECT_GE(estimate_tokens("🚀"), 3u);         // 3
  EXPECT_GE(estimate_tokens("אבגדהוזח"), 9u);  // 9
  // Cyrillic costs less a character than Hebrew, Hebrew less than Devanagari.
  EXPECT_LT(estimate_tokens("абвгдежз"), estimate_tokens("אבגדהוזח"));
  EXPECT_LT(estimate_tokens("אבגדהוזח"), estimate_tokens("कखगघचछजझ"));
  // Stray continuation bytes (invalid UTF-8) cost nothing alone; any length is fine.
  EXPECT_EQ(estimate_tokens(std::string(10, '\x80')), 0u);
  EXPECT_EQ(estimate_tokens(std::string(100'000, 'x')), 25'001u);  // 1 + 99,997 / 4
  EXPECT_EQ(estimate_tokens(std::string(100'000, '7')), 33'334u);  // 1 + 99,999 / 3
}

// The model of token_estimate.h written plainly, one decision a byte, in 48ths of a
// token, to check the 64-bytes-at-a-time implementation against.
uint32_t reference_estimate(std::string_view text) {
  auto cls = [](unsigned char c) {
    if (c >= 'a' && c <= 'z') return 'l';
    if (c >= 'A' && c <= 'Z') return 'u';
    if (c >= '0' && c <= '9') return 'd';
    if (c == ' ' || c == '\t') return 's';
    if (c == '\n' || c == '\r') return 'n';
    if (c >= 0xC0) return 'L';
    if (c >= 0x80) return 'c';
    return 'p';
  };
  auto lead = [](unsigned char c) -> uint64_t {
    if (c < 0xC2 || c > 0xF4) return 48;
    if (c <= 0xCB) return 24;
    if (c <= 0xCF) return 54;
    if (c <= 0xD4) return 30;
    if (c <= 0xDB) return 60;
    if (c <= 0xE2) return 72;
    if (c <= 0xED) return 66;
    if (c <= 0xEF) return 72;
    return 120;
  };
  uint64_t cost = 0, run = 0, spaces = 0;
  char prev = 'n';
  for (unsigned char c : text) {
    const char k = cls(c);
    if (k == 's') {
      ++spaces;
      continue;
    }
    if (spaces > 0 && (spaces > 1 || k == 'd' || k == 'n')) cost += 48;
    if (spaces > 0) prev = 's';
    spaces = 0;
    if (k == 'l' || k == 'u') {
      if ((prev == 'l' && k == 'l') || prev == 'u' || prev == 'L' || prev == 'c') {
        if (++run > 3) cost += 12;
      } else {
        run = 1;
        cost += k == 'u' ? 72 : 48;
      }
    } else if (k == 'd') {
      cost += prev == 'd' ? 16 : 48;
    } else if (k == 'n') {
      cost += 48;
    } else if (k == 'p') {
      cost += prev == 'p' ? 24 : 48;
    } else if (k == 'L') {
      cost += lead(c);
    }
    // Letters after a non-ASCII character continue its word, counted from its last byte.
    if (k != 'l' && k != 'u') run = 1;
    prev = k;
  }
  if (spaces > 0) cost += 48;
  return uint32_t((cost + 47) / 48);
}

TEST(Needs, TokenEstimateMatchesItsModelOnAnyBytes) {
  const std::string_view pieces[] = {
      "a",   "Z",  "word", "7",    " ",    "  ",   "\t", "\n",      ".",     "()",
      "é",   "東", "🚀",    "\x80", "\xff", "\r\n", "x1", "Ünïcode", "12345", "getHTTPResponse",
      "\x01"};
  uint64_t rng = 42;
  for (int round = 0; round < 20'000; ++round) {
    std::string text;
    const int n = int(rng % 64);  // up to ~400 bytes: several 64-byte blocks
    for (int i = 0; i < n; ++i) {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      text += pieces[(rng >> 33) % std::size(pieces)];
    }
    ASSERT_EQ(estimate_tokens(text), reference_estimate(text)) << '"' << text << '"';
  }
}

TEST(Choose, CheapestOrdersByThisRequestsExpectedCost) {
  auto cat = providers::Catalog::build(config());
  auto d = decide(**cat, "cheap", Signals{}, [] { return 0.5; });
  ASSERT_TRUE(d);
  const Needs needs = needs_of(request("hello"));
  choose_with(*d, (*cat)->route("cheap"), needs, nullptr, 0.1, 0.2);
  EXPECT_EQ(names(*d), "local,small,big");
  EXPECT_STREQ(d->score_unit, "usd");
  ASSERT_EQ(d->scores.size(), 3u);
  EXPECT_EQ(d->scores[1].deployment, "small");
  EXPECT_LT(d->scores[1].value, d->scores[2].value);
  EXPECT_NE(d->to_json().find("\"scores\""), std::string::npos);
}

TEST(Choose, LatencyPrefersTheFasterOfTwoAndMeasuresTheUnmeasured) {
  auto cat = providers::Catalog::build(config());
  HealthBoard board;
  const auto t = HealthBoard::Clock::time_point{} + 10s;
  board.record_success("big", t, 300ms);
  board.record_success("small", t, 100ms);
  // The draws pick positions in the ascending list. local is unmeasured, so it scores
  // lowest: drawn with small (positions 0 and 1), it leads, and gets measured.
  auto d = decide(**cat, "fast", Signals{}, [] { return 0.5; });
  choose_with(*d, (*cat)->route("fast"), Needs{}, &board, 0.0, 0.0);
  EXPECT_EQ(names(*d), "local,small,big");
  board.record_success("local", t, 500ms);
  // Now small (100) < big (300) < local (500). Drawing big and local, big leads although
  // small is the fastest: two random choices spread the load.
  auto e = decide(**cat, "fast", Signals{}, [] { return 0.5; });
  choose_with(*e, (*cat)->route("fast"), Needs{}, &board, 0.4, 0.99);
  EXPECT_EQ(names(*e), "big,small,local");
  EXPECT_STREQ(e->score_unit, "ttft_ms");
}

TEST(Health, OpenCircuitsAreFilteredUnlessEveryoneIsDown) {
  auto cat = providers::Catalog::build(config());
  HealthBoard board(HealthOptions{.consecutive_failures = 1});
  const auto t = HealthBoard::Clock::time_point{} + 10s;
  board.record_failure("big", t);
  auto d = decide(**cat, "plain", Signals{}, [] { return 0.5; });
  d->apply_health(board, t);
  EXPECT_EQ(names(*d), "small,local");
  ASSERT_EQ(d->removed.size(), 1u);
  EXPECT_EQ(d->removed[0].constraint, "health");
  board.record_failure("small", t);
  board.record_failure("local", t);
  auto e = decide(**cat, "plain", Signals{}, [] { return 0.5; });
  e->apply_health(board, t);
  EXPECT_EQ(names(*e), "big,small,local");  // all down: nobody is removed
}

}  // namespace
}  // namespace sy::routing
