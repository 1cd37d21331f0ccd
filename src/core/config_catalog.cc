#include "core/config_catalog.h"

#include <fmt/format.h>

#include <algorithm>

namespace sy {
namespace {

using YAML::Node;

void read_optional_bool(YamlReader& r, const Node& map, const std::string& path, const char* key,
                        std::optional<bool>& out) {
  if (!map[key].IsDefined() || map[key].IsNull()) return;
  bool b = false;
  const size_t before = r.problems().size();
  r.read(map, path, key, b);
  if (r.problems().size() == before) out = b;
}

void read_quality(YamlReader& r, const Node& q, const std::string& path, DeploymentConfig& d) {
  if (!r.expect_map(q, path)) return;
  for (const auto& kv : q) {
    const std::string task = kv.first.as<std::string>();
    const std::string tp = YamlReader::join(path, task);
    if (task != "default" &&
        std::find(kTaskTypes.begin(), kTaskTypes.end(), task) == kTaskTypes.end()) {
      std::string known;
      for (auto t : kTaskTypes) known += std::string(known.empty() ? "" : ", ") + std::string(t);
      r.problem(kv.first, tp, fmt::format("unknown task type \"{}\" (expected default, {})", task, known));
      continue;
    }
    double v = 0;
    const size_t before = r.problems().size();
    r.read(q, path, task.c_str(), v);
    if (r.problems().size() != before) continue;
    if (v < 0 || v > 1) {
      r.problem(kv.second, tp, "expected a quality between 0 and 1");
      continue;
    }
    d.quality[task] = v;
  }
}

}  // namespace

const char* deployment_kind_name(DeploymentKind kind) {
  return kind == DeploymentKind::Embedding ? "embedding" : "chat";
}

void read_catalog_facts(YamlReader& r, const std::string& path, const Node& n, DeploymentConfig& d) {
  if (const Node p = n["price"]; p.IsDefined() && !p.IsNull()) {
    const std::string pp = path + ".price";
    if (r.expect_map(p, pp)) {
      r.allow_keys(p, pp, {"input_per_mtok", "output_per_mtok", "cached_input_per_mtok"});
      r.read(p, pp, "input_per_mtok", d.price.input_per_mtok);
      r.read(p, pp, "output_per_mtok", d.price.output_per_mtok);
      if (p["cached_input_per_mtok"].IsDefined()) {
        double c = 0;
        r.read(p, pp, "cached_input_per_mtok", c);
        d.price.cached_input_per_mtok = c;
      }
      if (d.price.input_per_mtok < 0 || d.price.output_per_mtok < 0 ||
          d.price.cached_input_per_mtok.value_or(0) < 0) {
        r.problem(p, pp, "prices must not be negative");
      }
    }
  }
  r.read(n, path, "max_output_tokens", d.max_output_tokens);
  if (const Node c = n["capabilities"]; c.IsDefined() && !c.IsNull()) {
    const std::string cp = path + ".capabilities";
    if (r.expect_map(c, cp)) {
      r.allow_keys(c, cp, {"tools", "vision", "json_schema", "streaming"});
      read_optional_bool(r, c, cp, "tools", d.capabilities.tools);
      read_optional_bool(r, c, cp, "vision", d.capabilities.vision);
      read_optional_bool(r, c, cp, "json_schema", d.capabilities.json_schema);
      read_optional_bool(r, c, cp, "streaming", d.capabilities.streaming);
    }
  }
  if (const Node q = n["quality"]; q.IsDefined() && !q.IsNull()) read_quality(r, q, path + ".quality", d);
  if (const Node l = n["limits"]; l.IsDefined() && !l.IsNull()) {
    const std::string lp = path + ".limits";
    if (r.expect_map(l, lp)) {
      r.allow_keys(l, lp, {"rpm", "tpm"});
      r.read(l, lp, "rpm", d.rpm);
      r.read(l, lp, "tpm", d.tpm);
    }
  }
}

void read_routing(YamlReader& r, const Node& n, RoutingConfig& routing) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.expect_map(n, "routing")) return;
  r.allow_keys(n, "routing", {"health", "classifier"});
  r.read(n, "routing", "classifier", routing.classifier);
  const Node h = n["health"];
  if (!h.IsDefined() || h.IsNull()) return;
  const std::string hp = "routing.health";
  if (!r.expect_map(h, hp)) return;
  r.allow_keys(h, hp, {"enabled", "consecutive_failures", "window", "min_outcomes", "failure_rate",
                       "cooldown_ms"});
  HealthConfig& c = routing.health;
  r.read(h, hp, "enabled", c.enabled);
  r.read(h, hp, "consecutive_failures", c.consecutive_failures);
  r.read(h, hp, "window", c.window);
  r.read(h, hp, "min_outcomes", c.min_outcomes);
  r.read(h, hp, "failure_rate", c.failure_rate);
  r.read(h, hp, "cooldown_ms", c.cooldown_ms);
  if (c.consecutive_failures == 0) r.problem(h, hp + ".consecutive_failures", "must be at least 1");
  if (c.window == 0 || c.window > 64) r.problem(h, hp + ".window", "must be between 1 and 64");
  if (c.min_outcomes > c.window) r.problem(h, hp + ".min_outcomes", "must not exceed window");
  if (c.failure_rate <= 0 || c.failure_rate > 1) {
    r.problem(h, hp + ".failure_rate", "must be in (0, 1]");
  }
}

}  // namespace sy
