// RouteStage: picks the ordered deployments for the request (routing::decide) from
// the request's snapshot. 404 in OpenAI's shape for an unknown model.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class RouteStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
