// The Gemini codec (generateContent / streamGenerateContent?alt=sse of the Gemini API,
// https://ai.google.dev/api/generate-content), mainly an egress: OpenAI or Anthropic
// clients reaching Gemini models. Requests, responses, stream chunks and errors are
// decoded and encoded both ways through the canonical model (model/canonical.h); the
// mapping, what Gemini cannot express and the finish-reason table are in docs/protocols.md.
//
// Gemini-specific choices, in brief:
//  - The model is in the path, not the body; forward_request returns the body unchanged.
//  - Gemini function calls carry no ids: decoders synthesise "call_<n>" (n counts the
//    calls of the request or response from 0), and a functionResponse is given the id of
//    the earliest unanswered call of the same name. Encoders recover the function name of a
//    tool result from the assistant ToolUse with its id earlier in the same request.
//  - Tool results travel as functionResponse.response objects: text that is a JSON object
//    is sent as that object, other text as {"result": text} ({"error": text} when the
//    result is an error), and decoded back the same way.
//  - Tool schemas go out as parametersJsonSchema (full JSON Schema; `$schema` stripped).
//
// GeminiCodec is a stateless singleton (thread-safe); its stream decoder and encoder
// belong to one response.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocols/codec.h"

namespace sy::protocols {

class GeminiCodec final : public Codec {
 public:
  static const GeminiCodec& instance();

  model::Protocol protocol() const override { return model::Protocol::Gemini; }
  std::string_view name() const override { return "gemini"; }

  // Gemini is not a gateway ingress: this builds the pipeline's summary from the full
  // decode (messages, tools, max tokens) so that the codec is usable both ways, but the
  // model comes from the URL path, which the caller must fill in.
  Result<model::ChatRequest> decode_ingress(std::string body) const override;
  std::string forward_request(const model::ChatRequest& req,
                              std::string_view upstream_model) const override;
  Result<model::Request> decode_request(std::string_view body) const override;
  Result<std::string> encode_request(const model::Request& req,
                                     std::string_view upstream_model) const override;
  // "/v1beta/models/<model>:generateContent" or
  // "/v1beta/models/<model>:streamGenerateContent?alt=sse", the model percent-encoded (a
  // leading "models/" is dropped, so both "gemini-2.5-flash" and "models/gemini-2.5-flash"
  // work).
  std::string request_path(std::string_view upstream_model, bool stream) const override;

  Result<model::Response> decode_response(std::string_view body) const override;
  Result<std::string> encode_response(const model::Response& resp) const override;
  std::unique_ptr<StreamDecoder> stream_decoder() const override;
  std::unique_ptr<StreamEncoder> stream_encoder(const StreamOptions& options) const override;

  // {"error":{"code":<http status>,"message":…,"status":"INVALID_ARGUMENT"|…}}.
  std::string encode_error(const Error& error) const override;
  std::string decode_error_message(std::string_view body) const override;
};

}  // namespace sy::protocols
