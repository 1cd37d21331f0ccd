// Fuzzes the Anthropic Messages request decoders (protocols/anthropic_messages.h) on one
// body. A body that decodes for ingress forwards with only the model replaced and decodes
// again the same; a body that decodes in full is encoded back to Anthropic and must decode
// again to the same conversation shape and tool arguments.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/anthropic_messages.h"

namespace {

const sy::protocols::AnthropicMessagesCodec& codec() {
  return sy::protocols::anthropic_messages_codec();
}

constexpr std::string_view kUpstreamModel = "up\"stream\\model\n\xc3\xa9";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto ingress = codec().decode_ingress(std::string(input));
  if (!ingress) {
    FUZZ_CHECK(ingress.error().status == 400 && !ingress.error().message.empty());
  } else {
    FUZZ_CHECK(ingress->raw_body == input && ingress->max_tokens.has_value());
    const auto& span = ingress->model_token;
    FUZZ_CHECK(span.begin < span.end && span.end <= size && input[span.begin] == '"' &&
               input[span.end - 1] == '"');
    const std::string forwarded = codec().forward_request(*ingress, kUpstreamModel);
    auto again = codec().decode_ingress(forwarded);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->model == kUpstreamModel && again->stream == ingress->stream);
    FUZZ_CHECK(again->messages.size() == ingress->messages.size());
    FUZZ_CHECK(again->tools == ingress->tools && again->max_tokens == ingress->max_tokens);
  }

  auto full = codec().decode_request(input);
  if (!full) {
    FUZZ_CHECK(full.error().status == 400);
    return 0;
  }
  FUZZ_CHECK(ingress.has_value());  // what translates must also forward
  auto wire = codec().encode_request(*full, "m");
  if (!wire) return 0;  // e.g. an empty text part turning a message empty
  auto back = codec().decode_request(*wire);
  if (!back) return 0;
  FUZZ_CHECK(back->tools.size() == full->tools.size());
  std::string args_a, args_b;
  for (const auto& t : full->turns) {
    for (const auto& p : t.parts) {
      if (p.kind == sy::model::Part::Kind::ToolUse) args_a += p.tool_use.arguments;
    }
  }
  for (const auto& t : back->turns) {
    for (const auto& p : t.parts) {
      if (p.kind == sy::model::Part::Kind::ToolUse) args_b += p.tool_use.arguments;
    }
  }
  FUZZ_CHECK(args_a == args_b);
  return 0;
}
