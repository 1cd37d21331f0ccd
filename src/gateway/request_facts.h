// Request facts: what the stages shared by the chat and the embeddings pipelines (inspect,
// policy, route, budget, record) read about the request, whichever API it came in
// through — a chat request (ctx.request) or an embeddings request (ctx.embedding), told
// apart by ctx.ingress.kind. Keeping these few reads here lets one stage object serve
// both pipelines. Pure functions over the context; not thread-safe (like the context).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/context.h"
#include "routing/requirements.h"

namespace sy::gateway {

inline bool is_embedding(const RequestContext& ctx) {
  return ctx.ingress.kind == DeploymentKind::Embedding;
}

// The model (deployment or route name) the client asked for.
std::string_view requested_model(const RequestContext& ctx);

// Calls `f(std::string_view)` with each text the DLP scan reads: every message's text, or
// every embeddings input.
template <class F>
void for_each_text(const RequestContext& ctx, F&& f) {
  if (is_embedding(ctx)) {
    for (const auto& in : ctx.embedding.inputs) f(std::string_view(in));
  } else {
    for (const auto& m : ctx.request.messages) f(std::string_view(m.text));
  }
}

// The body as the client sent it (once a policy masked it, as masked); empty until the
// request was decoded.
const std::string& request_body(const RequestContext& ctx);

// Decodes `body` (the client's body with values masked) in place of the request, so that
// every later stage sees only the masked text. A 400 when it no longer decodes.
Result<void> replace_body(RequestContext& ctx, std::string body);

// What the request needs from a deployment (routing/requirements.h). For embeddings: the
// largest input's token estimate (an embedding model's context window bounds each input,
// not the batch), nothing else.
routing::Needs request_needs(const RequestContext& ctx);

// Input tokens, over-estimated (for the worst-case cost the budget stage reserves).
uint64_t input_tokens_upper_bound(const RequestContext& ctx);

// Output tokens the request may produce on `d`, given `input` tokens in (0 for embeddings).
uint64_t output_tokens_upper_bound(const RequestContext& ctx, const providers::Deployment& d,
                                   uint64_t input);

// Input tokens of an embeddings request as routing::estimate_tokens counts them (errs
// high), for a provider that reports no usage.
uint32_t estimated_embedding_tokens(const model::EmbeddingRequest& req);

}  // namespace sy::gateway
