#include "protocols/openai_codec.h"

#include "protocols/openai_chat.h"
#include "protocols/openai_wire.h"

namespace sy::protocols {

Result<model::ChatRequest> OpenAIChatCodec::decode_ingress(std::string body) const {
  return openai_chat::decode_request(std::move(body));
}

std::string OpenAIChatCodec::forward_request(const model::ChatRequest& req,
                                             std::string_view upstream_model) const {
  return openai_chat::encode_request(req, upstream_model);
}

Result<model::Request> OpenAIChatCodec::decode_request(std::string_view body) const {
  return openai_wire::decode_request(body);
}

Result<std::string> OpenAIChatCodec::encode_request(const model::Request& req,
                                                    std::string_view upstream_model) const {
  return openai_wire::encode_request(req, upstream_model);
}

std::string OpenAIChatCodec::request_path(std::string_view /*upstream_model*/,
                                          bool /*stream*/) const {
  return "/v1/chat/completions";
}

Result<model::Response> OpenAIChatCodec::decode_response(std::string_view body) const {
  return openai_wire::decode_response(body);
}

Result<std::string> OpenAIChatCodec::encode_response(const model::Response& resp) const {
  return openai_wire::encode_response(resp);
}

std::unique_ptr<StreamDecoder> OpenAIChatCodec::stream_decoder() const {
  return openai_wire::make_stream_decoder();
}

std::unique_ptr<StreamEncoder> OpenAIChatCodec::stream_encoder(const StreamOptions& options) const {
  return openai_wire::make_stream_encoder(options);
}

std::string OpenAIChatCodec::encode_error(const Error& error) const {
  return openai_chat::encode_error(error);
}

std::string OpenAIChatCodec::decode_error_message(std::string_view body) const {
  return openai_chat::decode_error_message(body);
}

const OpenAIChatCodec& openai_chat_codec() {
  static const OpenAIChatCodec codec;
  return codec;
}

}  // namespace sy::protocols
