// RouteDecision: which deployments a request may go to, in which order, and why.
// decide() resolves the requested model — a deployment name or a named route — against
// a catalog and applies the route's strategy (ordered fallback, or a weighted random
// order). The decision carries its own explanation: a compact form for the
// x-switchyard-route response header. Pure logic; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "providers/catalog.h"
#include "routing/health.h"

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

struct RouteDecision {
  std::string requested;  // the model the client asked for
  std::string route;      // the route that matched; "" for a direct deployment
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

  // Orders the candidates by the strategy of `route_config`: cheapest (expected USD cost
  // of this request at each deployment's prices) or latency (power of two choices on the
  // EWMA of time to first token: of two random candidates the faster goes first; the
  // rest by EWMA, unmeasured ones first so they get measured). Other strategies keep the
  // order. `r1`, `r2` are uniform in [0, 1).
  void choose(const RouteConfig* route_config, const Needs& needs, const HealthBoard* board,
              double r1, double r2);

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
template <class Rng>
Result<RouteDecision> decide(const providers::Catalog& catalog, std::string_view model,
                             Rng&& unit_random);

// Full-jitter exponential backoff before retry number `retry` (0 = first retry).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, uint32_t retry, double unit);

// Retries of a deployment asked for by name: one more try of the same deployment.
inline constexpr RetryPolicy kDirectRetry{2, 2, 50, 2'000};

namespace detail {
Result<RouteDecision> resolve(const providers::Catalog& catalog, std::string_view model);
void weighted_order(const RouteConfig& route, const providers::Catalog& catalog,
                    std::vector<const providers::Deployment*>& order,
                    const std::vector<double>& randoms);
}  // namespace detail

template <class Rng>
Result<RouteDecision> decide(const providers::Catalog& catalog, std::string_view model,
                             Rng&& unit_random) {
  auto d = detail::resolve(catalog, model);
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
