// The identity part of the admin API: /admin/v1/teams, /admin/v1/projects and
// /admin/v1/keys (create — the only time the secret is shown —, list, get, revoke),
// each authorised with RBAC against the calling principal. Runs on an admin pool thread
// with that thread's store connection (blocking I/O). After a key change it reloads the
// authenticator's key snapshot, so this replica sees the change at once (others within
// auth.key_refresh_ms). Stateless functions; thread-safe given one store per thread.
#pragma once

#include <optional>
#include <string>

#include "admin/reply.h"
#include "core/url.h"
#include "governance/authenticator.h"
#include "governance/principal.h"
#include "store/store.h"

namespace sy::admin {

struct IdentityCall {
  std::string method;  // "GET", "POST", "DELETE"
  RequestTarget target;
  std::string body;
};

// The audit action name of an identity call ("admin.keys.create", …), or nullopt when
// the path is not an identity endpoint.
std::optional<std::string> identity_action(const std::string& method, const std::string& path);

// Answers an identity call. `auth` may be null (no authenticator to refresh).
Reply answer_identity(store::Store& db, const governance::Principal& who, const IdentityCall& call,
                      governance::Authenticator* auth);

}  // namespace sy::admin
