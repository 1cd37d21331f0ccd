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

// Cascade routes with a json_schema check: compiles the request's response_format schema
// into ctx.schema_check (nothing when the request has none). A schema the validator
// cannot check is a 400 — the check is never skipped silently.
Result<void> prepare_schema_check(RequestContext& ctx);

// Cascade routes (ctx.check_answer): runs the route's checks on the text of `dep`'s answer.
// Nothing when it passes; else the answer's usage moves to ctx.rejected_* (it is paid for)
// and the Outcome escalates to the next target, naming the check.
std::optional<Outcome> check(RequestContext& ctx, const providers::Deployment& dep, std::string_view text);

// After every attempt failed: the last answer a cascade check rejected, if there is one,
// becomes the answer (better than none). True when it did.
http::Task<bool> deliver_rejected(RequestContext& ctx);

}  // namespace sy::gateway
