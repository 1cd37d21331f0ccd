// EmbedDecodeStage: the embeddings ingress. Turns the client's `POST /v1/embeddings`
// body (OpenAI's shape) into ctx.embedding, or a 400 naming the bad field.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class EmbedDecodeStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
