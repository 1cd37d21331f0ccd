// The policies part of the admin API (docs/http-api.md, docs/policies.md):
//   GET    /admin/v1/policies           the policies in force: source, version, text, rule ids
//   PUT    /admin/v1/policies           set them (YAML, or JSON with content-type
//                                       application/json); If-Match: <version> → 412 if stale
//   DELETE /admin/v1/policies           revert to the config file's (also a version)
//   GET    /admin/v1/policies/history   the stored versions, newest first (?limit=)
//   POST   /admin/v1/policies/test      dry-run {request, principal?, task?, data_classes?}
// Authorised with RBAC (ReadPolicies, ManagePolicies). Runs on an admin pool thread with
// that thread's store connection. Stateless functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "admin/policy_control.h"
#include "admin/reply.h"
#include "gateway/snapshot.h"
#include "governance/principal.h"
#include "store/store.h"

namespace sy::admin {

struct PolicyCall {
  std::string action;       // from policy_action()
  std::string query_limit;  // ?limit= of the history ("" when absent)
  std::string body;
  std::string content_type;
  std::string if_match;  // "" when absent
};

// The audit action name ("admin.policies.get", ".put", ".revert", ".history", ".test"), or
// nullopt when the method and path are not a policies endpoint.
std::optional<std::string> policy_action(const std::string& method, const std::string& path);
// Whether `path` is a policies endpoint for some method (for 405 rather than 404).
bool is_policy_path(const std::string& path);

// Answers a policies call. `control` may be null (the policies are then the config's and
// cannot be changed: 404 for changes); `snapshot` is the requesting worker's, used by the
// dry run. Changes put {"version","sha256","source"} in reply.audit_detail.
Reply answer_policies(store::Store& db, const governance::Principal& who, const PolicyCall& call,
                      PolicyControl* control, const gateway::Snapshot& snapshot);

}  // namespace sy::admin
