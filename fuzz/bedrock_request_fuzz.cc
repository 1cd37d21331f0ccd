// Fuzzes the Bedrock Converse request decoder and encoder (protocols/bedrock_converse.h).
// Bad input must fail as a 400; a request that decodes and encodes must decode again with
// the same tool-call arguments, in order, byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/bedrock_converse.h"

namespace {

std::vector<std::string> tool_arguments(const sy::model::Request& req) {
  std::vector<std::string> out;
  for (const auto& turn : req.turns) {
    for (const auto& part : turn.parts) {
      if (part.kind == sy::model::Part::Kind::ToolUse) out.push_back(part.tool_use.arguments);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& codec = sy::protocols::bedrock_converse_codec();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto req = codec.decode_request(input);
  if (!req) {
    FUZZ_CHECK(req.error().kind == sy::ErrorKind::InvalidRequest);
    FUZZ_CHECK(!req.error().message.empty());
    return 0;
  }
  auto wire = codec.encode_request(*req, "anthropic.claude-3-haiku-20240307-v1:0");
  if (!wire) {
    FUZZ_CHECK(wire.error().kind == sy::ErrorKind::InvalidRequest);
    return 0;
  }
  auto back = codec.decode_request(*wire);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(tool_arguments(*back) == tool_arguments(*req));
  FUZZ_CHECK(back->tools.size() == req->tools.size());
  FUZZ_CHECK(back->stop == req->stop);
  return 0;
}
