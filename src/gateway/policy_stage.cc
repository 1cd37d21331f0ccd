#include "gateway/policy_stage.h"

#include "gateway/request_facts.h"
#include "governance/dlp_mask.h"
#include "governance/policy_set.h"

namespace sy::gateway {

Result<void> PolicyStage::run(RequestContext& ctx) const {
  const governance::PolicySet* policies = ctx.snapshot->policies.get();
  if (policies == nullptr ||
      (policies->size() == 0 && policies->default_effect() == PolicyDefault::Allow)) {
    return {};
  }
  governance::PrincipalFacts who;
  who.team = ctx.principal.team;
  who.project = ctx.principal.project;
  for (auto role : ctx.principal.roles) who.roles.emplace_back(governance::role_name(role));
  who.tags = ctx.principal.tags;
  governance::RequestFacts what;
  what.model = requested_model(ctx);
  if (auto task = ctx.signals.task()) what.task = routing::task_type_name(*task);
  for (const auto& c : ctx.data_classes) what.data_classes.emplace_back(c.entity_type);
  what.tools = ctx.request.tool_names;
  what.max_tokens = ctx.request.max_tokens;
  policies->evaluate(governance::PolicyInput{who, what}, ctx.policy);
  ctx.policy_evaluated = true;
  if (!ctx.policy.allowed()) {
    std::string msg = ctx.policy.deny_rule.empty()
                          ? std::string("Request denied by policy: no rule allows it (default: deny)")
                          : "Request denied by policy rule '" + std::string(ctx.policy.deny_rule) + "'";
    if (!ctx.policy.deny_message.empty()) msg += ": " + std::string(ctx.policy.deny_message);
    return fail(ErrorKind::PermissionDenied, std::move(msg), {}, "policy_denied");
  }
  if (ctx.policy.require_approval) {
    return fail(ErrorKind::PermissionDenied,
                "Policy rule '" + std::string(ctx.policy.approval_rule) +
                    "' requires human approval, which a direct API call cannot wait for: run "
                    "it as a workflow with an approval step",
                {}, "approval_required");
  }
  if (!ctx.policy.mask.empty()) return mask_request(ctx);
  return {};
}

Result<void> PolicyStage::mask_request(RequestContext& ctx) const {
  const governance::Scanner* scanner = ctx.snapshot->dlp.get();
  if (scanner == nullptr) return {};  // no scanner, no findings: nothing to mask
  thread_local governance::DlpScratch scratch;
  thread_local std::vector<governance::Finding> found;
  std::string body = request_body(ctx);
  auto n = governance::mask_data_classes(*scanner, scratch, found, body, ctx.policy.mask, ctx.masked);
  if (!n) {
    return fail(ErrorKind::Internal, "The data-loss-prevention scan failed: " + n.error().message,
                {}, "dlp_failed");
  }
  if (*n == 0) return {};
  // Decoded again so that every later stage (and the egress codec, which forwards the
  // body) sees only the placeholders.
  if (auto masked = replace_body(ctx, std::move(body)); !masked) {
    // Fail closed: the values must not leave unmasked.
    return fail(ErrorKind::InvalidRequest,
                "The request could not be masked as policy requires (" + masked.error().message + ")",
                {}, "mask_failed");
  }
  return {};
}

}  // namespace sy::gateway
