// RespondStage: sends what the client is owed, once the request is recorded — the held
// whole answer, the stream's held-back last event ("data: [DONE]", "message_stop"), or
// the error in the client's protocol. Nothing is sent to a client that has gone away.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class RespondStage {
 public:
  http::Task<void> run(RequestContext& ctx) const;
};

// An error as an in-band stream event, for a stream whose status was already sent.
std::string sse_error_event(const RequestContext& ctx, const Error& error);

// Sends `error` to the client in its protocol's error envelope (if nothing was sent yet).
http::Task<void> respond_error(RequestContext& ctx, const Error& error);

}  // namespace sy::gateway
