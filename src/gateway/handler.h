// GatewayHandler: the gateway's HTTP endpoints on one worker — chat completions
// through the ChatPipeline, model listing, health and readiness. One per worker
// thread (http::Server creates it), holding that worker's state; no locks.
#pragma once

#include <atomic>

#include "gateway/context.h"
#include "gateway/pipeline.h"
#include "http/exchange.h"

namespace sy::gateway {

class GatewayHandler final : public http::Handler {
 public:
  GatewayHandler(WorkerState& worker, const std::atomic<bool>& draining)
      : worker_(worker), draining_(draining) {}

  http::Task<void> handle(http::Exchange& exchange) override;

 private:
  WorkerState& worker_;
  const std::atomic<bool>& draining_;
  ChatPipeline chat_;
};

}  // namespace sy::gateway
