// IdentifyStage: who is calling. Turns the Authorization header into a Principal through
// the Authenticator (virtual keys and OIDC JWTs, from in-memory snapshots: never
// blocks), then checks that the principal may call models (RBAC). With auth.require
// off, a request without credentials — or with foreign ones, such as a provider key an
// SDK sends by habit — goes on as the anonymous principal; with it on, it gets a 401.
// Credentials recognisably this gateway's (Authenticator::recognises) that fail get a
// 401 either way. A request made in process with a preset principal (a workflow step,
// gateway/local_call.h) is that principal, still checked by RBAC.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class IdentifyStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
