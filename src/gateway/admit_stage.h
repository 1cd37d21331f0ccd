// AdmitStage: decides whether the gateway can take the request at all. It reserves the
// request's slot in the audit queue up front, so that a request that is let in can
// always be recorded: when the queue is full (the disk cannot keep up) or the audit log
// is failing, the request is refused with a retryable 503 before any model is called.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class AdmitStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
