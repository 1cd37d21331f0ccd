#include "model/chat.h"

namespace sy::model {

const char* role_name(Role r) {
  switch (r) {
    case Role::System: return "system";
    case Role::Developer: return "developer";
    case Role::User: return "user";
    case Role::Assistant: return "assistant";
    case Role::Tool: return "tool";
  }
  return "user";
}

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::OpenAIChat: return "openai_chat";
    case Protocol::AnthropicMessages: return "anthropic_messages";
    case Protocol::Gemini: return "gemini";
    case Protocol::BedrockConverse: return "bedrock_converse";
  }
  return "openai_chat";
}

}  // namespace sy::model
