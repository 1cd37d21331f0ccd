// DecodeStage: ingress codec. Turns the client's request body into the canonical
// ChatRequest (OpenAI Chat Completions today), or a 400 naming the bad field.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class DecodeStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
