// RouteDecision: which deployments a request may go to, in which order, and why.
// decide() resolves the requested model — a deployment name or a named route, following
// a rules route's task rules to the route or deployment they name — against a catalog and
// applies the weighted strategy's random order; choose() orders the remaining candidates
// by the other strategies (cheapest, latency, threshold). The decision carries its own
// explanation: a compact form for the x-switchyard-route response header, the full one
// for the audit record. Pure logic; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "providers/catalog.h"
#include "routing/health.h"
#include "routing/signals.h"

namespace sy::routing {

// A candidate the router dropped, and the named constraint that dropped it.
struct Removal {
  std::string deployment;
  std::string constraint;  // "key.allowed_models", "key.allowed_regions", "policy:<rule id>"…
  std::string reason;      // for people: "region us-east-1 not in [eu-west-1]"
};

// A named constraint on candidate deployments (governance's verdicts, handed to the
// router as plain predicates: routing does not call governance). `why_not` returns ""
// when the deployment is admitted, else the reason it is not.
struct CandidateConstraint {
  std::string name;
  std::function<std::string(const providers::Deployment&)> why_not;
};

// What a strategy scored a candidate by, for the explanation.
struct Score {
  std::string deployment;
  double value = 0;
};

struct Needs;
class Calibration;

// What choose() orders by, besides the candidates themselves.
struct ChooseInputs {
  const RouteConfig* route = nullptr;        // the route whose strategy applies; null: none
  const Needs* needs = nullptr;              // the request's size (cheapest)
  const HealthBoard* board = nullptr;        // latency EWMAs (latency)
  const Signals* signals = nullptr;          // task, difficulty, the quality knob
  const Calibration* calibration = nullptr;  // threshold: share of strong calls → threshold
  double r1 = 0, r2 = 0;                     // uniform in [0, 1) (latency's two choices)
};

struct RouteDecision {
  std::string requested;  // the model the client asked for
  std::string route;      // the route that matched; "" for a direct deployment
  const RouteConfig* route_config = nullptr;  // its config (the catalog's); null: direct
  // Rules routes passed on the way to `route`, each with the rule that sent the request
  // on: "auto: task=code -> code".
  std::vector<std::string> via;
  const char* task = "";         // the task type routing used ("" unknown)
  const char* task_source = "";  // "hint" or "classifier"
  std::optional<double> p_cheap_ok;  // the classifier's difficulty, when it ran
  std::optional<double> quality;     // the cost–quality knob applied (threshold, cheapest)
  std::optional<double> threshold;   // threshold: p_cheap_ok below it goes to the strong target
  const char* strategy = "direct";
  std::vector<const providers::Deployment*> order;  // preferred first
  std::vector<Removal> removed;                     // candidates dropped by constraints
  std::vector<Score> scores;                        // the strategy's scores, when it has any
  const char* score_unit = "";                      // "usd" (cheapest) or "ttft_ms" (latency)
  RetryPolicy retry;

  // Drops from `order` every deployment one of `constraints` rejects (the first that
  // does is recorded). Fails with 403 naming each removal when none is left.
  Result<void> apply(std::span<const CandidateConstraint> constraints);

  // Drops candidates whose circuit is open (constraint "health") — unless every one's
  // is, in which case all stay: a request still gets its chance, ordered as before.
  void apply_health(const HealthBoard& board, HealthBoard::Clock::time_point now);

  // Drops candidates without headroom under their provider's RPM/TPM limits for a request
  // of `tokens` (constraint "rate_limit") — unless none has any, in which case all stay
  // and the providers' own 429s decide. `now_us`: steady-clock microseconds.
  void apply_headroom(int64_t now_us, uint64_t tokens);

  // Orders the candidates by the route's strategy:
  // - cheapest: expected USD cost of this request at each deployment's prices; with a
  //   quality knob q, candidates whose quality for the task is below q × the best
  //   candidate's are dropped first (constraint "quality");
  // - latency: power of two choices on the EWMA of time to first token (of two random
  //   candidates the faster goes first; the rest by EWMA, unmeasured ones first so they
  //   get measured);
  // - threshold: [weak, strong] stays when the request's p_cheap_ok is at least the
  //   threshold calibrated for the knob's share of strong calls, else the strong target
  //   leads; without a prediction the strong one leads;
  // - fallback, weighted, cascade keep the order.
  void choose(const ChooseInputs& in);
  void choose_cheapest(const ChooseInputs& in);
  void choose_latency(const ChooseInputs& in);
  void choose_threshold(const ChooseInputs& in);

  // One deployment per attempt: each deployment of `order` up to
  // retry.attempts_per_deployment times, at most retry.max_attempts in all.
  std::vector<const providers::Deployment*> schedule() const;
  // "route=auto; strategy=fallback; order=sim-small,sim-large[; removed=sim-x(policy:eu)]"
  std::string compact() const;
  void append_compact(std::string& out) const;
  // The full explanation as a JSON object, for the audit record:
  // {"requested","route","strategy","order":[…],"removed":[…],"retry":{…}}
  std::string to_json() const;
  void append_json(std::string& out) const;
};

// `unit_random` yields uniform numbers in [0, 1) (injected for tests).
// `signals` choose the rule of a rules route (by task type).
template <class Rng>
Result<RouteDecision> decide(const providers::Catalog& catalog, std::string_view model,
                             const Signals& signals, Rng&& unit_random);

// What the classifier must predict for a request to `model` (routes reachable through
// rules count): the task for rules and quality-aware cheapest routes, the difficulty for
// threshold routes.
ClassifierUse classifier_use(const providers::Catalog& catalog, std::string_view model,
                             const Hints& hints);

// Full-jitter exponential backoff before retry number `retry` (0 = first retry).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, uint32_t retry, double unit);

// Retries of a deployment asked for by name: one more try of the same deployment.
inline constexpr RetryPolicy kDirectRetry{2, 2, 50, 2'000};

namespace detail {
Result<RouteDecision> resolve(const providers::Catalog& catalog, std::string_view model,
                              const Signals& signals);
void weighted_order(const RouteConfig& route, const providers::Catalog& catalog,
                    std::vector<const providers::Deployment*>& order,
                    const std::vector<double>& randoms);
}  // namespace detail

template <class Rng>
Result<RouteDecision> decide(const providers::Catalog& catalog, std::string_view model,
                             const Signals& signals, Rng&& unit_random) {
  auto d = detail::resolve(catalog, model, signals);
  if (!d || d->route.empty()) return d;
  const RouteConfig* route = catalog.route(d->route);
  if (route->strategy == RouteStrategy::Weighted) {
    std::vector<double> randoms(route->targets.size());
    for (auto& r : randoms) r = unit_random();
    detail::weighted_order(*route, catalog, d->order, randoms);
  }
  return d;
}

}  // namespace sy::routing
