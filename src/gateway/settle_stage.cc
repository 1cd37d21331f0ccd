#include "gateway/settle_stage.h"

namespace sy::gateway {

void SettleStage::run(RequestContext& ctx) const {
  if (ctx.served_by == nullptr || !ctx.usage.reported) return;
  ctx.cost_usd = providers::cost_usd(ctx.served_by->config->price, ctx.usage);
}

}  // namespace sy::gateway
