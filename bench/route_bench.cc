// Routing decisions per second: the whole decision as the gateway's route stage makes it
// (routing::decide, the key's and a policy's named constraints plus what the request
// needs, apply, apply_health, choose) on a realistic catalog of 20 deployments and three
// routes, one per strategy (fallback, cheapest, latency), without and with the
// classifier's predict() on the prompt. Baseline in the same run: a memcpy of the
// request's body (1.7 KB). bench/README.md has the ratios.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/config_loader.h"
#include "core/ids.h"
#include "providers/catalog.h"
#include "routing/classifier.h"
#include "routing/requirements.h"
#include "routing/route_decision.h"

namespace {

using namespace sy;
using namespace sy::routing;

// 20 deployments: 5 providers × 4 models, in 3 regions, with the prices, context windows
// and capabilities of their model families (some without tools).
std::string catalog_yaml() {
  std::string y = "providers:\n";
  const char* providers[] = {"openai", "azure", "anthropic", "bedrock", "local"};
  for (const char* p : providers) {
    y += std::string("  ") + p + ": {type: openai_compatible, base_url: \"http://127.0.0.1:1\"}\n";
  }
  y += "deployments:\n";
  const char* models[] = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "my-small-model"};
  const char* regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
  const double in_price[] = {2.5, 0.15, 3.0, 0.05};
  const double out_price[] = {10, 0.6, 15, 0.1};
  const char* windows[] = {"128000", "128000", "200000", "8192"};
  int i = 0;
  for (const char* p : providers) {
    for (int m = 0; m < 4; ++m, ++i) {
      y += std::string("  ") + p + "-" + models[m] + ": {provider: " + p + ", model: " + models[m] +
           ", region: " + regions[i % 3] + ", context_window: " + windows[m] +
           ", price: {input_per_mtok: " + std::to_string(in_price[m] * (1 + 0.1 * (i % 5))) +
           ", output_per_mtok: " + std::to_string(out_price[m]) + "}" +
           (m == 3 ? ", capabilities: {tools: false}" : "") + "}\n";
    }
  }
  y += R"(routes:
  auto:
    strategy: fallback
    targets: [openai-gpt-4o-mini, azure-gpt-4o-mini, anthropic-claude-3-5-sonnet, openai-gpt-4o,
              azure-gpt-4o, bedrock-claude-3-5-sonnet, local-my-small-model, bedrock-gpt-4o-mini]
  cheap:
    strategy: cheapest
    targets: [openai-gpt-4o, azure-gpt-4o, anthropic-gpt-4o, bedrock-gpt-4o, local-gpt-4o,
              openai-gpt-4o-mini, azure-gpt-4o-mini, anthropic-gpt-4o-mini, bedrock-gpt-4o-mini,
              local-my-small-model]
  fast:
    strategy: latency
    targets: [openai-gpt-4o, azure-gpt-4o, anthropic-claude-3-5-sonnet,
              bedrock-claude-3-5-sonnet, openai-gpt-4o-mini, azure-gpt-4o-mini,
              anthropic-gpt-4o-mini, local-gpt-4o]
)";
  return y;
}

struct Fixture {
  std::shared_ptr<const providers::Catalog> catalog;
  HealthBoard health;
  model::ChatRequest request;
  std::vector<std::string> allowed_regions{"us-east-1", "eu-west-1"};
  Classifier classifier;

  Fixture() {
    auto config = load_config_text(catalog_yaml(), "route_bench.yaml");
    if (!config) fail_with(config.error().message);
    auto cat = providers::Catalog::build(*config);
    if (!cat) fail_with(cat.error().message);
    catalog = std::move(*cat);
    auto c = Classifier::load(default_classifier_path());
    if (!c) fail_with(c.error().message);
    classifier = std::move(*c);
    // Measured latencies for most deployments, one circuit open.
    const auto now = HealthBoard::Clock::now();
    int i = 0;
    for (const auto& [name, d] : catalog->deployments()) {
      if (i++ % 4 != 3)
        health.record_success(name, now, std::chrono::milliseconds(80 + 37 * (i % 7)));
    }
    for (int f = 0; f < 5; ++f) health.record_failure("azure-gpt-4o", now);
    // A system prompt, a user question with a code excerpt (~1.5 KB), two tools.
    model::Message system;
    system.role = model::Role::System;
    system.text =
        "You are a careful assistant for a software team. Answer concisely, cite the "
        "files you rely on, and say when you are unsure.";
    model::Message user;
    user.text =
        "Why does this function return the wrong total when the list is empty, and "
        "how should it be fixed?\n\n```python\n";
    while (user.text.size() < 1400) {
      user.text +=
          "def total(items):\n    result = 0\n    for item in items:\n"
          "        result += item.price * item.quantity\n    return result / len(items)\n";
    }
    user.text += "```\n";
    request.model = "auto";
    request.messages = {system, user};
    request.max_tokens = 512;
    request.tools = 2;
    request.raw_body = "{\"model\":\"auto\",\"max_tokens\":512,\"messages\":[";
    for (const auto& m : request.messages)
      request.raw_body += "{\"role\":\"user\",\"content\":\"" + m.text + "\"},";
    request.raw_body +=
        "],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read_file\","
        "\"parameters\":{\"type\":\"object\"}}},{\"type\":\"function\",\"function\":"
        "{\"name\":\"run_tests\",\"parameters\":{\"type\":\"object\"}}}]}";
  }

  [[noreturn]] static void fail_with(const std::string& message) {
    std::fprintf(stderr, "route_bench: %s\n", message.c_str());
    std::exit(1);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The route stage's work (src/gateway/route_stage.cc), with the key's allowed regions and
// one residency policy as the named constraints.
RouteDecision route(Fixture& f, const Signals& signals) {
  auto decision = decide(*f.catalog, f.request.model, signals, random_unit);
  std::vector<CandidateConstraint> constraints;
  const auto& regions = f.allowed_regions;
  constraints.push_back({"key.allowed_regions", [&regions](const providers::Deployment& d) {
                           for (const auto& r : regions) {
                             if (d.config->region == r) return std::string();
                           }
                           return "region '" + d.config->region + "' not allowed";
                         }});
  constraints.push_back({"policy:no-local", [](const providers::Deployment& d) {
                           return d.config->provider == "local" ? std::string("on-premises only")
                                                                : std::string();
                         }});
  const Needs needs = needs_of(f.request);
  append_need_constraints(needs, constraints);
  append_hint_constraints(signals.hints, needs, f.health, constraints);
  if (auto r = decision->apply(constraints); !r) Fixture::fail_with(r.error().message);
  const auto now = HealthBoard::Clock::now();
  decision->apply_health(f.health, now);
  decision->apply_headroom(
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count(),
      expected_tokens(needs));
  ChooseInputs in;
  in.route = decision->route_config;
  in.needs = &needs;
  in.board = &f.health;
  in.signals = &signals;
  in.r1 = random_unit();
  in.r2 = random_unit();
  decision->choose(in);
  return std::move(*decision);
}

void decisions(benchmark::State& state, const char* model, bool classify) {
  Fixture& f = fixture();
  f.request.model = model;
  for (auto _ : state) {
    Signals signals;
    if (classify) signals.prediction = f.classifier.predict(f.request.messages.back().text);
    RouteDecision d = route(f, signals);
    benchmark::DoNotOptimize(d.order.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Baseline_MemcpyBody(benchmark::State& state) {
  const std::string& body = fixture().request.raw_body;
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_Route_Fallback(benchmark::State& s) { decisions(s, "auto", false); }
void BM_Route_Cheapest(benchmark::State& s) { decisions(s, "cheap", false); }
void BM_Route_Latency(benchmark::State& s) { decisions(s, "fast", false); }
void BM_Route_Direct(benchmark::State& s) { decisions(s, "openai-gpt-4o", false); }
void BM_RouteClassified_Fallback(benchmark::State& s) { decisions(s, "auto", true); }
void BM_RouteClassified_Cheapest(benchmark::State& s) { decisions(s, "cheap", true); }
void BM_RouteClassified_Latency(benchmark::State& s) { decisions(s, "fast", true); }

BENCHMARK(BM_Baseline_MemcpyBody);
BENCHMARK(BM_Route_Direct);
BENCHMARK(BM_Route_Fallback);
BENCHMARK(BM_Route_Cheapest);
BENCHMARK(BM_Route_Latency);
BENCHMARK(BM_RouteClassified_Fallback);
BENCHMARK(BM_RouteClassified_Cheapest);
BENCHMARK(BM_RouteClassified_Latency);

}  // namespace

BENCHMARK_MAIN();
