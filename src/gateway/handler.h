// GatewayHandler: the gateway's HTTP endpoints on one worker — chat completions
// through the ChatPipeline, embeddings through the EmbeddingsPipeline, model listing, health and readiness, and the extra endpoint
// groups (admin API) plugged in at start. One per worker
// thread (http::Server creates it), holding that worker's state; no locks.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "gateway/context.h"
#include "gateway/endpoints.h"
#include "gateway/pipeline.h"
#include "http/exchange.h"

namespace sy::gateway {

class GatewayHandler final : public http::Handler {
 public:
  GatewayHandler(WorkerState& worker, const std::atomic<bool>& draining,
                 const std::vector<std::shared_ptr<Endpoints>>& extra)
      : worker_(worker), draining_(draining), extra_(extra) {}

  http::Task<void> handle(http::Exchange& exchange) override;

 private:
  WorkerState& worker_;
  const std::atomic<bool>& draining_;
  const std::vector<std::shared_ptr<Endpoints>>& extra_;  // the gateway's, outlives this
  ChatPipeline chat_;
  EmbeddingsPipeline embeddings_;
};

}  // namespace sy::gateway
