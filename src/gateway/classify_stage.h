// ClassifyStage: what the router and the policies know about a request beyond its shape.
// Reads the caller's routing hints from the x-switchyard-task, -quality, -max-cost and
// -max-latency-ms headers (a malformed one is a 400 naming it), then — only when a route
// the request can reach or a policy needs it, and the caller did not say — predicts the
// task type and difficulty of the last user message with the snapshot's classifier
// (a few microseconds, no I/O, no allocation).
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class ClassifyStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

// The hints of `exchange`'s headers (exposed for tests).
Result<routing::Hints> read_hints(const http::Exchange& exchange);

}  // namespace sy::gateway
