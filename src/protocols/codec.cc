#include "protocols/codec.h"

#include <cstdio>
#include <cstdlib>

#include "protocols/gemini.h"

namespace sy::protocols {

std::unexpected<Error> unsupported(std::string_view feature, std::string_view protocol) {
  return fail(ErrorKind::InvalidRequest,
              std::string(feature) + " cannot be expressed in " + std::string(protocol),
              std::string(), "unsupported_feature");
}

const Codec& codec_for(model::Protocol protocol) {
  switch (protocol) {
    case model::Protocol::Gemini:
      return GeminiCodec::instance();
    case model::Protocol::OpenAIChat:
    case model::Protocol::AnthropicMessages:
    case model::Protocol::BedrockConverse:
      break;
  }
  // Codecs not written yet on this branch: a programming error to ask for one.
  std::fprintf(stderr, "codec_for: no codec for protocol %s yet\n", model::protocol_name(protocol));
  std::abort();
}

}  // namespace sy::protocols
