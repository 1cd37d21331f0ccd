#include "gateway/egress.h"

namespace sy::gateway {

Result<std::string> egress_body(RequestContext& ctx, const providers::Deployment& dep) {
  if (same_protocol(ctx, dep)) {
    return ctx.ingress.codec->forward_request(ctx.request, dep.upstream_model());
  }
  if (!ctx.canonical) {
    auto full = ctx.ingress.codec->decode_request(ctx.request.raw_body);
    if (!full) return std::unexpected(std::move(full.error()));
    ctx.canonical = std::move(*full);
  }
  return dep.provider->codec().encode_request(*ctx.canonical, dep.upstream_model());
}

}  // namespace sy::gateway
