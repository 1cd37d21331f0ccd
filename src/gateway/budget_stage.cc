#include "gateway/budget_stage.h"

#include <boost/asio/use_awaitable.hpp>

#include "gateway/request_facts.h"
#include "governance/limits_await.h"
#include "governance/limits_runtime.h"

namespace sy::gateway {
governance::Subjects limit_subjects(const RequestContext& ctx) {
  const governance::Principal& p = ctx.principal;
  const std::string_view key = !p.key_id.empty() ? std::string_view(p.key_id) : std::string_view(p.id);
  return {key, p.team, p.project, kOrganization};
}

double worst_case_cost(const RequestContext& ctx) {
  const uint64_t prompt = input_tokens_upper_bound(ctx);
  double worst = 0;
  for (const providers::Deployment* d : ctx.decision.order) {
    const DeploymentConfig& c = *d->config;
    const uint64_t out = output_tokens_upper_bound(ctx, *d, prompt);
    const double cost = (static_cast<double>(prompt) * c.price.input_per_mtok +
                         static_cast<double>(out) * c.price.output_per_mtok) / 1e6;
    worst = std::max(worst, cost);
  }
  return worst;
}

http::Task<Result<void>> BudgetStage::run(RequestContext& ctx) const {
  governance::WorkerLimits* limits = ctx.worker.limits.get();
  if (limits == nullptr || limits->limiter().rules().empty()) co_return Result<void>{};
  governance::Limiter& limiter = limits->limiter();
  const governance::Subjects who = limit_subjects(ctx);
  using Token = boost::asio::use_awaitable_t<http::Executor>;
  auto rate = co_await governance::async_check_rate(limiter, who, Token{});
  if (!rate) co_return std::unexpected(std::move(rate.error()));
  if (!rate->allowed) {
    ctx.retry_after_s = static_cast<uint32_t>((rate->retry_after_ms + 999) / 1000);
    co_return std::unexpected(governance::rate_limit_error(*rate));
  }
  auto budget = co_await governance::async_reserve(limiter, who, worst_case_cost(ctx), Token{});
  if (!budget) co_return std::unexpected(std::move(budget.error()));
  if (!budget->admitted) {
    ctx.retry_after_s = static_cast<uint32_t>((budget->retry_after_ms + 999) / 1000);
    co_return std::unexpected(governance::budget_error(*budget));
  }
  ctx.reservation = std::move(budget->reservation);
  ctx.budget_warnings = std::move(budget->soft_exceeded);
  ctx.limits_applied = true;
  co_return Result<void>{};
}

}  // namespace sy::gateway
