#include "gateway/route_stage.h"

#include <algorithm>

#include "core/ids.h"
#include "gateway/request_facts.h"
#include "routing/requirements.h"

namespace sy::gateway {
namespace {

std::string list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

// The constraints that apply to this request, each named after what imposes it: the
// caller's key (allowed models and regions) and the policy rules that restrict
// deployments (residency, on-premises only, …). Built only when there are any.
std::vector<routing::CandidateConstraint> constraints_of(const RequestContext& ctx) {
  std::vector<routing::CandidateConstraint> out;
  // What the deployment serves: chat or embeddings, as the API the request came in by.
  out.push_back({"kind", [kind = ctx.ingress.kind](const providers::Deployment& d) {
                   if (d.config->kind == kind) return std::string();
                   return std::string(deployment_kind_name(d.config->kind)) +
                          (d.config->kind == DeploymentKind::Embedding
                               ? " deployment: use POST /v1/embeddings"
                               : " deployment: it serves no embeddings");
                 }});
  const governance::Principal& who = ctx.principal;
  if (!who.allowed_models.empty()) {
    out.push_back({"key.allowed_models", [&who](const providers::Deployment& d) {
                     return who.may_use_model(d.name())
                                ? std::string()
                                : d.name() + " not in " + list(who.allowed_models);
                   }});
  }
  // The key's and the team's region lists, each its own constraint so a 403 names which.
  for (const auto& [name, regions] : {std::pair{"key.allowed_regions", &who.allowed_regions},
                                      std::pair{"team.allowed_regions", &who.team_regions}}) {
    if (regions->empty()) continue;
    out.push_back({name, [regions](const providers::Deployment& d) {
                     const auto& r = d.config->region;
                     return std::find(regions->begin(), regions->end(), r) != regions->end()
                                ? std::string()
                                : "region '" + r + "' not in " + list(*regions);
                   }});
  }
  const Snapshot& snap = *ctx.snapshot;
  for (const governance::DeploymentConstraint* c : ctx.policy.constraints) {
    out.push_back({"policy:" + std::string(c->rule_id()), [c, &snap](const providers::Deployment& d) {
                     const governance::DeploymentFacts* facts = snap.deployment_facts(d.name());
                     if (facts == nullptr || c->admits(*facts)) return std::string();
                     return c->why_not(*facts);
                   }});
  }
  return out;
}

}  // namespace

int64_t steady_us(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

Result<void> RouteStage::run(RequestContext& ctx) const {
  const governance::Principal& who = ctx.principal;
  auto decision = routing::decide(*ctx.snapshot->catalog, requested_model(ctx), ctx.signals, random_unit);
  if (!decision) return std::unexpected(std::move(decision.error()));
  ctx.decision = std::move(*decision);
  if (!ctx.decision.route.empty() && !who.may_use_route(ctx.decision.route)) {
    return fail(ErrorKind::PermissionDenied,
                "This key may not use the route '" + ctx.decision.route + "' (key.allowed_routes " +
                    list(who.allowed_routes) + ")",
                "model", "route_not_allowed");
  }
  // filter: the key's and the policies' constraints, then what the request needs
  // (capabilities, context window), then health; choose: the route's strategy.
  auto constraints = constraints_of(ctx);
  const routing::Needs needs = request_needs(ctx);
  routing::append_need_constraints(needs, constraints);
  const auto now = routing::HealthBoard::Clock::now();
  routing::append_hint_constraints(ctx.signals.hints, needs, ctx.worker.health, constraints);
  if (auto r = ctx.decision.apply(constraints); !r) return r;
  ctx.decision.apply_health(ctx.worker.health, now);
  ctx.estimated_tokens = routing::expected_tokens(needs);
  ctx.decision.apply_headroom(steady_us(now), ctx.estimated_tokens);
  routing::ChooseInputs in;
  in.route = ctx.decision.route_config;
  in.needs = &needs;
  in.board = &ctx.worker.health;
  in.signals = &ctx.signals;
  in.calibration = ctx.snapshot->calibration.get();
  in.r1 = random_unit();
  in.r2 = random_unit();
  ctx.decision.choose(in);
  return {};
}

}  // namespace sy::gateway
