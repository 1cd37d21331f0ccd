#include "gateway/admit_stage.h"

namespace sy::gateway {

Result<void> AdmitStage::run(RequestContext& ctx) const {
  audit::AuditWriter* audit = ctx.worker.audit;
  if (audit == nullptr) return {};
  ctx.audit_slot = audit->try_reserve();
  if (!ctx.audit_slot) {
    return fail(ErrorKind::Unavailable,
                audit->healthy() ? "the audit trail is behind; retry shortly"
                                 : "the audit trail cannot be written; requests are refused "
                                   "until an operator fixes it",
                {}, "audit_unavailable");
  }
  return {};
}

}  // namespace sy::gateway
