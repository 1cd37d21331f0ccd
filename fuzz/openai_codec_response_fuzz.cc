// Fuzzes the OpenAI codec's response decode (OpenAIChatCodec::decode_response) on one body.
// A response that decodes is encoded as a chat.completion and must decode again to the same
// text, reasoning, tool calls (arguments byte for byte), finish reason and usage.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/openai_codec.h"
#include "protocols/openai_wire.h"

namespace {

using sy::model::Part;

struct Flat {
  std::string text, thinking;
  std::vector<sy::model::ToolUse> calls;
};

Flat flatten(const sy::model::Response& r) {
  Flat f;
  for (const Part& p : r.content) {
    if (p.kind == Part::Kind::Text) f.text += p.text;
    if (p.kind == Part::Kind::Thinking) f.thinking += p.text;
    if (p.kind == Part::Kind::ToolUse) f.calls.push_back(p.tool_use);
  }
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace wire = sy::protocols::openai_wire;
  const auto& codec = sy::protocols::openai_chat_codec();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)codec.decode_error_message(body);
  auto resp = codec.decode_response(body);
  if (!resp) {
    FUZZ_CHECK(resp.error().status == 502 && !resp.error().message.empty());
    return 0;
  }
  auto out = codec.encode_response(*resp);
  FUZZ_CHECK(out.has_value());
  auto back = codec.decode_response(*out);
  FUZZ_CHECK(back.has_value());
  const Flat a = flatten(*resp), b = flatten(*back);
  FUZZ_CHECK(a.text == b.text && a.thinking == b.thinking && a.calls.size() == b.calls.size());
  for (size_t i = 0; i < a.calls.size(); ++i) {
    FUZZ_CHECK(a.calls[i].id == b.calls[i].id && a.calls[i].name == b.calls[i].name &&
               a.calls[i].arguments == b.calls[i].arguments);
  }
  FUZZ_CHECK(back->id == resp->id && back->model == resp->model);
  FUZZ_CHECK(std::string_view(wire::finish_to_wire(back->finish)) ==
             wire::finish_to_wire(resp->finish));
  FUZZ_CHECK(back->usage.reported == resp->usage.reported &&
             back->usage.input_tokens == resp->usage.input_tokens &&
             back->usage.output_tokens == resp->usage.output_tokens &&
             back->usage.cached_input_tokens == resp->usage.cached_input_tokens &&
             back->usage.reasoning_tokens == resp->usage.reasoning_tokens);
  return 0;
}
