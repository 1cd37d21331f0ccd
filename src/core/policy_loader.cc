#include "core/policy_loader.h"

#include <fmt/format.h>

#include <set>
#include <utility>

namespace sy {
namespace {

using YAML::Node;

bool defined(const Node& n) { return n.IsDefined() && !n.IsNull(); }

// A list of non-empty scalars, or one scalar standing for a list of one.
bool read_values(YamlReader& r, const Node& n, const std::string& path,
                 std::vector<std::string>& out) {
  if (n.IsScalar()) {
    std::string v;
    if (!r.scalar(n, path, v)) return false;
    if (v.empty()) {
      r.problem(n, path, "expected a non-empty value");
      return false;
    }
    out.push_back(std::move(v));
    return true;
  }
  if (!n.IsSequence() || n.size() == 0) {
    r.problem(n, path, "expected a value or a non-empty list of values");
    return false;
  }
  bool ok = true;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string p = fmt::format("{}[{}]", path, i);
    std::string v;
    if (!r.scalar(n[i], p, v)) {
      ok = false;
    } else if (v.empty()) {
      r.problem(n[i], p, "expected a non-empty value");
      ok = false;
    } else {
      out.push_back(std::move(v));
    }
  }
  return ok;
}

// `[a, b]` (any of), `a`, `{any: [...]}`, `{all: [...]}` or `{not: [...]}`.
void read_condition(YamlReader& r, const Node& map, const std::string& path, const char* key,
                    std::optional<StringCondition>& out) {
  const Node n = map[key];
  if (!defined(n)) return;
  const std::string p = YamlReader::join(path, key);
  StringCondition c;
  if (n.IsMap()) {
    r.allow_keys(n, p, {"any", "all", "not"});
    if (n.size() != 1) {
      r.problem(n, p, "expected exactly one of any, all or not");
      return;
    }
    const std::string op = n.begin()->first.as<std::string>();
    if (op == "any") {
      c.op = SetOp::Any;
    } else if (op == "all") {
      c.op = SetOp::All;
    } else if (op == "not") {
      c.op = SetOp::None;
    } else {
      return;  // reported by allow_keys
    }
    if (!read_values(r, n.begin()->second, YamlReader::join(p, op), c.values)) return;
  } else if (!read_values(r, n, p, c.values)) {
    return;
  }
  out = std::move(c);
}

void read_number(YamlReader& r, const Node& map, const std::string& path, const char* key,
                 std::optional<NumberCondition>& out) {
  const Node n = map[key];
  if (!defined(n)) return;
  const std::string p = YamlReader::join(path, key);
  if (!r.expect_map(n, p)) return;
  r.allow_keys(n, p, {"gt", "gte", "lt", "lte", "missing"});
  NumberCondition c;
  for (auto [name, bound] :
       {std::pair{"gt", &c.gt}, {"gte", &c.gte}, {"lt", &c.lt}, {"lte", &c.lte}}) {
    if (!defined(n[name])) continue;
    uint64_t v = 0;
    r.read(n, p, name, v);
    *bound = v;
  }
  r.read(n, p, "missing", c.match_missing);
  if (!c.gt && !c.gte && !c.lt && !c.lte) {
    r.problem(n, p, "expected at least one of gt, gte, lt or lte");
    return;
  }
  out = c;
}

void read_when(YamlReader& r, const Node& n, const std::string& path, PolicyWhen& w) {
  if (!defined(n)) return;  // no conditions: the rule applies to every request
  if (!r.expect_map(n, path)) return;
  r.allow_keys(
      n, path,
      {"team", "project", "roles", "tags", "model", "task", "data_classes", "tools", "max_tokens"});
  read_condition(r, n, path, "team", w.team);
  read_condition(r, n, path, "project", w.project);
  read_condition(r, n, path, "roles", w.roles);
  read_condition(r, n, path, "tags", w.tags);
  read_condition(r, n, path, "model", w.model);
  read_condition(r, n, path, "task", w.task);
  read_condition(r, n, path, "data_classes", w.data_classes);
  read_condition(r, n, path, "tools", w.tools);
  read_number(r, n, path, "max_tokens", w.max_tokens);
}

void read_selector(YamlReader& r, const Node& n, const std::string& path, DeploymentSelector& s) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"names", "providers", "models", "regions", "tiers", "labels"});
  read_condition(r, n, path, "names", s.names);
  read_condition(r, n, path, "providers", s.providers);
  read_condition(r, n, path, "models", s.models);
  read_condition(r, n, path, "regions", s.regions);
  read_condition(r, n, path, "tiers", s.tiers);
  read_condition(r, n, path, "labels", s.labels);
  if (!s.names && !s.providers && !s.models && !s.regions && !s.tiers && !s.labels) {
    r.problem(n, path, "expected at least one of names, providers, models, regions, tiers, labels");
  }
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
             std::string::npos;
}

void read_rule(YamlReader& r, const Node& n, const std::string& path, PolicyRule& rule) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"id", "description", "when", "effect", "message", "data_classes", "deployments"});
  r.read(n, path, "id", rule.id, true);
  if (defined(n["id"]) && !valid_id(rule.id)) {
    r.problem(n["id"], path + ".id", "expected 1 to 64 letters, digits, '.', '_' or '-'");
  }
  r.read(n, path, "description", rule.description);
  read_when(r, n["when"], path + ".when", rule.when);
  std::string effect;
  r.read(n, path, "effect", effect, true);
  if (effect == "allow") {
    rule.effect = PolicyEffect::Allow;
  } else if (effect == "deny") {
    rule.effect = PolicyEffect::Deny;
  } else if (effect == "mask") {
    rule.effect = PolicyEffect::Mask;
  } else if (effect == "restrict") {
    rule.effect = PolicyEffect::Restrict;
  } else if (effect == "require_approval") {
    rule.effect = PolicyEffect::RequireApproval;
  } else {
    if (!effect.empty()) {
      r.problem(n["effect"], path + ".effect",
                fmt::format("unknown effect \"{}\" (expected allow, deny, mask, restrict or "
                            "require_approval)",
                            effect));
    }
    return;
  }
  // Keys that belong to one effect are errors on another: they would be silently ignored.
  const auto only_for = [&](const char* key, const char* effects, bool applies) {
    if (!applies && defined(n[key])) {
      r.problem(
          n[key], path + "." + key,
          fmt::format("only used with effect {} (this rule's effect is {})", effects, effect));
    }
  };
  const PolicyEffect e = rule.effect;
  only_for("message", "deny or require_approval",
           e == PolicyEffect::Deny || e == PolicyEffect::RequireApproval);
  only_for("data_classes", "mask", e == PolicyEffect::Mask);
  only_for("deployments", "restrict", e == PolicyEffect::Restrict);
  r.read(n, path, "message", rule.message);
  if (e == PolicyEffect::Mask) {
    const Node dc = n["data_classes"];
    if (!defined(dc)) {
      r.problem(n, path + ".data_classes", "required key is missing (the classes to mask)");
    } else {
      read_values(r, dc, path + ".data_classes", rule.data_classes);
    }
  }
  if (e == PolicyEffect::Restrict) {
    const Node d = n["deployments"];
    if (!defined(d)) {
      r.problem(n, path + ".deployments", "required key is missing (the deployments admitted)");
    } else {
      read_selector(r, d, path + ".deployments", rule.deployments);
    }
  }
}

}  // namespace

void read_policies(YamlReader& r, const Node& n, PolicyConfig& out) {
  if (!defined(n)) return;
  out.text = YAML::Dump(n);
  Node rules = n;
  if (n.IsMap()) {
    r.allow_keys(n, "policies", {"default", "rules"});
    std::string def = "allow";
    r.read(n, "policies", "default", def);
    if (def == "allow") {
      out.default_effect = PolicyDefault::Allow;
    } else if (def == "deny") {
      out.default_effect = PolicyDefault::Deny;
    } else {
      r.problem(n["default"], "policies.default",
                fmt::format("unknown default \"{}\" (expected allow or deny)", def));
    }
    rules = n["rules"];
    if (!defined(rules)) return;
    if (!rules.IsSequence()) {
      r.problem(rules, "policies.rules", "expected a list of rules");
      return;
    }
  } else if (!n.IsSequence()) {
    r.problem(n, "policies", "expected a list of rules or a mapping {default, rules}");
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string path = fmt::format("policies[{}]", i);
    PolicyRule rule;
    read_rule(r, rules[i], path, rule);
    if (!rule.id.empty() && !seen.insert(rule.id).second) {
      r.problem(rules[i]["id"], path + ".id", fmt::format("duplicate rule id \"{}\"", rule.id));
    }
    out.rules.push_back(std::move(rule));
  }
}

void check_policy_references(YamlReader& r, const Node& root, const Config& c) {
  const Node policies = root["policies"];
  const Node rules = policies.IsMap() ? policies["rules"] : policies;
  for (std::size_t i = 0; i < c.policies.rules.size(); ++i) {
    const auto& names = c.policies.rules[i].deployments.names;
    if (!names) continue;
    for (const auto& name : names->values) {
      if (!c.deployments.contains(name)) {
        r.problem(rules[i]["deployments"]["names"],
                  fmt::format("policies[{}].deployments.names", i),
                  fmt::format("unknown deployment \"{}\"", name));
      }
    }
  }
}

Result<PolicyConfig> load_policies_text(std::string_view text, const std::string& source,
                                        const Config& config, const EnvLookup& env) {
  Node n;
  try {
    n = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::InvalidRequest,
                fmt::format("{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  YamlReader r(source, env);
  Config checked;
  checked.deployments = config.deployments;
  try {
    if (!defined(n)) {
      r.problem(n, "policies", "expected a list of rules or a mapping {default, rules}");
    } else {
      read_policies(r, n, checked.policies);
      Node root(YAML::NodeType::Map);
      root["policies"] = n;
      check_policy_references(r, root, checked);
    }
  } catch (const YAML::Exception& e) {
    r.problem(n, "(document)", e.what());
  }
  if (!r.problems().empty()) {
    std::string message = fmt::format("invalid policies ({} problem{}):", r.problems().size(),
                                      r.problems().size() == 1 ? "" : "s");
    for (const auto& p : r.problems()) message += "\n  " + p;
    return fail(ErrorKind::InvalidRequest, std::move(message));
  }
  checked.policies.text = std::string(text);
  return std::move(checked.policies);
}

}  // namespace sy
