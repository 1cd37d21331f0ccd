// Policy engine micro-benchmarks: the request-level evaluation of N rules (10, 50, 200)
// for one typical request, into a reused decision (the gateway's hot path) and into a
// fresh one; the deployment filter of the constraints that fired. Baseline measured in
// the same run over the same rules and request: a direct evaluator that compares the
// configured strings (std::find over the values) instead of precompiled bit sets.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "governance/policy_set.h"

namespace {

using namespace sy;
using namespace sy::governance;

// Rules of every kind, most of which do not fire for the request below (as in practice).
PolicyConfig make_rules(int n) {
  PolicyConfig config;
  for (int i = 0; i < n; ++i) {
    PolicyRule r;
    r.id = "rule-" + std::to_string(i);
    const std::string k = std::to_string(i);
    switch (i % 5) {
      case 0:
        r.effect = PolicyEffect::Deny;
        r.when.data_classes = StringCondition{SetOp::Any, {"SECRET_" + k, "CREDIT_CARD_" + k}};
        break;
      case 1:
        r.effect = PolicyEffect::Restrict;
        r.when.team = StringCondition{SetOp::Any, {"team-" + k, "team-3"}};
        r.deployments.regions = StringCondition{SetOp::Any, {"eu-west-1", "region-" + k}};
        break;
      case 2:
        r.effect = PolicyEffect::Mask;
        r.when.roles = StringCondition{SetOp::Any, {"contractor"}};
        r.when.data_classes = StringCondition{SetOp::Any, {"EMAIL_ADDRESS", "PHONE_" + k}};
        r.data_classes = {"EMAIL_ADDRESS"};
        break;
      case 3:
        r.effect = PolicyEffect::RequireApproval;
        r.when.max_tokens = NumberCondition{uint64_t(8000 + i), {}, {}, {}, false};
        r.when.project = StringCondition{SetOp::None, {"project-" + k}};
        break;
      default:
        r.effect = PolicyEffect::Deny;
        r.when.tools = StringCondition{SetOp::Any, {"tool-" + k}};
        r.when.tags = StringCondition{SetOp::None, {"tools-ok"}};
        break;
    }
    config.rules.push_back(std::move(r));
  }
  return config;
}

const PrincipalFacts kPrincipal{"team-3", "project-x", {"dev", "contractor"}, {"pii-ok"}};
const RequestFacts kRequest{"auto", "chat", {"EMAIL_ADDRESS", "PERSON"}, {"search"}, 1000};

// The baseline: the same semantics, straight over the config's strings.
bool holds(const std::optional<StringCondition>& c, const std::vector<std::string>& values) {
  if (!c) return true;
  const auto in = [&](const std::string& v) {
    return std::find(c->values.begin(), c->values.end(), v) != c->values.end();
  };
  switch (c->op) {
    case SetOp::Any:
      return std::any_of(values.begin(), values.end(), in);
    case SetOp::None:
      return std::none_of(values.begin(), values.end(), in);
    case SetOp::All:
      return std::all_of(c->values.begin(), c->values.end(), [&](const std::string& v) {
        return std::find(values.begin(), values.end(), v) != values.end();
      });
  }
  return false;
}

bool holds(const std::optional<StringCondition>& c, const std::string& value) {
  if (!c) return true;
  const bool in = std::find(c->values.begin(), c->values.end(), value) != c->values.end();
  return c->op == SetOp::None ? !in : in;
}

std::size_t naive_evaluate(const PolicyConfig& config, const PrincipalFacts& p,
                           const RequestFacts& r) {
  std::size_t fired = 0;
  for (const auto& rule : config.rules) {
    const auto& w = rule.when;
    if (!holds(w.team, p.team) || !holds(w.project, p.project) || !holds(w.roles, p.roles) ||
        !holds(w.tags, p.tags) || !holds(w.model, r.model) || !holds(w.task, r.task) ||
        !holds(w.data_classes, r.data_classes) || !holds(w.tools, r.tools)) {
      continue;
    }
    if (w.max_tokens) {
      const auto& m = *w.max_tokens;
      if (!r.max_tokens) {
        if (!m.match_missing) continue;
      } else if ((m.gt && *r.max_tokens <= *m.gt) || (m.gte && *r.max_tokens < *m.gte) ||
                 (m.lt && *r.max_tokens >= *m.lt) || (m.lte && *r.max_tokens > *m.lte)) {
        continue;
      }
    }
    ++fired;
  }
  return fired;
}

void BM_Baseline_StringCompare(benchmark::State& state) {
  const PolicyConfig config = make_rules(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(naive_evaluate(config, kPrincipal, kRequest));
  state.counters["rules"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Baseline_StringCompare)->Arg(10)->Arg(50)->Arg(200);

void BM_Policy_EvaluateReused(benchmark::State& state) {
  const auto set = *PolicySet::compile(make_rules(static_cast<int>(state.range(0))));
  PolicyDecision d;
  for (auto _ : state) {
    set->evaluate({kPrincipal, kRequest}, d);
    benchmark::DoNotOptimize(d.fired.data());
  }
  state.counters["rules"] = static_cast<double>(state.range(0));
  state.counters["fired"] = static_cast<double>(d.fired.size());
}
BENCHMARK(BM_Policy_EvaluateReused)->Arg(10)->Arg(50)->Arg(200);

void BM_Policy_EvaluateFresh(benchmark::State& state) {
  const auto set = *PolicySet::compile(make_rules(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto d = set->evaluate({kPrincipal, kRequest});
    benchmark::DoNotOptimize(d.fired.data());
  }
  state.counters["rules"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Policy_EvaluateFresh)->Arg(10)->Arg(50)->Arg(200);

// 50 rules: filter 8 candidate deployments through the constraints that fired.
void BM_Policy_FilterDeployments(benchmark::State& state) {
  const auto set = *PolicySet::compile(make_rules(50));
  const auto d = set->evaluate({kPrincipal, kRequest});
  std::vector<DeploymentFacts> candidates;
  for (int i = 0; i < 8; ++i) {
    candidates.push_back(
        {"dep-" + std::to_string(i), "p", "m", i % 2 ? "eu-west-1" : "us-east-1", "", {"cloud"}});
  }
  for (auto _ : state) {
    std::size_t admitted = 0;
    for (const auto& c : candidates) admitted += d.rejecting(c) == nullptr;
    benchmark::DoNotOptimize(admitted);
  }
  state.counters["constraints"] = static_cast<double>(d.constraints.size());
}
BENCHMARK(BM_Policy_FilterDeployments);

}  // namespace

BENCHMARK_MAIN();
