// Decides what the simulator answers (a scripted reply, a scripted tool call, JSON conforming
// to a requested schema (schema_answer.h), or deterministic words) as a wire-neutral Reply;
// each format's Wire (wire.h) renders it. Pure logic, no I/O; thread-safe.
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
  std::string finish_reason;  // "stop", "length" or "tool_calls" (each Wire maps these)
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

}  // namespace sy::sim
