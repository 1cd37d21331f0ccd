#include "core/config_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace sy {
namespace {

using YAML::Node;

struct StrategyName {
  const char* name;
  RouteStrategy strategy;
};
constexpr StrategyName kStrategies[] = {
    {"fallback", RouteStrategy::Fallback}, {"weighted", RouteStrategy::Weighted},
    {"cheapest", RouteStrategy::Cheapest}, {"latency", RouteStrategy::LowestLatency},
    {"rules", RouteStrategy::Rules},       {"threshold", RouteStrategy::Threshold},
    {"cascade", RouteStrategy::Cascade}};

void read_targets(YamlReader& r, const Node& n, const std::string& path, RouteConfig& route) {
  const Node targets = n["targets"];
  if (!targets.IsSequence() || targets.size() == 0) {
    r.problem(targets.IsDefined() ? targets : n, path + ".targets",
              "expected a non-empty list of deployments");
    return;
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string tp = fmt::format("{}.targets[{}]", path, i);
    RouteTarget t;
    if (targets[i].IsScalar()) {
      r.scalar(targets[i], tp, t.deployment);
    } else if (r.expect_map(targets[i], tp)) {
      r.allow_keys(targets[i], tp, {"deployment", "weight"});
      r.read(targets[i], tp, "deployment", t.deployment, true);
      r.read(targets[i], tp, "weight", t.weight);
    }
    route.targets.push_back(std::move(t));
  }
}

void read_rules(YamlReader& r, const Node& n, const std::string& path, RouteConfig& route) {
  const Node rules = n["rules"];
  if (!rules.IsSequence() || rules.size() == 0) {
    r.problem(rules.IsDefined() ? rules : n, path + ".rules",
              "expected a non-empty list of {task: [...], to: ROUTE_OR_DEPLOYMENT}");
    return;
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string rp = fmt::format("{}.rules[{}]", path, i);
    RouteRule rule;
    if (!r.expect_map(rules[i], rp)) continue;
    r.allow_keys(rules[i], rp, {"task", "to"});
    r.read_list(rules[i], rp, "task", rule.tasks, /*scalar_ok=*/true);
    r.read(rules[i], rp, "to", rule.to, true);
    if (rule.tasks.empty()) r.problem(rules[i], rp + ".task", "name at least one task type");
    for (const auto& t : rule.tasks) {
      if (std::find(kTaskTypes.begin(), kTaskTypes.end(), t) == kTaskTypes.end()) {
        r.problem(rules[i]["task"], rp + ".task",
                  fmt::format("unknown task type \"{}\" (known: {})", t, fmt::join(kTaskTypes, ", ")));
      }
    }
    route.rules.push_back(std::move(rule));
  }
  r.read(n, path, "otherwise", route.otherwise, true);
}

void read_checks(YamlReader& r, const Node& n, const std::string& path, RouteConfig& route) {
  const Node checks = n["checks"];
  if (!checks.IsSequence() || checks.size() == 0) {
    r.problem(checks.IsDefined() ? checks : n, path + ".checks",
              "expected a non-empty list of checks (json, json_schema, not_refusal, {min_chars: N})");
    return;
  }
  for (size_t i = 0; i < checks.size(); ++i) {
    const std::string cp = fmt::format("{}.checks[{}]", path, i);
    CascadeCheck c;
    if (checks[i].IsMap()) {
      r.allow_keys(checks[i], cp, {"min_chars"});
      c.kind = CascadeCheck::MinChars;
      r.read(checks[i], cp, "min_chars", c.min_chars, true);
      route.checks.push_back(c);
      continue;
    }
    std::string name;
    if (!r.scalar(checks[i], cp, name)) continue;
    if (name == "json") {
      c.kind = CascadeCheck::Json;
    } else if (name == "json_schema") {
      c.kind = CascadeCheck::JsonSchema;
    } else if (name == "not_refusal") {
      c.kind = CascadeCheck::NotRefusal;
    } else {
      r.problem(checks[i], cp,
                fmt::format("unknown check \"{}\" (expected json, json_schema, not_refusal or "
                            "{{min_chars: N}})",
                            name));
      continue;
    }
    route.checks.push_back(c);
  }
}

void read_retry(YamlReader& r, const Node& retry, const std::string& rp, RetryPolicy& p) {
  if (!r.expect_map(retry, rp)) return;
  r.allow_keys(retry, rp, {"max_attempts", "attempts_per_deployment", "backoff_ms", "max_backoff_ms"});
  r.read(retry, rp, "max_attempts", p.max_attempts);
  r.read(retry, rp, "attempts_per_deployment", p.attempts_per_deployment);
  r.read(retry, rp, "backoff_ms", p.backoff_ms);
  r.read(retry, rp, "max_backoff_ms", p.max_backoff_ms);
  if (p.max_attempts == 0) r.problem(retry, rp + ".max_attempts", "must be at least 1");
  if (p.attempts_per_deployment == 0) r.problem(retry, rp + ".attempts_per_deployment", "must be at least 1");
}

}  // namespace

void read_route(YamlReader& r, const std::string& name, const Node& n, RouteConfig& route) {
  const std::string path = "routes." + name;
  route.name = name;
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"strategy", "targets", "rules", "otherwise", "quality", "checks", "retry"});
  std::string strategy = "fallback";
  r.read(n, path, "strategy", strategy);
  const auto* known = std::find_if(std::begin(kStrategies), std::end(kStrategies),
                                   [&](const StrategyName& s) { return strategy == s.name; });
  if (known == std::end(kStrategies)) {
    r.problem(n["strategy"], path + ".strategy",
              fmt::format("unknown strategy \"{}\" (expected fallback, weighted, cheapest, latency, "
                          "rules, threshold or cascade)",
                          strategy));
  } else {
    route.strategy = known->strategy;
  }
  const bool rules = route.strategy == RouteStrategy::Rules;
  auto only_for = [&](const char* key, bool allowed, const char* strategies) {
    if (n[key].IsDefined() && !allowed) {
      r.problem(n[key], path + "." + key, fmt::format("only the {} strategy takes `{}`", strategies, key));
    }
  };
  only_for("targets", !rules, "fallback, weighted, cheapest, latency, threshold and cascade");
  only_for("rules", rules, "rules");
  only_for("otherwise", rules, "rules");
  only_for("checks", route.strategy == RouteStrategy::Cascade, "cascade");
  only_for("quality", route.strategy == RouteStrategy::Threshold || route.strategy == RouteStrategy::Cheapest,
           "threshold and cheapest");
  if (rules) {
    read_rules(r, n, path, route);
  } else {
    read_targets(r, n, path, route);
  }
  if (route.strategy == RouteStrategy::Threshold && route.targets.size() != 2) {
    r.problem(n["targets"], path + ".targets",
              "the threshold strategy takes exactly two targets: [weak, strong]");
  }
  if (route.strategy == RouteStrategy::Cascade) read_checks(r, n, path, route);
  if (n["quality"].IsDefined()) {
    double q = 0;
    r.read(n, path, "quality", q);
    if (q < 0 || q > 1) r.problem(n["quality"], path + ".quality", "must be in [0, 1]");
    route.quality = q;
  }
  if (const Node retry = n["retry"]; retry.IsDefined() && !retry.IsNull()) {
    read_retry(r, retry, path + ".retry", route.retry);
  }
}

void check_routes(YamlReader& r, const Node& root, const Config& c) {
  for (const auto& [name, route] : c.routes) {
    const Node rn = root["routes"][name];
    if (c.deployments.contains(name)) {
      r.problem(rn, "routes." + name, "a route may not have the same name as a deployment");
    }
    for (size_t i = 0; i < route.targets.size(); ++i) {
      const auto& t = route.targets[i];
      const Node tn = rn["targets"][i];
      const bool named = tn.IsScalar() || (tn.IsMap() && tn["deployment"].IsDefined());
      if (named && !c.deployments.contains(t.deployment)) {
        r.problem(tn, fmt::format("routes.{}.targets[{}]", name, i),
                  fmt::format("unknown deployment \"{}\"", t.deployment));
      } else if (named && i > 0 && c.deployments.contains(route.targets[0].deployment)) {
        const DeploymentKind kind = c.deployments.at(t.deployment).kind;
        const DeploymentKind first = c.deployments.at(route.targets[0].deployment).kind;
        if (kind != first) {
          r.problem(tn, fmt::format("routes.{}.targets[{}]", name, i),
                    fmt::format("deployment \"{}\" is of kind {} but the route's first target is of "
                                "kind {}: a route serves one kind",
                                t.deployment, deployment_kind_name(kind), deployment_kind_name(first)));
        }
      }
      if (t.weight == 0 && route.strategy == RouteStrategy::Weighted) {
        r.problem(tn, fmt::format("routes.{}.targets[{}].weight", name, i), "must be at least 1");
      }
    }
    auto known = [&](const std::string& to) { return c.deployments.contains(to) || c.routes.contains(to); };
    for (size_t i = 0; i < route.rules.size(); ++i) {
      if (!route.rules[i].to.empty() && !known(route.rules[i].to)) {
        r.problem(rn["rules"][i]["to"], fmt::format("routes.{}.rules[{}].to", name, i),
                  fmt::format("unknown route or deployment \"{}\"", route.rules[i].to));
      }
    }
    if (route.strategy == RouteStrategy::Rules && !route.otherwise.empty() && !known(route.otherwise)) {
      r.problem(rn["otherwise"], "routes." + name + ".otherwise",
                fmt::format("unknown route or deployment \"{}\"", route.otherwise));
    }
  }
  // Rules lead from route to route; a request must always arrive at a deployment.
  for (const auto& [start, first] : c.routes) {
    if (first.strategy != RouteStrategy::Rules) continue;
    std::vector<std::string> stack{start};
    std::set<std::string> seen;
    while (!stack.empty()) {
      const std::string at = stack.back();
      stack.pop_back();
      const auto it = c.routes.find(at);
      if (it == c.routes.end() || it->second.strategy != RouteStrategy::Rules) continue;
      std::vector<std::string> next{it->second.otherwise};
      for (const auto& rule : it->second.rules) next.push_back(rule.to);
      for (const auto& to : next) {
        if (to == start) {
          r.problem(root["routes"][start], "routes." + start,
                    fmt::format("its rules lead back to it (through \"{}\")", at));
          stack.clear();
          break;
        }
        if (seen.insert(to).second) stack.push_back(to);
      }
    }
  }
}

}  // namespace sy
