// Cascade checks on the dispatch path (deliver.h): an answer held for checking, rejected
// or kept, and the rejected answer delivered when nothing better came.
#include "gateway/deliver.h"

#include <algorithm>

#include "core/json_schema.h"

namespace sy::gateway {
namespace {

void add(model::Usage& into, const model::Usage& u) {
  into.input_tokens += u.input_tokens;
  into.output_tokens += u.output_tokens;
  into.cached_input_tokens += u.cached_input_tokens;
  into.reasoning_tokens += u.reasoning_tokens;
  into.reported = into.reported || u.reported;
}

void subtract(model::Usage& from, const model::Usage& u) {
  from.input_tokens -= std::min(from.input_tokens, u.input_tokens);
  from.output_tokens -= std::min(from.output_tokens, u.output_tokens);
  from.cached_input_tokens -= std::min(from.cached_input_tokens, u.cached_input_tokens);
  from.reasoning_tokens -= std::min(from.reasoning_tokens, u.reasoning_tokens);
}

}  // namespace

Result<void> prepare_schema_check(RequestContext& ctx) {
  if (ctx.checks == nullptr || !ctx.request.json_schema) return {};
  const bool wanted = std::any_of(ctx.checks->begin(), ctx.checks->end(),
                                  [](const CascadeCheck& c) { return c.kind == CascadeCheck::JsonSchema; });
  if (!wanted) return {};
  auto request = ctx.ingress.codec->decode_request(ctx.request.raw_body);
  if (!request) return std::unexpected(std::move(request.error()));
  const std::string& text = request->response_format.schema;
  if (request->response_format.kind != model::ResponseFormat::Kind::JsonSchema || text.empty()) return {};
  auto schema = JsonSchema::compile(text);
  if (!schema) {
    return fail(ErrorKind::InvalidRequest,
                "The route '" + ctx.decision.route +
                    "' checks answers against response_format's JSON schema, which cannot be checked: " +
                    schema.error().message,
                "response_format", "unsupported_schema");
  }
  ctx.schema_check = [s = std::move(*schema)](std::string_view answer) {
    auto errors = s.validate(answer);
    return errors.empty() ? std::string() : describe(errors);
  };
  return {};
}

std::optional<Outcome> check(RequestContext& ctx, const providers::Deployment& dep, std::string_view text) {
  if (!ctx.check_answer || ctx.checks == nullptr) return std::nullopt;
  auto failed = routing::run_checks(*ctx.checks, text, ctx.schema_check ? &ctx.schema_check : nullptr);
  if (!failed) return std::nullopt;
  if (ctx.usage.reported) ctx.rejected_cost_usd += providers::cost_usd(dep.config->price, ctx.usage);
  add(ctx.rejected_usage, ctx.usage);
  ctx.usage = {};
  return Outcome{Outcome::SkipDeployment, std::string("check_failed:") + failed->check,
                 Error::make(ErrorKind::UpstreamError, "deployment " + dep.name() +
                                                           ": its answer failed the cascade check " +
                                                           failed->check + ": " + failed->reason),
                 {}};
}

http::Task<bool> deliver_rejected(RequestContext& ctx) {
  if (!ctx.rejected) co_return false;
  RequestContext::Rejected r = std::move(*ctx.rejected);
  ctx.rejected.reset();
  // It is the answer now: paid as the served one, not as a rejected one.
  if (r.usage.reported) ctx.rejected_cost_usd -= providers::cost_usd(r.by->config->price, r.usage);
  subtract(ctx.rejected_usage, r.usage);
  ctx.usage = r.usage;
  ctx.served_by = r.by;
  ctx.status = 200;
  for (auto& a : ctx.attempts) {
    if (a.deployment == r.by->name() && a.outcome.starts_with("check_failed:")) a.outcome += "+served";
  }
  if (r.answer) {
    r.answer->headers = ctx.response_headers();
    ctx.answer = std::move(r.answer);
    co_return true;
  }
  ctx.stream_open = true;
  ctx.first_output = std::chrono::steady_clock::now();
  if (co_await ctx.exchange.begin_stream(200, "text/event-stream", ctx.response_headers())) {
    if (!r.stream.empty()) co_await ctx.exchange.write_chunk(r.stream);
  }
  ctx.stream_trailer = std::move(r.trailer);
  ctx.stream_complete = true;
  co_return true;
}

}  // namespace sy::gateway
