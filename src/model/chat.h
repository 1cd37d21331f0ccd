// The canonical chat model: what every ingress protocol decodes into and every egress
// protocol encodes from (see DESIGN.md, "Wire protocols are codecs"). Plain value types
// with owned storage, so a request stays valid across suspension points. Not
// thread-safe; a request belongs to one connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sy::model {

enum class Protocol { OpenAIChat, AnthropicMessages, Gemini, BedrockConverse };

// "openai_chat", "anthropic_messages", "gemini", "bedrock_converse" (the config names).
const char* protocol_name(Protocol p);

enum class Role { System, Developer, User, Assistant, Tool };

const char* role_name(Role r);

struct Message {
  Role role = Role::User;
  std::string text;        // the message's text parts, concatenated
  uint32_t image_parts = 0;
  uint32_t tool_calls = 0;  // assistant tool calls carried by the message
};

// A byte range [begin, end) of ChatRequest::raw_body.
struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool empty() const { return begin == end; }
};

struct ChatRequest {
  std::string model;  // what the client asked for: a deployment or a route name
  bool stream = false;
  bool include_usage = false;  // the client asked for usage in the stream
  std::vector<Message> messages;
  std::optional<uint32_t> max_tokens;
  uint32_t tools = 0;  // number of tool definitions
  std::vector<std::string> tool_names;  // their function names, where readable
  bool json_schema = false;  // response_format asks for a JSON schema

  // The request exactly as the client sent it, kept so that an egress codec of the
  // same protocol can forward it with only the model (and stream options) rewritten.
  Protocol protocol = Protocol::OpenAIChat;
  std::string raw_body;
  Span model_token;           // the "model" value, quotes included
  Span stream_options_token;  // the "stream_options" value, when present
};

struct Usage {
  uint32_t input_tokens = 0;
  uint32_t output_tokens = 0;
  uint32_t cached_input_tokens = 0;
  uint32_t reasoning_tokens = 0;
  bool reported = false;  // the provider reported usage (otherwise all zero)
};

}  // namespace sy::model
