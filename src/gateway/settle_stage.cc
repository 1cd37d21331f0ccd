#include "gateway/settle_stage.h"

#include "gateway/budget_stage.h"

namespace sy::gateway {

void SettleStage::run(RequestContext& ctx) const {
  if (ctx.served_by != nullptr && (ctx.usage.reported || ctx.usage_estimated)) {
    ctx.cost_usd = providers::cost_usd(ctx.served_by->config->price, ctx.usage);
  }
  ctx.cost_usd += ctx.rejected_cost_usd;  // cascade answers that failed their checks
  if (!ctx.limits_applied) return;
  // Releases the worst-case hold and books what was spent (0 for a failed request).
  ctx.reservation.settle(ctx.cost_usd);
  const uint64_t tokens = uint64_t{ctx.usage.input_tokens} + ctx.usage.output_tokens +
                         ctx.rejected_usage.input_tokens + ctx.rejected_usage.output_tokens;
  if (tokens > 0) ctx.worker.limits->limiter().charge_tokens(limit_subjects(ctx), tokens);
}

}  // namespace sy::gateway
