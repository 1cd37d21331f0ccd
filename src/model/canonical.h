// The full canonical conversation: every field a wire protocol can carry that another
// one can express — content parts (text, images, tool use and results, thinking), tool
// definitions and choice, response format, stop sequences, sampling parameters — plus the
// canonical response and stream events. A request is decoded into this form only when it
// must be translated to another protocol; same-protocol traffic is forwarded from the raw
// body (see model/chat.h, ChatRequest). Plain value types with owned storage; not
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/chat.h"

namespace sy::model {

// An image given by URL (https: or data:) or as base64 bytes with a media type.
struct Image {
  enum class Source { Url, Base64 };
  Source source = Source::Url;
  std::string url;         // Source::Url
  std::string media_type;  // Source::Base64: "image/png", …; Source::Url: when known (Gemini fileData)
  std::string data;        // Source::Base64: the base64 text, as received
  std::string detail;      // OpenAI's "low" | "high" | "auto", when given
};

// A call the assistant made to a tool. `arguments` is the JSON text of the input object,
// exactly as produced (never re-serialised, so streamed fragments concatenate to it).
struct ToolUse {
  std::string id;
  std::string name;
  std::string arguments;
};

// A tool's answer to a ToolUse, sent back by the client.
struct ToolResult {
  std::string tool_use_id;
  std::string text;  // text content, parts concatenated
  bool is_error = false;
};

struct Part {
  enum class Kind { Text, Image, ToolUse, ToolResult, Thinking, RedactedThinking };
  Kind kind = Kind::Text;
  std::string text;       // Text; Thinking: the reasoning text; RedactedThinking: the opaque data
  std::string signature;  // Thinking: the provider's signature, passed back verbatim; Text,
                          // ToolUse: Gemini's thoughtSignature on that part
  Image image;            // Image
  ToolUse tool_use;       // ToolUse
  ToolResult tool_result; // ToolResult

  static Part make_text(std::string s) {
    Part p;
    p.text = std::move(s);
    return p;
  }
};

// One turn. System and developer instructions are turns too; a protocol with a separate
// system field (Anthropic, Gemini, Bedrock) hoists them. Tool results travel as Role::Tool
// turns whose parts are ToolResult parts (OpenAI: one turn per result).
struct Turn {
  Role role = Role::User;
  std::vector<Part> parts;
  std::string name;  // OpenAI's optional participant name
};

struct ToolDefinition {
  std::string name;
  std::string description;
  std::string parameters;  // the JSON schema of the input, as JSON text ("{}" when absent)
  bool strict = false;     // OpenAI structured-output strictness
};

struct ToolChoice {
  enum class Mode { Unset, Auto, None, Required, Named };
  Mode mode = Mode::Unset;
  std::string name;  // Mode::Named
  std::optional<bool> parallel;  // parallel tool calls allowed (OpenAI parallel_tool_calls,
                                 // Anthropic disable_parallel_tool_use negated)
};

struct ResponseFormat {
  enum class Kind { Text, JsonObject, JsonSchema };
  Kind kind = Kind::Text;
  std::string name;    // JsonSchema
  std::string schema;  // JsonSchema: the schema as JSON text
  bool strict = false;
};

// Extended thinking / reasoning controls.
struct Reasoning {
  std::optional<uint32_t> budget_tokens;  // Anthropic thinking.budget_tokens, Gemini thinkingBudget
  std::string effort;                     // OpenAI reasoning_effort: "low" | "medium" | "high" …
};

struct Request {
  std::string model;
  std::vector<Turn> turns;
  std::vector<ToolDefinition> tools;
  ToolChoice tool_choice;
  ResponseFormat response_format;
  std::vector<std::string> stop;
  std::optional<uint32_t> max_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<uint32_t> top_k;            // Anthropic, Gemini
  std::optional<double> presence_penalty;   // OpenAI, Gemini
  std::optional<double> frequency_penalty;  // OpenAI, Gemini
  std::optional<int64_t> seed;              // OpenAI, Gemini
  std::optional<uint32_t> n;                // choices wanted (only 1 is portable)
  std::optional<Reasoning> reasoning;
  std::string user;  // end-user id (OpenAI user, Anthropic metadata.user_id)
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
  // Features present in the source request that only the source protocol can express
  // (OpenAI logprobs, logit_bias, audio, …), by name. The canonical form does not carry
  // their values, so every encoder rejects a request that lists any: unsupported(first).
  std::vector<std::string> unportable;
};

enum class FinishReason {
  Unset,
  EndTurn,        // natural stop
  MaxTokens,      // the output token limit was reached
  StopSequence,   // a stop sequence matched
  ToolUse,        // the model wants tool results
  ContentFilter,  // a safety/refusal block
  Other,          // anything else the provider reported
};
const char* finish_reason_name(FinishReason r);

struct Response {
  std::string id;
  std::string model;
  std::vector<Part> content;  // Text, ToolUse, Thinking, RedactedThinking parts, in order
  FinishReason finish = FinishReason::Unset;
  std::string stop_sequence;  // the sequence that matched, when reported
  Usage usage;
};

// One canonical stream event. Decoders emit them as the upstream sends them; encoders
// render them in the client's protocol as they come: never a whole-response buffer.
//
// Sequence: MessageStart, then per content block either TextDelta…, ThinkingDelta…, or
// ToolCallStart, ToolCallDelta…, ToolCallEnd; then Usage (zero or more), Stop. Error may
// come at any point and ends the stream. `index` numbers the content blocks of the
// response from 0 in order of first appearance; tool-call deltas name their block by it,
// so interleaved parallel tool calls stay apart.
struct StreamEvent {
  enum class Kind {
    MessageStart,   // id, model
    TextDelta,      // index, text
    ThinkingDelta,  // index, text (reasoning text) or signature
    ToolCallStart,  // index, id, name (signature: Gemini's thoughtSignature of the call)
    ToolCallDelta,  // index, text = a fragment of the arguments' JSON text
    ToolCallEnd,    // index
    Usage,          // usage (cumulative so far; the last one wins)
    Stop,           // finish, stop_sequence
    Error,          // text = message, error_type = the provider's error type
  };
  Kind kind = Kind::TextDelta;
  uint32_t index = 0;
  std::string id;
  std::string name;  // ToolCallStart: the tool's name; MessageStart: the model
  std::string text;
  std::string signature;
  std::string error_type;
  FinishReason finish = FinishReason::Unset;
  std::string stop_sequence;
  Usage usage;
};

}  // namespace sy::model
