// The simulator's wire-neutral view of a chat request (what every format's parser produces), the
// wire-neutral error, and the OpenAI Chat Completions parser and error envelope. Pure logic, no
// I/O, no shared state: thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::sim {

// An error to answer with. `type`, `param` and `code` are OpenAI's fields; the other formats
// derive their own type from `status`, unless the code that raised the error set `wire_type`
// (a type in the answering format's own vocabulary, e.g. "authentication_error").
struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::optional<std::string> param;
  std::optional<std::string> code;
  std::optional<std::string> wire_type;
};

// The OpenAI envelope {"error":{"message","type","param","code"}}.
std::string error_body(const ApiError& error);

// The error for an injected `status=N` fault (also the in-stream error of `error_after`, as 503).
ApiError injected_error(int status);

struct ChatMessage {
  std::string role;
  std::string text;          // string content, or the text parts of array content, concatenated
  bool tool_result = false;  // carries a tool's result (Anthropic, Gemini, Bedrock user turns)
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  bool stream = false;
  bool include_usage = false;           // stream_options.include_usage
  std::optional<int64_t> max_tokens;    // max_completion_tokens, else max_tokens
  std::vector<std::string> tool_names;  // names of the function tools offered
  bool tool_choice_none = false;        // tool_choice: "none"
  // response_format's json_schema.schema (JSON text), OpenAI format only (schema_answer.h).
  std::optional<std::string> response_schema;

  // Text of the last message with role "user"; empty when there is none.
  std::string_view last_user_text() const;
  // True when the conversation ends with a tool result (the model has its answer).
  bool ends_with_tool_result() const;
};

// Parses and validates an OpenAI Chat Completions request body. `deployment` is the Azure
// deployment name from the URL, which names the model instead of the body's `model` field.
std::expected<ChatRequest, ApiError> parse_chat_request(std::string_view body,
                                                        std::optional<std::string_view> deployment);

// Deterministic prompt size: ceil(UTF-8 bytes of all message text / 4) + 3 per message.
int64_t estimate_prompt_tokens(const ChatRequest& request);

}  // namespace sy::sim
