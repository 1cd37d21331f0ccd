#include "gateway/record_stage.h"

#include "core/log.h"

namespace sy::gateway {

void RecordStage::run(const RequestContext& ctx) const {
  auto& log = access_log();
  if (!log.should_log(spdlog::level::info)) return;
  if (!ctx.snapshot->config->server.access_log) return;
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            ctx.started)
                      .count();
  std::string attempts;
  for (const auto& a : ctx.attempts) {
    if (!attempts.empty()) attempts += ',';
    attempts += a.deployment + "=" + a.outcome;
  }
  log.info("{} status={} model={} deployment={} attempts=[{}] stream={} in={} out={} cost_usd={:.6f} ms={:.1f}{}{}",
           ctx.request_id, ctx.status, ctx.request.model,
           ctx.served_by ? ctx.served_by->name() : std::string("-"), attempts, ctx.request.stream,
           ctx.usage.input_tokens, ctx.usage.output_tokens, ctx.cost_usd, ms,
           ctx.error.empty() ? "" : " error=", ctx.error);
}

}  // namespace sy::gateway
