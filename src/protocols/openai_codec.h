// OpenAIChatCodec: the OpenAI Chat Completions protocol as a full Codec (protocols/codec.h).
// Ingress decoding and same-protocol forwarding are the fast free functions of
// protocols/openai_chat.h; the canonical request/response/stream translation lives in
// openai_request.cc, openai_request_encode.cc, openai_response.cc and openai_stream.cc.
// The mapping, the features it rejects and the finish-reason table are in docs/protocols.md.
// Stateless and thread-safe (per-thread parsers); stream decoders/encoders belong to one
// response.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocols/codec.h"

namespace sy::protocols {

class OpenAIChatCodec final : public Codec {
 public:
  model::Protocol protocol() const override { return model::Protocol::OpenAIChat; }
  std::string_view name() const override { return "openai_chat"; }

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
};

// The process-wide instance (what codec_for(Protocol::OpenAIChat) returns).
const OpenAIChatCodec& openai_chat_codec();

}  // namespace sy::protocols
