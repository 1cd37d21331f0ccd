// RequestContext: the state of one gateway request as it moves through the pipeline's
// stages (see pipeline.h). Each stage reads what earlier stages wrote and adds its own
// part. Lives in the request's coroutine frame; not thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gateway/snapshot.h"
#include "http/client.h"
#include "http/exchange.h"
#include "model/chat.h"
#include "routing/route_decision.h"

namespace sy::gateway {

// Per-worker state handed to every request on that worker's thread.
struct WorkerState {
  explicit WorkerState(boost::asio::io_context& ctx) : context(ctx), pool(ctx) {}
  boost::asio::io_context& context;
  http::UpstreamPool pool;
  SnapshotPtr snapshot;  // replaced by posting to this worker on reload
};

// One upstream attempt, for the x-switchyard-attempts header and the access log.
struct Attempt {
  std::string deployment;
  std::string outcome;  // "ok", an HTTP status, or a transport failure name
  uint32_t ms = 0;
};

struct RequestContext {
  RequestContext(http::Exchange& ex, WorkerState& w)
      : exchange(ex), worker(w), snapshot(w.snapshot), started(std::chrono::steady_clock::now()) {}

  http::Exchange& exchange;
  WorkerState& worker;
  SnapshotPtr snapshot;
  std::chrono::steady_clock::time_point started;
  std::string request_id;

  model::ChatRequest request;                     // decode
  routing::RouteDecision decision;                // route
  std::vector<Attempt> attempts;                  // dispatch
  const providers::Deployment* served_by = nullptr;
  model::Usage usage;
  double cost_usd = 0;                            // settle
  std::optional<uint32_t> retry_after_s;          // when every deployment was rate-limited
  unsigned status = 0;                            // what the client got
  std::string error;                              // why it failed, when it did

  // Headers every response of this request carries.
  std::vector<http::HeaderField> response_headers() const;
};

}  // namespace sy::gateway
