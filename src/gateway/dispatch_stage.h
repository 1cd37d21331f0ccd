// DispatchStage: sends the request to the decision's deployments in turn and delivers
// the answer to the client. For each attempt it encodes the request for the provider,
// calls it through the worker's connection pool under the provider's deadlines, and
// classifies the outcome: success, a failure worth another attempt (connect error,
// timeout, 429, 5xx, an unusable deployment, a malformed answer) or a final one (the
// client's own 4xx). Retries of one deployment back off with full jitter (honouring
// retry-after); moving to the next deployment is immediate. A streamed answer is
// forwarded event by event; fallback stays possible until the first byte reaches the
// client. A client that disconnects cancels the upstream call.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class DispatchStage {
 public:
  http::Task<Result<void>> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
