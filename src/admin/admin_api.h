// AdminApi: the admin HTTP API under /admin/v1 — spend and audit queries and the
// latest signed checkpoint. (Keys, teams and roles arrive with identity and RBAC.)
//
// Authentication: the bootstrap admin key of the config (admin.api_key) as a bearer
// token, compared in constant time; with no key configured the API answers 404. Every
// call, allowed or refused, is itself an audit record (kind "admin").
//
// Database queries block, so they run on the API's own small thread pool, each thread
// with its own store connection; a gateway worker only awaits the result.
// Thread-safe: one instance serves every worker.
#pragma once

#include <memory>
#include <string>

#include "gateway/endpoints.h"

namespace sy::admin {

class AdminApi final : public gateway::Endpoints {
 public:
  // `storage_url` names the store the queries read (the config's storage.url).
  explicit AdminApi(std::string storage_url, unsigned threads = 2);
  ~AdminApi() override;

  std::string_view prefix() const override { return "/admin/"; }
  http::Task<void> handle(gateway::EndpointRequest request) override;

 private:
  struct Pool;
  std::string storage_url_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace sy::admin
