// Context fitting on its own (no engine): a prompt that fits is left alone; drop_oldest
// cuts the earliest substituted values from their beginning and keeps the written text,
// leaving a marker that counts what went; summarize replaces the earliest values by
// summaries asked for in chunks that fit the summary model, then drops if it must; a
// prompt whose own text is too large is an error; cuts respect UTF-8. Also route_window
// on a catalog: fallback routes reach their largest window, rules routes follow the task.
#include "workflow/context_fit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/config_loader.h"
#include "providers/catalog.h"
#include "routing/token_estimate.h"
#include "workflow/route_window.h"

namespace sy::workflow {
namespace {

using nlohmann::json;

// `words` distinct words ("w0 w1 w2 ..."), about one token each.
std::string words(int n, const std::string& prefix = "w") {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? " " : "") + prefix + std::to_string(i);
  return s;
}

std::string joined(const std::vector<PromptPart>& parts) {
  std::string s;
  for (const auto& p : parts) s += p.text;
  return s;
}

TEST(ContextFit, APromptThatFitsIsLeftAlone) {
  FitRequest r;
  r.parts = {{"Summarize: ", ""}, {words(50), "inputs.doc"}};
  r.budget = 1000;
  auto out = fit_context(r);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(out->changed);
  EXPECT_EQ(joined(out->parts), "Summarize: " + words(50));
  EXPECT_TRUE(out->detail_json.empty());
}

TEST(ContextFit, DropOldestCutsTheEarliestValueFromItsBeginningAndKeepsTheWrittenText) {
  const std::string doc = words(3000, "a");
  const std::string note = words(40, "b");
  FitRequest r;
  r.parts = {{"Summarize ", ""},
             {doc, "inputs.doc"},
             {" with notes ", ""},
             {note, "steps.n.output"},
             {" in French.", ""}};
  r.other_tokens = 7;
  r.budget = 1500;
  const uint32_t before = prompt_tokens(r.parts, r.other_tokens);
  ASSERT_GT(before, r.budget);
  auto out = fit_context(r);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->changed);
  const auto& p = out->parts;
  ASSERT_EQ(p.size(), 5u);
  EXPECT_LE(prompt_tokens(p, r.other_tokens), r.budget);
  EXPECT_GT(prompt_tokens(p, r.other_tokens), r.budget - 50) << "cut much more than needed";
  EXPECT_EQ(p[0].text, "Summarize ");
  EXPECT_EQ(p[2].text, " with notes ");
  EXPECT_EQ(p[3].text, note);  // the later value is untouched
  EXPECT_EQ(p[4].text, " in French.");
  // The marker counts the characters it replaced; the rest is the end of the document.
  ASSERT_TRUE(p[1].text.starts_with("[… ")) << p[1].text.substr(0, 80);
  const size_t close = p[1].text.find("] ");
  ASSERT_NE(close, std::string::npos);
  const std::string kept = p[1].text.substr(close + 2);
  EXPECT_TRUE(doc.ends_with(kept));
  const size_t dropped = doc.size() - kept.size();
  EXPECT_EQ(p[1].text.substr(0, close + 2),
            "[… " + std::to_string(dropped) +
                " earlier characters dropped to fit the model's context window] ");
  const json d = json::parse(out->detail_json);
  EXPECT_EQ(d["overflow"], "drop_oldest");
  EXPECT_EQ(d["tokens_before"], before);
  EXPECT_EQ(d["tokens_after"], prompt_tokens(p, r.other_tokens));
  ASSERT_EQ(d["parts"].size(), 1u);
  EXPECT_EQ(d["parts"][0]["source"], "inputs.doc");
  EXPECT_EQ(d["parts"][0]["action"], "truncated");
  EXPECT_EQ(d["parts"][0]["chars_before"], doc.size());
}

TEST(ContextFit, DropOldestDropsWholeValuesInOrderUntilItFits) {
  FitRequest r;
  r.parts = {{"A:", ""}, {words(800, "x"), "inputs.a"}, {"B:", ""}, {words(800, "y"), "inputs.b"}};
  r.budget = 600;
  auto out = fit_context(r);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->parts[1].text,
            "[… " + std::to_string(words(800, "x").size()) +
                " earlier characters dropped to fit the model's context window] ");
  EXPECT_TRUE(out->parts[3].text.starts_with("[… "));
  EXPECT_TRUE(
      words(800, "y").ends_with(out->parts[3].text.substr(out->parts[3].text.find("] ") + 2)));
  const json d = json::parse(out->detail_json);
  ASSERT_EQ(d["parts"].size(), 2u);
  EXPECT_EQ(d["parts"][0]["action"], "dropped");
  EXPECT_EQ(d["parts"][1]["action"], "truncated");
}

TEST(ContextFit, WrittenTextAloneTooLargeIsAnError) {
  FitRequest r;
  r.parts = {{words(500), ""}, {words(500, "v"), "inputs.v"}};
  r.budget = 300;
  auto out = fit_context(r);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("even with every substituted value dropped"),
            std::string::npos)
      << out.error().message;
}

TEST(ContextFit, SummarizeAsksForChunksThatFitAndSubstitutesTheSummaries) {
  const std::string doc = words(2000, "d");
  std::vector<std::string> chunks;
  FitRequest r;
  r.parts = {{"Answer from ", ""}, {"tiny", "inputs.title"}, {": ", ""}, {doc, "inputs.doc"}};
  r.budget = 1000;
  r.overflow = ContextOverflow::Summarize;
  r.chunk_tokens = 700;
  r.summarize = [&](std::string_view chunk) -> Result<std::string> {
    chunks.emplace_back(chunk);
    return "S" + std::to_string(chunks.size());
  };
  auto out = fit_context(r);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_GE(chunks.size(), 3u);  // 2000+ tokens in chunks of at most 700
  std::string all;
  for (const auto& c : chunks) {
    EXPECT_LE(routing::estimate_tokens(c), r.chunk_tokens);
    all += c;
  }
  EXPECT_EQ(all, doc);                    // every character went to a summary, in order
  EXPECT_EQ(out->parts[1].text, "tiny");  // too small to summarize, and it fits now
  std::string expected = "[summary of " + std::to_string(doc.size()) +
                         " characters, made to fit the model's context window]\n";
  for (size_t i = 1; i <= chunks.size(); ++i)
    expected += (i > 1 ? "\n" : "") + ("S" + std::to_string(i));
  EXPECT_EQ(out->parts[3].text, expected);
  const json d = json::parse(out->detail_json);
  EXPECT_EQ(d["overflow"], "summarize");
  EXPECT_EQ(d["parts"][0]["action"], "summarized");
  EXPECT_EQ(d["parts"][0]["chunks"], chunks.size());
}

TEST(ContextFit, SummarizeFallsBackToDroppingAndReportsFailedSummaries) {
  FitRequest r;
  r.parts = {{"Q: ", ""}, {words(2000, "d"), "inputs.doc"}};
  r.budget = 300;
  r.overflow = ContextOverflow::Summarize;
  r.chunk_tokens = 5000;
  r.summarize = [](std::string_view) -> Result<std::string> { return words(600, "s"); };
  auto out = fit_context(r);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_LE(prompt_tokens(out->parts, 0), 300u);
  const json d = json::parse(out->detail_json);
  ASSERT_EQ(d["parts"].size(), 2u);
  EXPECT_EQ(d["parts"][0]["action"], "summarized");
  EXPECT_EQ(d["parts"][1]["action"], "truncated");

  r.summarize = [](std::string_view) -> Result<std::string> {
    return fail(ErrorKind::UpstreamError, "HTTP 503: overloaded");
  };
  auto failed = fit_context(r);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("HTTP 503: overloaded"), std::string::npos);
}

TEST(ContextFit, CutsNeverSplitACharacter) {
  std::string doc;
  for (int i = 0; i < 3000; ++i) doc += "é日";
  FitRequest r;
  r.parts = {{"Lis: ", ""}, {doc, "inputs.doc"}};
  r.budget = 500;
  auto out = fit_context(r);
  ASSERT_TRUE(out) << out.error().message;
  const std::string& t = out->parts[1].text;
  const std::string kept = t.substr(t.find("] ") + 2);
  ASSERT_FALSE(kept.empty());
  EXPECT_NE(static_cast<unsigned char>(kept[0]) & 0xC0, 0x80) << "starts inside a character";
  EXPECT_TRUE(doc.ends_with(kept));
  for (uint32_t max : {1u, 7u, 100u}) {
    const size_t n = chunk_length(doc, max);
    ASSERT_GT(n, 0u);
    EXPECT_TRUE(n == doc.size() || (static_cast<unsigned char>(doc[n]) & 0xC0) != 0x80);
  }
}

TEST(ContextFit, PromptBudgetKeepsRoomForTheAnswer) {
  EXPECT_EQ(prompt_budget(16384), 16384u - 4096u);
  EXPECT_EQ(prompt_budget(128000), 128000u - 4096u);
  EXPECT_EQ(prompt_budget(4000), 3000u);
}

constexpr const char* kCatalog = R"(
providers:
  sim: {type: openai_compatible, base_url: "http://127.0.0.1:1/v1"}
deployments:
  small: {provider: sim, model: s, context_window: 16384, region: eu}
  large: {provider: sim, model: l, context_window: 128000, region: us}
  coder: {provider: sim, model: c, context_window: 65536, region: eu}
  embed: {provider: sim, model: e, kind: embedding, context_window: 300000}
routes:
  standard: {strategy: fallback, targets: [small, large]}
  code: {strategy: fallback, targets: [coder, large]}
  fast: {strategy: fallback, targets: [small]}
  auto:
    strategy: rules
    rules:
      - {task: code, to: code}
      - {task: [extraction, summarization], to: fast}
    otherwise: standard
)";

TEST(RouteWindow, FollowsTheRouteTheTaskAndTheKeysLimits) {
  auto config = load_config_text(kCatalog, "c.yaml");
  ASSERT_TRUE(config) << config.error().message;
  auto catalog = providers::Catalog::build(*config);
  ASSERT_TRUE(catalog) << catalog.error().message;
  const providers::Catalog& c = **catalog;
  governance::Principal anyone;
  const auto w = [&](const char* model, const char* task) {
    auto r = route_window(c, model, task, anyone);
    return r ? std::make_pair(r->smallest, r->largest) : std::make_pair(0u, 0u);
  };
  EXPECT_EQ(w("small", ""), std::make_pair(16384u, 16384u));
  EXPECT_EQ(w("standard", ""), std::make_pair(16384u, 128000u));
  EXPECT_EQ(w("auto", "code"), std::make_pair(65536u, 128000u));
  EXPECT_EQ(w("auto", "extraction"), std::make_pair(16384u, 16384u));
  EXPECT_EQ(w("auto", "writing"), std::make_pair(16384u, 128000u));  // otherwise
  // No task: the classifier picks the branch; the smallest of every branch's windows.
  EXPECT_EQ(w("auto", ""), std::make_pair(16384u, 16384u));
  EXPECT_FALSE(route_window(c, "nope", "", anyone));
  EXPECT_FALSE(route_window(c, "embed", "", anyone));  // not a chat deployment
  governance::Principal eu_only;
  eu_only.allowed_regions = {"eu"};
  auto eu = route_window(c, "standard", "", eu_only);
  ASSERT_TRUE(eu);
  EXPECT_EQ(eu->largest, 16384u);  // large is in us: the key cannot fall back to it
}

}  // namespace
}  // namespace sy::workflow
