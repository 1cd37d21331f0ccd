#include "providers/provider.h"

#include "core/json_writer.h"
#include "protocols/bedrock_converse.h"
#include "protocols/embeddings.h"
#include "providers/model_family.h"

namespace sy::providers {

Result<Provider> Provider::compile(const ProviderConfig& config) {
  Provider p;
  p.config_ = &config;
  auto ep = parse_endpoint(config.base_url);
  if (!ep) return std::unexpected(ep.error());
  p.endpoint_ = std::move(*ep);
  switch (config.type) {
    case ProviderType::Anthropic:
      p.codec_ = &protocols::codec_for(model::Protocol::AnthropicMessages);
      if (!config.api_key.empty()) p.fixed_headers_.push_back({"x-api-key", config.api_key});
      p.fixed_headers_.push_back({"anthropic-version", config.api_version});
      break;
    case ProviderType::Bedrock:
      p.codec_ = &protocols::codec_for(model::Protocol::BedrockConverse);
      break;
    case ProviderType::Gemini:
      p.codec_ = &protocols::codec_for(model::Protocol::Gemini);
      if (!config.api_key.empty()) p.fixed_headers_.push_back({"x-goog-api-key", config.api_key});
      break;
    case ProviderType::AzureOpenAI:
      p.codec_ = &protocols::codec_for(model::Protocol::OpenAIChat);
      if (!config.api_key.empty()) p.fixed_headers_.push_back({"api-key", config.api_key});
      break;
    case ProviderType::OpenAI:
    case ProviderType::OpenAICompatible:
      p.codec_ = &protocols::codec_for(model::Protocol::OpenAIChat);
      if (!config.api_key.empty()) {
        p.fixed_headers_.push_back({"authorization", "Bearer " + config.api_key});
      }
      break;
  }
  for (const auto& [name, value] : config.headers) p.fixed_headers_.push_back({name, value});
  return p;
}

http::UpstreamTarget Provider::target() const {
  return http::UpstreamTarget{&endpoint_, config_->verify_tls, config_->ca_file,
                              config_->max_idle_connections};
}

http::Deadlines Provider::deadlines() const {
  const auto& t = config_->timeouts;
  return http::Deadlines{std::chrono::milliseconds(t.connect_ms),
                         std::chrono::milliseconds(t.first_byte_ms),
                         std::chrono::milliseconds(t.idle_ms), std::chrono::milliseconds(t.total_ms)};
}

Result<http::OutgoingRequest> Provider::chat_request(std::string body,
                                                     std::string_view upstream_model,
                                                     bool stream) const {
  http::OutgoingRequest out;
  out.headers = fixed_headers_;
  if (config_->type == ProviderType::Bedrock) {
    auto signed_out = signed_bedrock_request(
        endpoint_.path_prefix + codec_->request_path(upstream_model, stream), std::move(body));
    if (signed_out && stream) {
      signed_out->headers.push_back({"accept", "application/vnd.amazon.eventstream"});
    }
    return signed_out;
  }
  if (config_->type == ProviderType::Anthropic || config_->type == ProviderType::Gemini) {
    out.target = endpoint_.path_prefix + codec_->request_path(upstream_model, stream);
  } else if (config_->type == ProviderType::AzureOpenAI) {
    // Azure names the deployment in the path; the body's model is ignored there.
    out.target.reserve(endpoint_.path_prefix.size() + upstream_model.size() + 64);
    out.target = endpoint_.path_prefix + "/openai/deployments/";
    out.target += upstream_model;
    out.target += "/chat/completions?api-version=" + config_->api_version;
  } else {
    out.target = endpoint_.path_prefix + "/chat/completions";
  }
  out.body = std::move(body);
  if (stream) out.headers.push_back({"accept", "text/event-stream"});
  return out;
}

Result<http::OutgoingRequest> Provider::signed_bedrock_request(std::string target,
                                                               std::string body) const {
  http::OutgoingRequest out;
  out.headers = fixed_headers_;
  out.target = std::move(target);
  const protocols::aws::Credentials credentials{config_->aws_access_key_id,
                                                config_->aws_secret_access_key,
                                                config_->aws_session_token};
  auto signed_headers = protocols::aws::sign_bedrock(
      "POST", endpoint_.host_header(), out.target, body, credentials, config_->aws_region,
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  if (!signed_headers) return std::unexpected(std::move(signed_headers.error()));
  for (auto& h : *signed_headers) {
    if (h.name == "content-type") continue;  // the client sends application/json itself
    out.headers.push_back({std::move(h.name), std::move(h.value)});
  }
  out.body = std::move(body);
  return out;
}

Result<http::OutgoingRequest> Provider::embeddings_request(std::string body,
                                                           std::string_view upstream_model) const {
  namespace emb = protocols::embeddings;
  http::OutgoingRequest out;
  switch (config_->type) {
    case ProviderType::Bedrock:
      return signed_bedrock_request(endpoint_.path_prefix + emb::bedrock::invoke_path(upstream_model),
                                    std::move(body));
    case ProviderType::Anthropic:
      return fail(ErrorKind::InvalidRequest, "Anthropic has no embeddings API");
    case ProviderType::Gemini:
      out.target = endpoint_.path_prefix + emb::gemini::request_path(upstream_model);
      break;
    case ProviderType::AzureOpenAI:
      out.target = endpoint_.path_prefix + "/openai/deployments/";
      out.target += upstream_model;
      out.target += "/embeddings?api-version=" + config_->api_version;
      break;
    case ProviderType::OpenAI:
    case ProviderType::OpenAICompatible:
      out.target = endpoint_.path_prefix + std::string(emb::openai::kPath);
      break;
  }
  out.headers = fixed_headers_;
  out.body = std::move(body);
  return out;
}

Deployment Deployment::resolve(const DeploymentConfig& config, const Provider& provider) {
  Deployment d;
  d.config = &config;
  d.provider = &provider;
  const ModelFamily* family = model_family(config.model);
  d.context_window = config.context_window ? config.context_window : family ? family->context_window : 0;
  d.max_output = config.max_output_tokens ? config.max_output_tokens : family ? family->max_output : 0;
  const Capabilities& c = config.capabilities;
  d.tools = c.tools.value_or(family ? family->tools : true);
  d.vision = c.vision.value_or(family ? family->vision : false);
  d.json_schema = c.json_schema.value_or(family ? family->json_schema : false);
  d.streaming = c.streaming.value_or(true);
  auto configured = [&](std::string_view task) -> std::optional<float> {
    auto it = config.quality.find(task);
    if (it == config.quality.end()) return std::nullopt;
    return static_cast<float>(it->second);
  };
  const float fallback = configured("default").value_or(family ? family->quality : 0.5f);
  for (size_t i = 0; i < kTaskTypes.size(); ++i) {
    float q = fallback;
    if (!configured("default") && family) {
      for (const auto& o : family->overrides) {
        if (o.task == kTaskTypes[i]) q = o.quality;
      }
    }
    d.quality[i] = configured(kTaskTypes[i]).value_or(q);
  }
  d.quality[kTaskTypes.size()] = fallback;
  if (config.rpm != 0 || config.tpm != 0) d.headroom = std::make_shared<Headroom>(config.rpm, config.tpm);
  return d;
}

float Deployment::quality_for(std::string_view task) const {
  for (size_t i = 0; i < kTaskTypes.size(); ++i) {
    if (kTaskTypes[i] == task) return quality[i];
  }
  return quality[kTaskTypes.size()];
}

double cost_usd(const Price& price, const model::Usage& usage) {
  // Cached input tokens are part of the input count, billed at the cached price.
  const uint32_t cached = std::min(usage.cached_input_tokens, usage.input_tokens);
  const double cached_price = price.cached_input_per_mtok.value_or(price.input_per_mtok);
  return ((usage.input_tokens - cached) * price.input_per_mtok + cached * cached_price +
          usage.output_tokens * price.output_per_mtok) /
         1e6;
}

}  // namespace sy::providers
