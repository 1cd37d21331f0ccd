#include "gateway/identify_stage.h"

#include "core/time_spec.h"
#include "governance/authenticator.h"
#include "governance/rbac.h"

namespace sy::gateway {

Result<void> IdentifyStage::run(RequestContext& ctx) const {
  if (ctx.preset_principal != nullptr) {
    // Authenticated when the workflow run started; RBAC is checked again now.
    const governance::Principal& who = *ctx.preset_principal;
    if (who.id.empty()) return {};  // the run was started anonymously (auth.require off)
    if (auto allowed = governance::authorize(who, governance::Action::CallModel, who.team);
        !allowed) {
      return allowed;
    }
    ctx.principal = who;
    ctx.authenticated = true;
    return {};
  }
  const governance::Authenticator* auth = ctx.worker.auth;
  if (auth == nullptr) return {};
  std::string_view header = ctx.exchange.header("authorization");
  std::string bearer;
  if (header.empty()) {
    // Anthropic's SDKs send the key as x-api-key.
    if (const std::string_view key = ctx.exchange.header("x-api-key"); !key.empty()) {
      bearer = "Bearer ";
      bearer += key;
      header = bearer;
    }
  }
  if (header.empty()) {
    if (!auth->required()) return {};
    return fail(ErrorKind::Authentication,
                "Missing credentials: send 'Authorization: Bearer <key>' (or x-api-key) with a "
                "Switchyard key or an OIDC token",
                {}, "missing_api_key");
  }
  auto who = auth->authenticate_header(header, unix_now_ms());
  if (!who) {
    // Optional auth: a foreign token is anonymous. One of ours that fails (a revoked key,
    // an expired JWT of a configured issuer) is refused: it must not be served as
    // anonymous, out of reach of its key's limits.
    const std::string_view token = header.size() > 7 ? header.substr(7) : std::string_view();
    if (!auth->required() && !auth->recognises(token)) return {};
    return std::unexpected(std::move(who.error()));
  }
  if (auto allowed = governance::authorize(*who, governance::Action::CallModel, who->team);
      !allowed) {
    return allowed;
  }
  ctx.principal = std::move(*who);
  ctx.authenticated = true;
  return {};
}

}  // namespace sy::gateway
