// RouteStage: picks the ordered deployments for the request from the request's snapshot:
// resolve the model (a deployment, a route, rules followed by task type), filter the
// candidates by named constraints (the key's, the policies', what the request needs, the
// caller's hints), then health and provider-limit headroom, then order them by the route's
// strategy. 404 for an unknown model; 400/403 naming every removal when none is left.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class RouteStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

// Steady-clock microseconds, the time base of deployments' headroom.
int64_t steady_us(std::chrono::steady_clock::time_point t);

}  // namespace sy::gateway
