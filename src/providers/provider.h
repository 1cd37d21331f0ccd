// Provider: an upstream API account compiled from its config — the endpoint, the auth
// scheme and the deadlines — and Deployment: one model at one provider. Both are
// immutable parts of a config snapshot, so they are safe to read from any thread.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/headroom.h"
#include "core/url.h"
#include "http/client.h"
#include "model/chat.h"
#include "protocols/codec.h"

namespace sy::providers {

class Provider {
 public:
  static Result<Provider> compile(const ProviderConfig& config);

  const ProviderConfig& config() const { return *config_; }
  const std::string& name() const { return config_->name; }
  const Endpoint& endpoint() const { return endpoint_; }
  http::UpstreamTarget target() const;
  http::Deadlines deadlines() const;

  // The wire protocol the provider speaks, and its codec.
  model::Protocol protocol() const { return codec_->protocol(); }
  const protocols::Codec& codec() const { return *codec_; }

  // The request to send for a chat call on `upstream_model`, with `body` already encoded
  // in the provider's protocol: path, auth and fixed headers added (Bedrock: signed with
  // SigV4 at this moment, which fails only for credentials config validation let pass).
  Result<http::OutgoingRequest> chat_request(std::string body, std::string_view upstream_model,
                                             bool stream) const;

  // The request to send for an embeddings call on `upstream_model`, `body` already encoded
  // for the provider (protocols/embeddings.h): OpenAI-compatible .../embeddings (Azure:
  // the deployment's embeddings path), Gemini :batchEmbedContents, Bedrock InvokeModel
  // (signed). Anthropic has no embeddings API: an error.
  Result<http::OutgoingRequest> embeddings_request(std::string body,
                                                   std::string_view upstream_model) const;

 private:
  // `body` POSTed to `target` (path and query) with SigV4 headers for Bedrock.
  Result<http::OutgoingRequest> signed_bedrock_request(std::string target, std::string body) const;

  const ProviderConfig* config_ = nullptr;
  const protocols::Codec* codec_ = nullptr;
  Endpoint endpoint_;
  std::vector<http::HeaderField> fixed_headers_;  // auth plus configured extras
};

// One model at one provider, with its catalog facts resolved: the deployment's own
// config first, then its model family's defaults (providers/model_family.h).
struct Deployment {
  const DeploymentConfig* config = nullptr;
  const Provider* provider = nullptr;
  uint32_t context_window = 0;  // tokens; 0: unknown (not filtered on)
  uint32_t max_output = 0;      // tokens; 0: unknown
  bool tools = true, vision = false, json_schema = false, streaming = true;
  // Quality per task type (kTaskTypes order), then the default for anything else.
  std::array<float, kTaskTypes.size() + 1> quality{};
  // What is left of the provider's RPM/TPM limits (limits.rpm/tpm), shared by every
  // worker; null when no limit is configured. Starts afresh with each config snapshot.
  std::shared_ptr<Headroom> headroom;

  const std::string& name() const { return config->name; }
  const std::string& upstream_model() const { return config->model; }
  // Quality for `task` ("" or an unknown task: the default).
  float quality_for(std::string_view task) const;
  // Resolves the facts of `config` at `provider`.
  static Deployment resolve(const DeploymentConfig& config, const Provider& provider);
};

// USD cost of `usage` at `price`.
double cost_usd(const Price& price, const model::Usage& usage);

}  // namespace sy::providers
