// Endpoints: a group of HTTP endpoints served beside the model API under one path
// prefix — the admin API, later the dashboard. Whoever composes the gateway (the CLI)
// plugs them in, so the gateway never depends on the modules that implement them.
// One instance serves every worker: implementations must be thread-safe.
#pragma once

#include <string_view>

#include "gateway/context.h"

namespace sy::gateway {

// What an endpoint group gets for one request: the exchange, the request id the
// response must carry, the worker's snapshot and audit writer.
struct EndpointRequest {
  http::Exchange& exchange;
  const std::string& request_id;
  const Snapshot& snapshot;
  audit::AuditWriter* audit;  // null when the audit trail is disabled
  std::chrono::system_clock::time_point received;
};

class Endpoints {
 public:
  virtual ~Endpoints() = default;
  // Requests whose path starts with this prefix ("/admin/") are handed to handle().
  virtual std::string_view prefix() const = 0;
  virtual http::Task<void> handle(EndpointRequest request) = 0;
};

}  // namespace sy::gateway
