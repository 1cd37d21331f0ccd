#include "gateway/request_facts.h"

#include <algorithm>

#include "protocols/embeddings.h"

namespace sy::gateway {
namespace {

// Output tokens assumed when the client sets no max_tokens and the deployment states no
// context window: a bound, so that an unlimited request still reserves something real.
constexpr uint32_t kDefaultMaxOutput = 4'096;

const std::string kNoBody;

}  // namespace

std::string_view requested_model(const RequestContext& ctx) {
  return is_embedding(ctx) ? ctx.embedding.model : ctx.request.model;
}

const std::string& request_body(const RequestContext& ctx) {
  if (is_embedding(ctx)) return ctx.embedding.raw_body;
  // Only a decoded request has messages (the decoder requires one).
  return ctx.request.messages.empty() ? kNoBody : ctx.request.raw_body;
}

Result<void> replace_body(RequestContext& ctx, std::string body) {
  if (is_embedding(ctx)) {
    auto decoded = protocols::embeddings::openai::decode_request(std::move(body));
    if (!decoded) return std::unexpected(std::move(decoded.error()));
    ctx.embedding = std::move(*decoded);
    return {};
  }
  auto decoded = ctx.ingress.codec->decode_ingress(std::move(body));
  if (!decoded) return std::unexpected(std::move(decoded.error()));
  ctx.request = std::move(*decoded);
  return {};
}

routing::Needs request_needs(const RequestContext& ctx) {
  if (!is_embedding(ctx)) return routing::needs_of(ctx.request);
  routing::Needs n;
  for (const auto& in : ctx.embedding.inputs) {
    n.input_tokens = std::max(n.input_tokens, routing::estimate_tokens(in));
  }
  return n;
}

uint64_t input_tokens_upper_bound(const RequestContext& ctx) {
  // A token is at least ~3 bytes of English or code, plus a few tokens of framing.
  uint64_t bytes = 0;
  if (is_embedding(ctx)) {
    const model::EmbeddingRequest& req = ctx.embedding;
    // Token arrays: a token takes at least two bytes of JSON ("7,").
    if (req.token_inputs != 0) return req.raw_body.size() / 2 + 8;
    for (const auto& in : req.inputs) bytes += in.size() + 3;
    return bytes / 3 + 8;
  }
  for (const auto& m : ctx.request.messages) bytes += m.text.size() + 16;
  return bytes / 3 + 8;
}

uint64_t output_tokens_upper_bound(const RequestContext& ctx, const providers::Deployment& d,
                                   uint64_t input) {
  if (is_embedding(ctx)) return 0;
  uint64_t out = ctx.request.max_tokens ? *ctx.request.max_tokens : 0;
  const uint32_t window = d.config->context_window;
  if (out == 0) out = window > input ? window - input : kDefaultMaxOutput;
  return out;
}

uint32_t estimated_embedding_tokens(const model::EmbeddingRequest& req) {
  uint64_t n = 0;
  for (const auto& in : req.inputs) n += routing::estimate_tokens(in);
  return static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX));
}

}  // namespace sy::gateway
