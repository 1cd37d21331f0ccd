#include "gateway/embed_dispatch_stage.h"

#include "gateway/attempt.h"
#include "gateway/request_facts.h"
#include "protocols/embeddings.h"

namespace sy::gateway {
namespace {

namespace emb = protocols::embeddings;

constexpr size_t kMaxResponseBytes = 64u << 20;

Outcome malformed(const providers::Deployment& dep, const Error& e) {
  return retry("malformed", Error::make(ErrorKind::UpstreamError,
                                        "deployment " + dep.name() + ": " + e.message));
}

// The deployment's API cannot carry this request (token inputs to Gemini, dimensions
// Titan does not offer, …); another deployment's may. A 400 when none can.
Outcome unsupported(const providers::Deployment& dep, const Error& e) {
  Error err = e;
  err.message = "deployment " + dep.name() + ": " + e.message;
  return Outcome{Outcome::SkipDeployment, "unsupported", std::move(err), {}};
}

// One upstream call with `body`; on a 2xx answer its body is left in `answer` and the
// outcome is Delivered (the call's, not yet the request's).
http::Task<Outcome> call_once(RequestContext& ctx, const providers::Deployment& dep,
                              std::string body, std::string& answer) {
  const providers::Provider& provider = *dep.provider;
  auto outgoing = provider.embeddings_request(std::move(body), dep.upstream_model());
  if (!outgoing) {
    co_return Outcome{Outcome::SkipDeployment, "unsigned",
                      Error::make(ErrorKind::UpstreamError,
                                  "deployment " + dep.name() + ": " + outgoing.error().message),
                      {}};
  }
  http::UpstreamCall call(ctx.worker.pool, provider.target(), provider.deadlines());
  CancelOnDisconnect guard(ctx.exchange, call);
  auto head = co_await call.send(std::move(*outgoing));
  if (!head) co_return from_transport(head.error(), dep);
  if (head->status < 200 || head->status >= 300) {
    co_return co_await read_error_answer(call, dep, *head);
  }
  auto got = co_await call.read_body(kMaxResponseBytes);
  if (!got) co_return from_transport(got.error(), dep);
  answer = std::move(*got);
  co_return delivered();
}

// Titan Text Embeddings takes one input per call: the calls go one after the other.
http::Task<Outcome> titan_calls(RequestContext& ctx, const providers::Deployment& dep,
                                Result<model::EmbeddingResponse>& out) {
  const model::EmbeddingRequest& req = ctx.embedding;
  std::vector<emb::bedrock::TitanAnswer> answers;
  std::string raw;
  for (size_t i = 0; i < req.input_count(); ++i) {
    auto body = emb::bedrock::titan_encode_request(req, i, dep.upstream_model());
    if (!body) co_return unsupported(dep, body.error());
    Outcome o = co_await call_once(ctx, dep, std::move(*body), raw);
    if (o.kind != Outcome::Delivered) co_return o;
    auto answer = emb::bedrock::titan_decode_response(raw);
    if (!answer) co_return malformed(dep, answer.error());
    answers.push_back(std::move(*answer));
  }
  out = emb::bedrock::titan_assemble(std::move(answers), req.input_count(), dep.upstream_model());
  co_return delivered();
}

// One call in the deployment's format (every target but Titan takes the batch at once).
http::Task<Outcome> batch_call(RequestContext& ctx, const providers::Deployment& dep,
                               Result<model::EmbeddingResponse>& out) {
  const model::EmbeddingRequest& req = ctx.embedding;
  const std::string& upstream = dep.upstream_model();
  const size_t n = req.input_count();
  const ProviderType type = dep.provider->config().type;
  Result<std::string> body = type == ProviderType::Gemini ? emb::gemini::encode_request(req, upstream)
                             : type == ProviderType::Bedrock
                                 ? emb::bedrock::cohere_encode_request(req, upstream)
                                 : Result<std::string>(emb::openai::forward_request(req, upstream));
  if (!body) co_return unsupported(dep, body.error());
  std::string raw;
  Outcome o = co_await call_once(ctx, dep, std::move(*body), raw);
  if (o.kind != Outcome::Delivered) co_return o;
  out = type == ProviderType::Gemini    ? emb::gemini::decode_response(raw, n, upstream)
        : type == ProviderType::Bedrock ? emb::bedrock::cohere_decode_response(raw, n, upstream)
                                        : emb::openai::decode_response(raw, n);
  co_return delivered();
}

http::Task<Outcome> attempt(RequestContext& ctx, const providers::Deployment& dep) {
  const ProviderType type = dep.provider->config().type;
  if (type == ProviderType::Anthropic) {
    co_return unsupported(dep, Error::make(ErrorKind::InvalidRequest,
                                           "Anthropic has no embeddings API"));
  }
  bool titan = false;
  if (type == ProviderType::Bedrock) {
    auto family = emb::bedrock::family_of(dep.upstream_model());
    if (!family) co_return unsupported(dep, family.error());
    titan = *family == emb::bedrock::Family::Titan;
  }
  Result<model::EmbeddingResponse> answer = fail(ErrorKind::UpstreamError, "no answer");
  Outcome o;
  if (titan) {
    o = co_await titan_calls(ctx, dep, answer);
  } else {
    o = co_await batch_call(ctx, dep, answer);
  }
  if (o.kind != Outcome::Delivered) co_return o;
  if (!answer) co_return malformed(dep, answer.error());

  ctx.usage = answer->usage;
  ctx.usage.output_tokens = 0;
  if (!ctx.usage.reported) {
    // Gemini and Cohere say nothing: the estimate is billed and shown instead.
    ctx.usage.input_tokens = estimated_embedding_tokens(ctx.embedding);
    ctx.usage_estimated = true;
    answer->usage.input_tokens = ctx.usage.input_tokens;
  }
  if (answer->model.empty()) answer->model = dep.upstream_model();
  ctx.served_by = &dep;
  ctx.attempts.back().outcome = "ok";
  ctx.status = 200;
  http::Response r;
  r.body = emb::openai::encode_response(*answer, ctx.embedding.encoding_format);
  r.headers = ctx.response_headers();
  ctx.answer = std::move(r);  // sent by the respond stage, once recorded
  co_return delivered();
}

}  // namespace

http::Task<Result<void>> EmbedDispatchStage::run(RequestContext& ctx) const {
  return dispatch_with_fallback(ctx, &attempt);
}

}  // namespace sy::gateway
