#include "protocols/codec.h"

#include <cstdio>
#include <cstdlib>

#include "protocols/anthropic_messages.h"
#include "protocols/bedrock_converse.h"

namespace sy::protocols {

std::unexpected<Error> unsupported(std::string_view feature, std::string_view protocol) {
  return fail(ErrorKind::InvalidRequest,
              std::string(feature) + " cannot be expressed in " + std::string(protocol),
              std::string(), "unsupported_feature");
}

const Codec& codec_for(model::Protocol protocol) {
  switch (protocol) {
    case model::Protocol::AnthropicMessages: return anthropic_messages_codec();
    case model::Protocol::BedrockConverse: return bedrock_converse_codec();
    case model::Protocol::OpenAIChat:
    case model::Protocol::Gemini: break;
  }
  // A protocol whose codec is not written yet: a programming error, not a request error.
  std::fprintf(stderr, "codec_for: no codec for protocol %s\n", model::protocol_name(protocol));
  std::abort();
}

}  // namespace sy::protocols
