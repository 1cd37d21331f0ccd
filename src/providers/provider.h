// Provider: an upstream API account compiled from its config — the endpoint, the auth
// scheme and the deadlines — and Deployment: one model at one provider. Both are
// immutable parts of a config snapshot, so they are safe to read from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/url.h"
#include "http/client.h"
#include "model/chat.h"

namespace sy::providers {

class Provider {
 public:
  static Result<Provider> compile(const ProviderConfig& config);

  const ProviderConfig& config() const { return *config_; }
  const std::string& name() const { return config_->name; }
  const Endpoint& endpoint() const { return endpoint_; }
  http::UpstreamTarget target() const;
  http::Deadlines deadlines() const;

  // The request to send for a chat completion on `upstream_model`.
  http::OutgoingRequest chat_request(const model::ChatRequest& request,
                                     std::string_view upstream_model) const;

 private:
  const ProviderConfig* config_ = nullptr;
  Endpoint endpoint_;
  std::vector<http::HeaderField> fixed_headers_;  // auth plus configured extras
};

struct Deployment {
  const DeploymentConfig* config = nullptr;
  const Provider* provider = nullptr;

  const std::string& name() const { return config->name; }
  const std::string& upstream_model() const { return config->model; }
};

// USD cost of `usage` at `price`.
double cost_usd(const Price& price, const model::Usage& usage);

}  // namespace sy::providers
