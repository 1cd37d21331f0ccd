#include "gateway/deliver.h"

#include "gateway/egress.h"
#include "protocols/openai_chat.h"

namespace sy::gateway {
namespace {

constexpr size_t kMaxResponseBytes = 64u << 20;

Outcome malformed(const providers::Deployment& dep, const Error& e) {
  return retry("malformed", Error::make(ErrorKind::UpstreamError,
                                        "deployment " + dep.name() + ": " + e.message));
}

std::string text_of(const model::Response& r) {
  std::string text;
  for (const auto& p : r.content) {
    if (p.kind == model::Part::Kind::Text) text += p.text;
  }
  return text;
}

}  // namespace

http::Task<Outcome> deliver_whole(RequestContext& ctx, http::UpstreamCall& call,
                                  const providers::Deployment& dep) {
  auto body = co_await call.read_body(kMaxResponseBytes);
  if (!body) co_return from_transport(body.error(), dep);
  const protocols::Codec& egress = dep.provider->codec();
  http::Response r;
  std::optional<model::Response> decoded;  // when the checks need the answer's text
  if (same_protocol(ctx, dep) && egress.protocol() == model::Protocol::OpenAIChat && !ctx.check_answer) {
    // The common case: forwarded as it came, only usage read from it.
    auto usage = protocols::openai_chat::decode_response_usage(*body);
    if (!usage) co_return malformed(dep, usage.error());
    ctx.usage = *usage;
    r.body = std::move(*body);
  } else {
    auto answer = egress.decode_response(*body);
    if (!answer) co_return malformed(dep, answer.error());
    ctx.usage = answer->usage;
    if (ctx.check_answer) decoded = *answer;
    if (same_protocol(ctx, dep)) {
      r.body = std::move(*body);
    } else {
      auto encoded = ctx.ingress.codec->encode_response(*answer);
      if (!encoded) {
        co_return retry("untranslatable",
                        Error::make(ErrorKind::UpstreamError, "deployment " + dep.name() +
                                                                  ": its answer cannot be given in " +
                                                                  std::string(ctx.ingress.codec->name()) +
                                                                  ": " + encoded.error().message));
      }
      r.body = std::move(*encoded);
    }
  }
  // Values a policy masked on the way out come back in the answer.
  if (!ctx.masked.empty()) governance::restore_masked(r.body, ctx.masked, /*json_escape=*/true);
  if (decoded) {
    const model::Usage usage = ctx.usage;
    if (auto failed = check(ctx, dep, text_of(*decoded))) {
      ctx.rejected = RequestContext::Rejected{&dep, usage, std::move(r), {}, {}};
      co_return std::move(*failed);
    }
  }
  ctx.served_by = &dep;
  ctx.attempts.back().outcome = "ok";
  ctx.status = 200;
  r.headers = ctx.response_headers();
  ctx.answer = std::move(r);  // sent by the respond stage, once recorded
  co_return delivered();
}

}  // namespace sy::gateway
