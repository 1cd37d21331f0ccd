#include "core/config_limits.h"

#include <fmt/format.h>

#include <set>
#include <string>

namespace sy {
namespace {

using YAML::Node;

bool is_valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
             std::string::npos;
}

void read_limits(YamlReader& r, const Node& n, LimitsConfig& l) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, "limits")) return;
  r.allow_keys(n, "limits", {"backend", "redis_url", "redis_timeout_ms"});
  std::string backend;
  r.read(n, "limits", "backend", backend);
  if (backend == "redis") {
    l.backend = LimitsBackendKind::Redis;
  } else if (backend == "memory" || backend.empty()) {
    l.backend = LimitsBackendKind::Memory;
  } else {
    r.problem(n["backend"], "limits.backend",
              "unknown backend \"" + backend + "\" (expected memory or redis)");
  }
  r.read(n, "limits", "redis_url", l.redis_url);
  if (!l.redis_url.starts_with("redis://") && !l.redis_url.starts_with("unix:")) {
    r.problem(
        n["redis_url"], "limits.redis_url",
        "expected redis://[:password@]host[:port][/db] or unix:PATH, got \"" + l.redis_url + "\"");
  }
  r.read(n, "limits", "redis_timeout_ms", l.redis_timeout_ms);
  if (l.redis_timeout_ms == 0 || l.redis_timeout_ms > 60'000) {
    r.problem(n["redis_timeout_ms"], "limits.redis_timeout_ms", "must be between 1 and 60000");
  }
}

// scope: key | team | project | org; `allowed_org_project` false for rate limits.
bool read_scope(YamlReader& r, const Node& n, const std::string& path, bool rate, LimitScope& out) {
  std::string scope;
  r.read(n, path, "scope", scope, true);
  if (scope.empty()) return false;
  if (scope == "key") {
    out = LimitScope::Key;
  } else if (scope == "team") {
    out = LimitScope::Team;
  } else if (scope == "project" && !rate) {
    out = LimitScope::Project;
  } else if (scope == "org" && !rate) {
    out = LimitScope::Org;
  } else {
    r.problem(n["scope"], path + ".scope",
              fmt::format("unknown scope \"{}\" (expected {})", scope,
                          rate ? "key or team" : "key, team, project or org"));
    return false;
  }
  return true;
}

void read_id_and_match(YamlReader& r, const Node& n, const std::string& path,
                       std::set<std::string>& seen, std::string& id, std::string& match) {
  r.read(n, path, "id", id, true);
  if (n["id"].IsDefined()) {
    if (!is_valid_id(id)) {
      r.problem(n["id"], path + ".id", "at most 64 letters, digits, '.', '_' or '-'");
    } else if (!seen.insert(id).second) {
      r.problem(n["id"], path + ".id", "duplicate id \"" + id + "\"");
    }
  }
  r.read(n, path, "match", match);
  if (match.empty()) r.problem(n["match"], path + ".match", "must not be empty (use \"*\")");
}

void read_budget(YamlReader& r, const Node& n, const std::string& path, std::set<std::string>& seen,
                 BudgetRule& b) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"id", "scope", "match", "period", "limit_usd", "mode"});
  read_id_and_match(r, n, path, seen, b.id, b.match);
  read_scope(r, n, path, false, b.scope);
  std::string period;
  r.read(n, path, "period", period, true);
  if (period == "day") {
    b.period = BudgetPeriod::Day;
  } else if (period == "week") {
    b.period = BudgetPeriod::Week;
  } else if (period == "month") {
    b.period = BudgetPeriod::Month;
  } else if (period == "total") {
    b.period = BudgetPeriod::Total;
  } else if (!period.empty()) {
    r.problem(n["period"], path + ".period",
              "unknown period \"" + period + "\" (expected day, week, month or total)");
  }
  r.read(n, path, "limit_usd", b.limit_usd, true);
  if (n["limit_usd"].IsDefined() && !(b.limit_usd > 0 && b.limit_usd < 1e12)) {
    r.problem(n["limit_usd"], path + ".limit_usd", "must be positive and below 1e12");
  }
  std::string mode;
  r.read(n, path, "mode", mode);
  if (mode == "hard" || mode.empty()) {
    b.mode = BudgetMode::Hard;
  } else if (mode == "soft") {
    b.mode = BudgetMode::Soft;
  } else {
    r.problem(n["mode"], path + ".mode", "unknown mode \"" + mode + "\" (expected hard or soft)");
  }
}

void read_rate_limit(YamlReader& r, const Node& n, const std::string& path,
                     std::set<std::string>& seen, RateLimitRule& l) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"id", "scope", "match", "rpm", "tpm"});
  read_id_and_match(r, n, path, seen, l.id, l.match);
  read_scope(r, n, path, true, l.scope);
  r.read(n, path, "rpm", l.rpm);
  r.read(n, path, "tpm", l.tpm);
  if (l.rpm == 0 && l.tpm == 0) r.problem(n, path, "needs rpm, tpm or both (positive)");
}

template <class T, class F>
void read_list(YamlReader& r, const Node& root, const char* key, std::vector<T>& out, F read_one) {
  const Node list = root[key];
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.problem(list, key, "expected a list");
    return;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    T item;
    read_one(r, list[i], fmt::format("{}[{}]", key, i), seen, item);
    out.push_back(std::move(item));
  }
}

}  // namespace

void read_limits_sections(YamlReader& r, const Node& root, Config& c) {
  read_limits(r, root["limits"], c.limits);
  read_list(r, root, "budgets", c.budgets, read_budget);
  read_list(r, root, "rate_limits", c.rate_limits, read_rate_limit);
}

}  // namespace sy
