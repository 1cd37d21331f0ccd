// AdminApi: the admin HTTP API under /admin/v1 — spend and audit queries, the latest
// signed checkpoint, teams, projects and virtual keys (identity_admin.h), and the
// policies in force (policy_admin.h).
//
// Authentication: the bootstrap admin key of the config (admin.api_key) as a bearer
// token, compared in constant time, acts as org-admin; with an Authenticator, virtual
// keys and JWTs are accepted too and RBAC (governance/rbac.h) decides what each may do
// (an auditor: only the spend and audit GETs). With neither configured the API answers
// 404. Every call, allowed or refused, is itself an audit record (kind "admin") naming
// the principal.
//
// Database queries block, so they run on the API's own small thread pool, each thread
// with its own store connection; a gateway worker only awaits the result.
// Thread-safe: one instance serves every worker.
#pragma once

#include <memory>
#include <string>

#include "admin/policy_control.h"
#include "gateway/endpoints.h"
#include "governance/authenticator.h"

namespace sy::admin {

class AdminApi final : public gateway::Endpoints {
 public:
  // `storage_url` names the store the queries read (the config's storage.url).
  // `auth` (may be null) authenticates callers other than the admin key and has its key
  // snapshot reloaded after key changes. `policies` (may be null: the policies can then
  // be read and dry-run but not changed) sets and reverts the policies in force.
  explicit AdminApi(std::string storage_url,
                    std::shared_ptr<governance::Authenticator> auth = nullptr,
                    unsigned threads = 2, std::shared_ptr<PolicyControl> policies = nullptr);
  ~AdminApi() override;

  std::string_view prefix() const override { return "/admin/"; }
  http::Task<void> handle(gateway::EndpointRequest request) override;

 private:
  struct Pool;
  std::string storage_url_;
  std::shared_ptr<governance::Authenticator> auth_;
  std::shared_ptr<PolicyControl> policies_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace sy::admin
