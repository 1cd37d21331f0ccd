// BudgetStage: rate limits and budgets (docs/budgets.md), after routing and before any
// provider is called. One request against every requests-per-minute limit that applies
// (and room under the tokens-per-minute ones), then the request's worst-case cost —
// estimated prompt tokens × the dearest candidate's input price + max output tokens ×
// its output price (none for embeddings) — reserved against every budget of its key, team, project and the
// organisation, all or none. Concurrent requests therefore cannot jointly overspend a
// hard budget. The settle stage releases the hold and books the actual cost.
// Refusals are 429s naming the limit (with retry-after); an unreachable Redis is a 503.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class BudgetStage {
 public:
  http::Task<Result<void>> run(RequestContext& ctx) const;
};

// A gateway serves one organisation; org-scoped limits count it under this name.
inline constexpr std::string_view kOrganization = "default";

// Who the request's limits are counted against: its key (or JWT subject), team,
// project and the organisation. Views into ctx.principal.
governance::Subjects limit_subjects(const RequestContext& ctx);

// The most `ctx`'s request can cost on any of its candidate deployments (USD).
double worst_case_cost(const RequestContext& ctx);

}  // namespace sy::gateway
