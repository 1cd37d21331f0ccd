// EmbedDispatchStage: sends an embeddings request to the decision's deployments in turn
// (the chat dispatch's loop: retries, backoff, health, fallback — attempt.h) and holds
// the answer in OpenAI's embeddings shape, with the vectors as the client asked
// (`encoding_format` float or base64). Per deployment: an OpenAI-compatible provider
// gets the client's body with only the model replaced; Gemini one batchEmbedContents
// call; Bedrock Cohere Embed one InvokeModel call; Bedrock Titan one InvokeModel call per
// input, in order. Every answer is decoded (its vector count checked) and re-encoded.
// When the provider reports no usage, the input tokens are estimated (errs high) and
// marked so (ctx.usage_estimated).
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class EmbedDispatchStage {
 public:
  http::Task<Result<void>> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
