#include "routing/route_decision.h"

#include <algorithm>
#include <cmath>

#include "core/json_writer.h"

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
  std::string msg = "No deployment of '" + requested + "' may serve this request:";
  for (const auto& r : removed) msg += " " + r.deployment + " removed by " + r.constraint + " (" + r.reason + ");";
  msg.pop_back();
  return fail(ErrorKind::PermissionDenied, std::move(msg), "model", "no_allowed_deployment");
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
  d.strategy = route->strategy == RouteStrategy::Weighted ? "weighted" : "fallback";
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
