#include "gateway/decode_stage.h"


namespace sy::gateway {

Result<void> DecodeStage::run(RequestContext& ctx) const {
  // The body must be JSON whatever the content-type says (curl -d sends a form type).
  auto request = ctx.ingress.codec->decode_ingress(ctx.exchange.take_body());
  if (!request) return std::unexpected(std::move(request.error()));
  ctx.request = std::move(*request);
  return {};
}

}  // namespace sy::gateway
