#include "routing/route_decision.h"

#include <algorithm>
#include <cmath>

#include "core/json_writer.h"
#include "routing/requirements.h"

namespace sy::routing {

std::vector<const providers::Deployment*> RouteDecision::schedule() const {
  std::vector<const providers::Deployment*> out;
  for (const auto* d : order) {
    for (uint32_t i = 0; i < retry.attempts_per_deployment; ++i) {
      if (out.size() >= retry.max_attempts) return out;
      out.push_back(d);
    }
  }
  return out;
}

std::string RouteDecision::compact() const {
  std::string s;
  s.reserve(64);
  append_compact(s);
  return s;
}

void RouteDecision::append_compact(std::string& s) const {
  if (!route.empty()) {
    s += "route=";
    s += route;
    s += "; ";
  }
  s += "strategy=";
  s += strategy;
  s += "; order=";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) s += ',';
    s += order[i]->name();
  }
  if (!removed.empty()) {
    s += "; removed=";
    for (size_t i = 0; i < removed.size(); ++i) {
      if (i) s += ',';
      s += removed[i].deployment;
      s += '(';
      s += removed[i].constraint;
      s += ')';
    }
  }
}

Result<void> RouteDecision::apply(std::span<const CandidateConstraint> constraints) {
  if (constraints.empty()) return {};
  std::erase_if(order, [&](const providers::Deployment* d) {
    for (const auto& c : constraints) {
      std::string why = c.why_not(*d);
      if (why.empty()) continue;
      removed.push_back({d->name(), c.name, std::move(why)});
      return true;
    }
    return false;
  });
  if (!order.empty()) return {};
  // Removed only for what the request needs (capabilities, size): the client's request
  // cannot be served as it is (400). Any removal by the key or a policy: 403.
  const bool by_needs = std::all_of(removed.begin(), removed.end(), [](const Removal& r) {
    return r.constraint.starts_with("capability:") || r.constraint == "context_window" ||
           r.constraint == "max_output" || r.constraint == "kind";
  });
  std::string msg = "No deployment of '" + requested + "' " +
                    (by_needs ? "can" : "may") + " serve this request:";
  for (const auto& r : removed) msg += " " + r.deployment + " removed by " + r.constraint + " (" + r.reason + ");";
  msg.pop_back();
  if (by_needs) return fail(ErrorKind::InvalidRequest, std::move(msg), "model", "no_capable_deployment");
  return fail(ErrorKind::PermissionDenied, std::move(msg), "model", "no_allowed_deployment");
}

namespace {

// Candidate positions by ascending score; ties keep their order.
std::vector<size_t> ascending(const std::vector<Score>& scores) {
  std::vector<size_t> idx(scores.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(),
                   [&](size_t a, size_t b) { return scores[a].value < scores[b].value; });
  return idx;
}

// Puts the candidates and their scores in the order `idx` gives.
void permute(std::vector<const providers::Deployment*>& order, std::vector<Score>& scores,
             const std::vector<size_t>& idx) {
  std::vector<const providers::Deployment*> sorted;
  std::vector<Score> sorted_scores;
  for (size_t i : idx) {
    sorted.push_back(order[i]);
    sorted_scores.push_back(std::move(scores[i]));
  }
  order = std::move(sorted);
  scores = std::move(sorted_scores);
}

}  // namespace

void RouteDecision::apply_health(const HealthBoard& board, HealthBoard::Clock::time_point now) {
  const bool any_healthy = std::any_of(order.begin(), order.end(), [&](const providers::Deployment* d) {
    return board.would_admit(d->name(), now);
  });
  if (!any_healthy) return;
  std::erase_if(order, [&](const providers::Deployment* d) {
    if (board.would_admit(d->name(), now)) return false;
    removed.push_back({d->name(), "health", "circuit breaker open"});
    return true;
  });
}

void RouteDecision::choose(const RouteConfig* route_config, const Needs& needs,
                           const HealthBoard* board, double r1, double r2) {
  if (route_config == nullptr || order.size() < 1) return;
  if (route_config->strategy == RouteStrategy::Cheapest) {
    // The answer's length is unknown: max_tokens when given, else a typical 256.
    const double out = needs.output_tokens ? needs.output_tokens : 256;
    scores.clear();
    for (const auto* d : order) {
      const Price& p = d->config->price;
      scores.push_back({d->name(), (needs.input_tokens * p.input_per_mtok + out * p.output_per_mtok) / 1e6});
    }
    std::vector<size_t> idx = ascending(scores);
    permute(order, scores, idx);
    score_unit = "usd";
    return;
  }
  if (route_config->strategy == RouteStrategy::LowestLatency && board != nullptr) {
    // Unmeasured deployments score -1: tried first, so that each gets a measurement.
    scores.clear();
    for (const auto* d : order) scores.push_back({d->name(), board->first_token_ms(d->name()).value_or(-1)});
    std::vector<size_t> idx = ascending(scores);
    if (idx.size() >= 2) {
      // Power of two choices: two distinct random candidates, the faster one leads. This
      // spreads load instead of sending everything to the one fastest deployment.
      const size_t n = idx.size();
      const size_t a = std::min(n - 1, static_cast<size_t>(r1 * n));
      size_t b = std::min(n - 2, static_cast<size_t>(r2 * (n - 1)));
      if (b >= a) ++b;
      const size_t lead = scores[idx[a]].value <= scores[idx[b]].value ? idx[a] : idx[b];
      idx.erase(std::find(idx.begin(), idx.end(), lead));
      idx.insert(idx.begin(), lead);
    }
    permute(order, scores, idx);
    score_unit = "ttft_ms";
  }
}

std::string RouteDecision::to_json() const {
  std::string s;
  append_json(s);
  return s;
}

void RouteDecision::append_json(std::string& s) const {
  json::Writer w(s);
  w.begin_object();
  w.field("requested", requested);
  w.field("route", route);
  w.field("strategy", strategy);
  w.key("order").begin_array();
  for (const auto* d : order) w.value(d->name());
  w.end_array();
  w.key("removed").begin_array();
  for (const auto& r : removed) {
    w.begin_object().field("deployment", r.deployment).field("constraint", r.constraint)
        .field("reason", r.reason).end_object();
  }
  w.end_array();
  if (!scores.empty()) {
    w.field("score_unit", score_unit);
    w.key("scores").begin_object();
    for (const auto& sc : scores) w.field(sc.deployment, sc.value);
    w.end_object();
  }
  w.key("retry").begin_object();
  w.field("max_attempts", static_cast<uint64_t>(retry.max_attempts));
  w.field("attempts_per_deployment", static_cast<uint64_t>(retry.attempts_per_deployment));
  w.end_object();
  w.end_object();
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, uint32_t retry, double unit) {
  const double cap = policy.max_backoff_ms;
  const double exp = std::min(cap, policy.backoff_ms * std::ldexp(1.0, std::min<uint32_t>(retry, 30)));
  return std::chrono::milliseconds(static_cast<int64_t>(exp * unit));
}

namespace detail {

Result<RouteDecision> resolve(const providers::Catalog& catalog, std::string_view model) {
  RouteDecision d;
  d.requested = std::string(model);
  if (const auto* dep = catalog.deployment(model)) {
    d.order.push_back(dep);
    d.retry = kDirectRetry;
    return d;
  }
  const RouteConfig* route = catalog.route(model);
  if (route == nullptr) {
    return fail(ErrorKind::NotFound,
                "The model '" + std::string(model) +
                    "' does not exist: it is neither a deployment nor a route (GET /v1/models "
                    "lists them)",
                "model", "model_not_found");
  }
  d.route = route->name;
  d.retry = route->retry;
  switch (route->strategy) {
    case RouteStrategy::Fallback: d.strategy = "fallback"; break;
    case RouteStrategy::Weighted: d.strategy = "weighted"; break;
    case RouteStrategy::Cheapest: d.strategy = "cheapest"; break;
    case RouteStrategy::LowestLatency: d.strategy = "latency"; break;
  }
  for (const auto& t : route->targets) d.order.push_back(catalog.deployment(t.deployment));
  return d;
}

// Weighted random order without replacement (Efraimidis–Spirakis): each target gets the
// key u^(1/w); sorting by key descending draws the first with probability w/Σw, and so on.
void weighted_order(const RouteConfig& route, const providers::Catalog& catalog,
                    std::vector<const providers::Deployment*>& order,
                    const std::vector<double>& randoms) {
  std::vector<std::pair<double, const providers::Deployment*>> keyed;
  keyed.reserve(route.targets.size());
  for (size_t i = 0; i < route.targets.size(); ++i) {
    const double u = std::max(randoms[i], 1e-12);
    keyed.emplace_back(std::pow(u, 1.0 / std::max<uint32_t>(1, route.targets[i].weight)),
                       catalog.deployment(route.targets[i].deployment));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  order.clear();
  for (auto& [key, dep] : keyed) order.push_back(dep);
}

}  // namespace detail
}  // namespace sy::routing
