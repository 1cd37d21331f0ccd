#include "routing/route_decision.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "routing/calibration.h"
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
  if (!route.empty() || !via.empty()) {
    s += "route=";
    // Rules routes passed through first: "auto>code".
    for (size_t i = 0; i < via.size(); ++i) {
      if (i) s += '>';
      s.append(via[i], 0, via[i].find(':'));
    }
    if (!route.empty()) {
      if (!via.empty()) s += '>';
      s += route;
    }
    s += "; ";
  }
  if (*task != '\0') {
    s += "task=";
    s += task;
    s += "; ";
  }
  s += "strategy=";
  s += strategy;
  if (threshold && p_cheap_ok) {
    s += fmt::format("; p_cheap_ok={:.3f}; threshold={:.3f}", *p_cheap_ok, *threshold);
  }
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
    return r.constraint.starts_with("capability:") || r.constraint.starts_with("hint.") ||
           r.constraint == "context_window" || r.constraint == "max_output" || r.constraint == "kind";
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

namespace {

std::optional<double> knob_of(const ChooseInputs& in) {
  if (in.signals != nullptr && in.signals->hints.quality) return in.signals->hints.quality;
  return in.route->quality;
}

}  // namespace

void RouteDecision::apply_headroom(int64_t now_us, uint64_t tokens) {
  auto room = [&](const providers::Deployment* d) {
    return d->headroom == nullptr || d->headroom->has_room(now_us, tokens);
  };
  if (std::all_of(order.begin(), order.end(), room) || std::none_of(order.begin(), order.end(), room)) return;
  std::erase_if(order, [&](const providers::Deployment* d) {
    if (room(d)) return false;
    removed.push_back({d->name(), "rate_limit",
                       fmt::format("no headroom under limits.rpm {} / tpm {} for {} more tokens",
                                   d->headroom->rpm(), d->headroom->tpm(), tokens)});
    return true;
  });
}

void RouteDecision::choose(const ChooseInputs& in) {
  if (in.route == nullptr || order.empty()) return;
  switch (in.route->strategy) {
    case RouteStrategy::Cheapest: choose_cheapest(in); return;
    case RouteStrategy::LowestLatency: choose_latency(in); return;
    case RouteStrategy::Threshold: choose_threshold(in); return;
    default: return;
  }
}

void RouteDecision::choose_cheapest(const ChooseInputs& in) {
  quality = knob_of(in);
  if (quality && *quality > 0 && order.size() > 1) {
    // Cheapest among the good enough: at least knob × the best candidate's quality.
    const std::string_view t = *task != '\0' ? std::string_view(task) : std::string_view();
    float best = 0;
    for (const auto* d : order) best = std::max(best, d->quality_for(t));
    const double floor = *quality * best;
    std::erase_if(order, [&](const providers::Deployment* d) {
      const float q = d->quality_for(t);
      if (q >= floor - 1e-9) return false;
      removed.push_back({d->name(), "quality",
                         fmt::format("quality {:.2f} for {} below {:.2f} (knob {:.2f} x best {:.2f})", q,
                                     t.empty() ? "default" : t, floor, *quality, best)});
      return true;
    });
  }
  scores.clear();
  static const Needs kNone{};
  const Needs& needs = in.needs != nullptr ? *in.needs : kNone;
  for (const auto* d : order) scores.push_back({d->name(), expected_cost_usd(*d, needs)});
  std::vector<size_t> idx = ascending(scores);
  permute(order, scores, idx);
  score_unit = "usd";
}

void RouteDecision::choose_latency(const ChooseInputs& in) {
  if (in.board == nullptr) return;
  // Unmeasured deployments score -1: tried first, so that each gets a measurement.
  scores.clear();
  for (const auto* d : order) scores.push_back({d->name(), in.board->first_token_ms(d->name()).value_or(-1)});
  std::vector<size_t> idx = ascending(scores);
  if (idx.size() >= 2) {
    // Power of two choices: two distinct random candidates, the faster one leads. This
    // spreads load instead of sending everything to the one fastest deployment.
    const size_t n = idx.size();
    const size_t a = std::min(n - 1, static_cast<size_t>(in.r1 * n));
    size_t b = std::min(n - 2, static_cast<size_t>(in.r2 * (n - 1)));
    if (b >= a) ++b;
    const size_t lead = scores[idx[a]].value <= scores[idx[b]].value ? idx[a] : idx[b];
    idx.erase(std::find(idx.begin(), idx.end(), lead));
    idx.insert(idx.begin(), lead);
  }
  permute(order, scores, idx);
  score_unit = "ttft_ms";
}

void RouteDecision::choose_threshold(const ChooseInputs& in) {
  // The knob is the share of requests that should reach the strong target (RouteLLM's
  // calibration): 0 all weak, 1 all strong. Uncalibrated, the knob is the threshold itself.
  quality = knob_of(in).value_or(0.5);
  threshold = in.calibration != nullptr ? in.calibration->threshold_for(*quality) : *quality;
  if (in.signals != nullptr && in.signals->prediction) p_cheap_ok = in.signals->prediction->p_cheap_ok;
  const std::string& strong = in.route->targets.back().deployment;
  const bool to_strong = !p_cheap_ok || *p_cheap_ok < *threshold;
  if (!to_strong) return;  // [weak, strong] as configured
  auto it = std::find_if(order.begin(), order.end(),
                         [&](const providers::Deployment* d) { return d->name() == strong; });
  if (it != order.end()) std::rotate(order.begin(), it, it + 1);
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
  if (!via.empty()) {
    w.key("via").begin_array();
    for (const auto& v : via) w.value(v);
    w.end_array();
  }
  if (*task != '\0') w.field("task", task).field("task_source", task_source);
  if (p_cheap_ok) w.field("p_cheap_ok", *p_cheap_ok);
  if (quality) w.field("quality", *quality);
  if (threshold) w.field("threshold", *threshold);
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

const char* strategy_name(RouteStrategy s) {
  switch (s) {
    case RouteStrategy::Fallback: return "fallback";
    case RouteStrategy::Weighted: return "weighted";
    case RouteStrategy::Cheapest: return "cheapest";
    case RouteStrategy::LowestLatency: return "latency";
    case RouteStrategy::Rules: return "rules";
    case RouteStrategy::Threshold: return "threshold";
    case RouteStrategy::Cascade: return "cascade";
  }
  return "fallback";
}

Result<RouteDecision> resolve(const providers::Catalog& catalog, std::string_view model,
                              const Signals& signals) {
  RouteDecision d;
  d.requested = std::string(model);
  const std::optional<TaskType> task = signals.task();
  if (task) {
    d.task = task_type_name(*task).data();
    d.task_source = signals.task_source();
  }
  if (signals.prediction) d.p_cheap_ok = signals.prediction->p_cheap_ok;
  std::string_view at = model;
  const RouteConfig* route = nullptr;
  // The config is checked for loops; the bound only guards against a bug there.
  for (int hop = 0; hop < 32; ++hop) {
    if (const auto* dep = catalog.deployment(at)) {
      d.order.push_back(dep);
      d.retry = route != nullptr ? route->retry : kDirectRetry;
      return d;
    }
    route = catalog.route(at);
    if (route == nullptr) {
      return fail(ErrorKind::NotFound,
                  "The model '" + std::string(model) +
                      "' does not exist: it is neither a deployment nor a route (GET /v1/models "
                      "lists them)",
                  "model", "model_not_found");
    }
    if (route->strategy != RouteStrategy::Rules) break;
    const std::string* to = &route->otherwise;
    std::string why = task ? "task=" + std::string(task_type_name(*task)) + " (no rule)" : "task unknown";
    for (const auto& rule : route->rules) {
      if (task && std::find(rule.tasks.begin(), rule.tasks.end(), task_type_name(*task)) != rule.tasks.end()) {
        to = &rule.to;
        why = "task=" + std::string(task_type_name(*task));
        break;
      }
    }
    d.via.push_back(route->name + ": " + why + " -> " + *to);
    at = *to;
  }
  if (route == nullptr || route->strategy == RouteStrategy::Rules) {
    return fail(ErrorKind::Internal, "routing rules of '" + std::string(model) + "' nest too deep");
  }
  d.route = route->name;
  d.route_config = route;
  d.retry = route->retry;
  d.strategy = strategy_name(route->strategy);
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

ClassifierUse classifier_use(const providers::Catalog& catalog, std::string_view model,
                             const Hints& hints) {
  ClassifierUse use;
  std::vector<std::string_view> stack{model}, seen;
  while (!stack.empty() && seen.size() < 64) {
    const std::string_view at = stack.back();
    stack.pop_back();
    if (std::find(seen.begin(), seen.end(), at) != seen.end()) continue;
    seen.push_back(at);
    const RouteConfig* route = catalog.route(at);
    if (route == nullptr) continue;
    switch (route->strategy) {
      case RouteStrategy::Rules:
        use.task = true;
        stack.push_back(route->otherwise);
        for (const auto& rule : route->rules) stack.push_back(rule.to);
        break;
      case RouteStrategy::Threshold: use.difficulty = true; break;
      case RouteStrategy::Cheapest: use.task = use.task || hints.quality || route->quality; break;
      default: break;
    }
  }
  if (hints.task) use.task = false;  // the caller said
  return use;
}

}  // namespace sy::routing
