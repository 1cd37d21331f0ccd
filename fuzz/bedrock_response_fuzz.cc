// Fuzzes the Bedrock Converse response decoder and error reader
// (protocols/bedrock_converse.h). A response that decodes encodes back and decodes again
// to the same content, finish reason and usage.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/bedrock_converse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& codec = sy::protocols::bedrock_converse_codec();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(!codec.decode_error_message(input).empty());
  auto resp = codec.decode_response(input);
  if (!resp) {
    FUZZ_CHECK(resp.error().kind == sy::ErrorKind::UpstreamError);
    return 0;
  }
  auto wire = codec.encode_response(*resp);
  FUZZ_CHECK(wire.has_value());  // decoded tool inputs are JSON objects
  auto back = codec.decode_response(*wire);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->content.size() == resp->content.size());
  for (size_t i = 0; i < resp->content.size(); ++i) {
    FUZZ_CHECK(back->content[i].kind == resp->content[i].kind);
    FUZZ_CHECK(back->content[i].text == resp->content[i].text);
    FUZZ_CHECK(back->content[i].signature == resp->content[i].signature);
    FUZZ_CHECK(back->content[i].tool_use.arguments == resp->content[i].tool_use.arguments);
  }
  FUZZ_CHECK(back->finish == resp->finish || resp->finish == sy::model::FinishReason::Other ||
             resp->finish == sy::model::FinishReason::Unset);
  FUZZ_CHECK(back->usage.output_tokens == resp->usage.output_tokens);
  FUZZ_CHECK(back->usage.cached_input_tokens == resp->usage.cached_input_tokens ||
             resp->usage.cached_input_tokens > resp->usage.input_tokens);
  return 0;
}
