#include "protocols/anthropic_json.h"

#include "core/ids.h"

namespace sy::protocols::anthropic {

using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads

const char* stop_reason_name(model::FinishReason r) {
  switch (r) {
    case model::FinishReason::MaxTokens: return "max_tokens";
    case model::FinishReason::StopSequence: return "stop_sequence";
    case model::FinishReason::ToolUse: return "tool_use";
    case model::FinishReason::ContentFilter: return "refusal";
    case model::FinishReason::Unset:
    case model::FinishReason::EndTurn:
    case model::FinishReason::Other: return "end_turn";
  }
  return "end_turn";
}

model::FinishReason finish_from_stop_reason(std::string_view s) {
  if (s == "end_turn") return model::FinishReason::EndTurn;
  if (s == "max_tokens") return model::FinishReason::MaxTokens;
  if (s == "stop_sequence") return model::FinishReason::StopSequence;
  if (s == "tool_use") return model::FinishReason::ToolUse;
  if (s == "refusal") return model::FinishReason::ContentFilter;
  return model::FinishReason::Other;  // pause_turn, model_context_window_exceeded, …
}

Result<void> write_content_block(json::Writer& w, const model::Part& part, size_t index) {
  using Kind = model::Part::Kind;
  switch (part.kind) {
    case Kind::Text:
      w.begin_object().field("type", "text").field("text", part.text).end_object();
      return {};
    case Kind::ToolUse: {
      std::string_view input = trim_json(part.tool_use.arguments);
      std::string why;
      if (input.empty()) {
        input = "{}";
      } else if (!is_json_object(input, why)) {
        return fail(ErrorKind::UpstreamError, "content[" + std::to_string(index) +
                                                  "]: the arguments of tool call " +
                                                  part.tool_use.id + " are " + why);
      }
      w.begin_object().field("type", "tool_use").field("id", part.tool_use.id);
      w.field("name", part.tool_use.name).key("input").raw(input).end_object();
      return {};
    }
    case Kind::Thinking:
      w.begin_object().field("type", "thinking").field("thinking", part.text);
      w.field("signature", part.signature).end_object();
      return {};
    case Kind::RedactedThinking:
      w.begin_object().field("type", "redacted_thinking").field("data", part.text).end_object();
      return {};
    case Kind::Image:
    case Kind::ToolResult: break;
  }
  return fail(ErrorKind::UpstreamError,
              "content[" + std::to_string(index) + "]: images and tool results cannot be "
              "part of an assistant response in anthropic_messages");
}

std::string new_message_id() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id = "msg_";
  uint64_t bits = random_u64();
  for (int i = 0; i < 24; ++i) {
    if (i == 10) bits = random_u64();
    id += kAlphabet[bits % 62];
    bits /= 62;
  }
  return id;
}

}  // namespace sy::protocols::anthropic
