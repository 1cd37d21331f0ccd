// ChatPipeline and EmbeddingsPipeline: the request path of a chat completion and of an
// embeddings call, each as one visible list of stages (DESIGN.md, "One request, end to
// end"). They share every stage but decode and dispatch. Stateless and immutable: one
// instance per worker, shared by that worker's requests.
#pragma once

#include "gateway/admit_stage.h"
#include "gateway/context.h"
#include "gateway/budget_stage.h"
#include "gateway/classify_stage.h"
#include "gateway/decode_stage.h"
#include "gateway/dispatch_stage.h"
#include "gateway/embed_decode_stage.h"
#include "gateway/embed_dispatch_stage.h"
#include "gateway/identify_stage.h"
#include "gateway/inspect_stage.h"
#include "gateway/policy_stage.h"
#include "gateway/record_stage.h"
#include "gateway/respond_stage.h"
#include "gateway/route_stage.h"
#include "gateway/settle_stage.h"

namespace sy::gateway {

class ChatPipeline {
 public:
  http::Task<void> run(RequestContext& ctx) const;

 private:
  AdmitStage admit_;
  DecodeStage decode_;
  IdentifyStage identify_;
  InspectStage inspect_;
  ClassifyStage classify_;
  PolicyStage policy_;
  RouteStage route_;
  BudgetStage budget_;
  DispatchStage dispatch_;
  SettleStage settle_;
  RecordStage record_;
  RespondStage respond_;
};

class EmbeddingsPipeline {
 public:
  http::Task<void> run(RequestContext& ctx) const;

 private:
  AdmitStage admit_;
  EmbedDecodeStage decode_;
  IdentifyStage identify_;
  InspectStage inspect_;
  PolicyStage policy_;
  RouteStage route_;
  BudgetStage budget_;
  EmbedDispatchStage dispatch_;
  SettleStage settle_;
  RecordStage record_;
  RespondStage respond_;
};

// Records that the request ended with `error` (status, message) for record and respond.
void note_failure(RequestContext& ctx, Error error);

}  // namespace sy::gateway
