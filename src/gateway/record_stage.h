// RecordStage: writes down what happened to the request — one access-log line through
// the asynchronous logger, and one audit record handed to the audit writer. In sync
// audit mode it waits until the record is on disk; if it cannot be written the client
// gets a 503 instead of its answer, because an unrecorded answer must not be
// acknowledged. (Metrics attach here.)
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class RecordStage {
 public:
  http::Task<void> run(RequestContext& ctx) const;
};

// Fills `r` (a cleared record, usually the one in the request's audit slot) with the
// audit record of a finished request.
void fill_audit_record(const RequestContext& ctx, audit::AuditRecord& r);

}  // namespace sy::gateway
