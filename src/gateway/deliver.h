// Delivering a deployment's answer to the client, whole or streamed, in the client's
// protocol. When the deployment speaks the client's protocol the answer is forwarded as
// it came (usage read on the way); otherwise it is translated through the canonical
// model — a whole answer decoded and re-encoded, a stream event by event. Until the
// first byte reaches the client a bad answer is a retryable Outcome, so fallback stays
// invisible; after it, failures are reported in-band.
#pragma once

#include "gateway/attempt.h"
#include "gateway/context.h"

namespace sy::gateway {

http::Task<Outcome> deliver_whole(RequestContext& ctx, http::UpstreamCall& call,
                                  const providers::Deployment& dep);

http::Task<Outcome> deliver_stream(RequestContext& ctx, http::UpstreamCall& call,
                                   const providers::Deployment& dep);

}  // namespace sy::gateway
