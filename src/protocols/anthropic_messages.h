// The Anthropic Messages codec (https://docs.anthropic.com/en/api/messages), both ways:
// ingress for clients of the official Anthropic SDKs and Claude Code (POST /v1/messages),
// egress for Claude deployments. Pure, no I/O. The mapping to the canonical model, the
// features that cannot be translated and the stop-reason table are in docs/protocols.md
// ("Anthropic Messages"). The codec is a stateless singleton, thread-safe (per-thread
// parsers); stream decoders and encoders belong to one response.
//
// Headers (`x-api-key`, `anthropic-version: 2023-06-01`) belong to the provider layer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "protocols/codec.h"

namespace sy::protocols {

class AnthropicMessagesCodec final : public Codec {
 public:
  // max_tokens is required by Anthropic; a translated request without one gets this.
  static constexpr uint32_t kDefaultMaxTokens = 4096;

  model::Protocol protocol() const override { return model::Protocol::AnthropicMessages; }
  std::string_view name() const override { return "anthropic_messages"; }

  Result<model::ChatRequest> decode_ingress(std::string body) const override;
  std::string forward_request(const model::ChatRequest& req,
                              std::string_view upstream_model) const override;
  Result<model::Request> decode_request(std::string_view body) const override;
  Result<std::string> encode_request(const model::Request& req,
                                     std::string_view upstream_model) const override;
  std::string request_path(std::string_view upstream_model, bool stream) const override;

  Result<model::Response> decode_response(std::string_view body) const override;
  Result<std::string> encode_response(const model::Response& resp) const override;
  std::unique_ptr<StreamDecoder> stream_decoder() const override;
  std::unique_ptr<StreamEncoder> stream_encoder(const StreamOptions& options) const override;

  std::string encode_error(const Error& error) const override;
  std::string decode_error_message(std::string_view body) const override;
  // Anthropic names its events: "event: error"; the stream ends with "message_stop".
  std::string stream_error_event(const Error& error) const override;
  bool ends_stream(std::string_view event, std::string_view data) const override;
};

const AnthropicMessagesCodec& anthropic_messages_codec();

}  // namespace sy::protocols
