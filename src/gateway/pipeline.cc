#include "gateway/pipeline.h"

namespace sy::gateway {

http::Task<void> ChatPipeline::run(RequestContext& ctx) const {
  // The request path, in order. Each stage has one job and reads only the context.
  Result<void> r = admit_.run(ctx);                // audit queue slot, or 503
  if (r) r = decode_.run(ctx);                     // ingress codec → canonical request
  if (r) r = identify_.run(ctx);                   // key or JWT → principal (401/403)
  if (r) r = inspect_.run(ctx);                    // DLP → data classes found
  if (r) r = classify_.run(ctx);                   // hints; task type and difficulty when needed
  if (r) r = policy_.run(ctx);                     // policies → deny (403) or restrictions
  if (r) r = route_.run(ctx);                      // candidates ∩ key ∩ policy → ordered deployments
  if (r) r = co_await budget_.run(ctx);            // rate limits; worst-case cost reserved (429)
  if (r) r = co_await dispatch_.run(ctx);          // provider calls, fallback; answer held
  settle_.run(ctx);                                // usage → cost; budget hold settled
  if (!r) note_failure(ctx, std::move(r.error()));
  co_await record_.run(ctx);                       // access log, audit trail (sync: durable)
  co_await respond_.run(ctx);                      // the held answer or the error
}

http::Task<void> EmbeddingsPipeline::run(RequestContext& ctx) const {
  // The chat list with the embeddings decode and dispatch; no stream, nothing to unmask.
  Result<void> r = admit_.run(ctx);                // audit queue slot, or 503
  if (r) r = decode_.run(ctx);                     // OpenAI embeddings body → ctx.embedding
  if (r) r = identify_.run(ctx);                   // key or JWT → principal (401/403)
  if (r) r = inspect_.run(ctx);                    // DLP over each input → data classes found
  if (r) r = policy_.run(ctx);                     // deny (403), restrictions, masked inputs
  if (r) r = route_.run(ctx);                      // embedding deployments ∩ key ∩ policy, health
  if (r) r = co_await budget_.run(ctx);            // rate limits; input tokens × price reserved
  if (r) r = co_await dispatch_.run(ctx);          // provider calls, fallback; answer held
  settle_.run(ctx);                                // input tokens (reported or estimated) → cost
  if (!r) note_failure(ctx, std::move(r.error()));
  co_await record_.run(ctx);                       // access log, audit trail
  co_await respond_.run(ctx);                      // vectors in OpenAI's shape, or the error
}

void note_failure(RequestContext& ctx, Error error) {
  ctx.error = error.message;
  if (ctx.exchange.client_gone() && !ctx.exchange.responded()) {
    ctx.status = 499;  // nginx's "client closed request"
  } else if (!ctx.stream_open) {
    ctx.status = static_cast<unsigned>(error.status);
  }
  ctx.failure = std::move(error);
}

}  // namespace sy::gateway
