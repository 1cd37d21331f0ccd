#include "gateway/route_stage.h"

#include "core/ids.h"

namespace sy::gateway {

Result<void> RouteStage::run(RequestContext& ctx) const {
  auto decision = routing::decide(*ctx.snapshot->catalog, ctx.request.model, random_unit);
  if (!decision) return std::unexpected(std::move(decision.error()));
  ctx.decision = std::move(*decision);
  return {};
}

}  // namespace sy::gateway
