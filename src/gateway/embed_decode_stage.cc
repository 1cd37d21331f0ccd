#include "gateway/embed_decode_stage.h"

#include "protocols/embeddings.h"

namespace sy::gateway {

Result<void> EmbedDecodeStage::run(RequestContext& ctx) const {
  auto request = protocols::embeddings::openai::decode_request(ctx.exchange.take_body());
  if (!request) return std::unexpected(std::move(request.error()));
  ctx.embedding = std::move(*request);
  return {};
}

}  // namespace sy::gateway
