#include "protocols/codec.h"

#include <cstdio>
#include <cstdlib>

#include "protocols/anthropic_messages.h"
#include "protocols/anthropic_messages.h"
#include "protocols/bedrock_converse.h"
#include "protocols/gemini.h"
#include "protocols/openai_codec.h"

namespace sy::protocols {

std::unexpected<Error> unsupported(std::string_view feature, std::string_view protocol) {
  return fail(ErrorKind::InvalidRequest,
              std::string(feature) + " cannot be expressed in " + std::string(protocol),
              std::string(), "unsupported_feature");
}

std::string Codec::stream_error_event(const Error& error) const {
  std::string event = "data: ";
  event += encode_error(error);
  event += "\n\n";
  return event;
}

bool Codec::ends_stream(std::string_view, std::string_view) const { return false; }

const Codec& codec_for(model::Protocol protocol) {
  switch (protocol) {
    case model::Protocol::OpenAIChat: return openai_chat_codec();
    case model::Protocol::AnthropicMessages: return anthropic_messages_codec();
    case model::Protocol::Gemini: return GeminiCodec::instance();
    case model::Protocol::BedrockConverse: return bedrock_converse_codec();
  }
  // Not a Protocol value: a programming error, not a request error.
  std::fprintf(stderr, "codec_for: no codec for protocol %d\n", static_cast<int>(protocol));
  std::abort();
}

}  // namespace sy::protocols
