#include "model/canonical.h"

namespace sy::model {

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::Unset: return "unset";
    case FinishReason::EndTurn: return "end_turn";
    case FinishReason::MaxTokens: return "max_tokens";
    case FinishReason::StopSequence: return "stop_sequence";
    case FinishReason::ToolUse: return "tool_use";
    case FinishReason::ContentFilter: return "content_filter";
    case FinishReason::Other: return "other";
  }
  return "other";
}

}  // namespace sy::model
