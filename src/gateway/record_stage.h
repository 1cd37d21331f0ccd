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

// The audit record of a finished request.
audit::AuditRecord audit_record(const RequestContext& ctx);

}  // namespace sy::gateway
