// Egress: the request body for one deployment, in its provider's protocol. Same
// protocol as the client's: the client's body forwarded with the model replaced.
// Otherwise the request is decoded once into the canonical form (kept in the context
// for later attempts) and encoded for the provider; a feature the provider's protocol
// cannot express is a 400 naming it.
#pragma once

#include <string>

#include "gateway/context.h"

namespace sy::gateway {

Result<std::string> egress_body(RequestContext& ctx, const providers::Deployment& dep);

// Whether the deployment's answers can be forwarded to this client as they are.
inline bool same_protocol(const RequestContext& ctx, const providers::Deployment& dep) {
  return dep.provider->protocol() == ctx.ingress.codec->protocol();
}

}  // namespace sy::gateway
