// Decides what the simulator answers (a scripted reply, a scripted tool call, or deterministic
// words) and renders it in the OpenAI Chat Completions wire format: a whole `chat.completion`
// body or the `chat.completion.chunk` events of a stream. Pure logic, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chat_request.h"
#include "sim_config.h"

namespace sy::sim {

struct ToolCall {
  std::string id;  // "call_..."
  std::string name;
  std::string arguments;  // JSON text
};

// The planned answer. A text reply is streamed one token per chunk; a tool call is streamed as
// its head (id, name) followed by one chunk per argument fragment.
struct Reply {
  std::vector<std::string> tokens;  // text reply, already truncated at max_tokens
  std::optional<ToolCall> tool_call;
  std::vector<std::string> argument_fragments;  // tool call arguments, split for streaming
  std::string finish_reason;                    // "stop", "length" or "tool_calls"
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;

  std::string content() const;
  // Number of token chunks a stream of this reply carries.
  size_t piece_count() const;
};

// FNV-1a 64-bit: a hash that is the same on every platform and run.
uint64_t stable_hash(std::string_view text);

// `count` plain English words, deterministic in (model, prompt): a capitalised sentence ending
// in a full stop.
std::string generate_words(std::string_view model, std::string_view prompt, int64_t count);

// Splits text into tokens: each word with the whitespace that follows it.
std::vector<std::string> split_tokens(std::string_view text);

// The first script rule (the model's, then the global ones) whose regex is found in the last
// user message. Tool-call rules are skipped when the request offers no tool of that name, sets
// tool_choice "none", or already ends with a tool result.
const ScriptRule* match_script(const ChatRequest& request, const ModelConfig& model,
                               std::span<const ScriptRule> global_script);

Reply plan_reply(const ChatRequest& request, const ModelConfig& model,
                 std::span<const ScriptRule> global_script, std::string tool_call_id);

// Identity shared by the body or every chunk of one response.
struct ResponseMeta {
  std::string id;  // "chatcmpl-..."
  int64_t created = 0;
  std::string model;
  bool include_usage = false;  // stream_options.include_usage
};

std::string completion_body(const ResponseMeta& meta, const Reply& reply);

// A 200 body for the `malformed` fault: the start of a completion, cut off mid-JSON.
std::string malformed_body(const ResponseMeta& meta);

// Renders the server-sent events of a stream; each function returns one `data: ...\n\n` event.
// Borrows `meta` and `reply`, which must outlive it.
class ChunkRenderer {
 public:
  ChunkRenderer(const ResponseMeta& meta, const Reply& reply) : meta_(meta), reply_(reply) {}

  std::string head() const;               // role (and the tool call's id and name)
  std::string piece(size_t index) const;  // one token or argument fragment
  std::string finish() const;             // empty delta with finish_reason
  std::string usage() const;              // "choices":[] with usage (include_usage only)
  std::string malformed() const;          // an event whose data is not valid JSON
  static constexpr std::string_view kDone = "data: [DONE]\n\n";

 private:
  const ResponseMeta& meta_;
  const Reply& reply_;
};

}  // namespace sy::sim
