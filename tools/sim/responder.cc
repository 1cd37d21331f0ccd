#include "responder.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

#include "schema_answer.h"

namespace sy::sim {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

// Script regexes are searched in at most this much of the last user message: std::regex
// recurses per matched character and would overflow the stack on very long prompts.
constexpr size_t kMaxScriptSearch = 16 * 1024;

constexpr std::array<std::string_view, 96> kWords = {
    "the",     "quick",   "river",   "stone",   "light",   "garden",   "window",   "morning",
    "silver",  "quiet",   "bridge",  "forest",  "harbor",  "little",   "bright",   "across",
    "under",   "toward",  "between", "market",  "letter",  "answer",   "question", "simple",
    "careful", "steady",  "gentle",  "north",   "south",   "winter",   "summer",   "autumn",
    "spring",  "paper",   "table",   "chair",   "music",   "story",    "number",   "yellow",
    "every",   "always",  "often",   "before",  "after",   "around",   "inside",   "outside",
    "moment",  "picture", "country", "village", "people",  "friend",   "travel",   "follow",
    "measure", "gather",  "build",   "carry",   "listen",  "wonder",   "remember", "discover",
    "open",    "close",   "begin",   "finish",  "water",   "mountain", "valley",   "ocean",
    "cloud",   "weather", "signal",  "engine",  "system",  "pattern",  "method",   "reason",
    "result",  "detail",  "balance", "course",  "journey", "history",  "future",   "present",
    "and",     "with",    "from",    "through", "beyond",  "along",    "over",     "near",
};

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Splits text into pieces of `size` code points, never inside a UTF-8 sequence.
std::vector<std::string> split_code_points(std::string_view text, int64_t size) {
  std::vector<std::string> pieces;
  size_t start = 0;
  int64_t count = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const bool boundary = i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!boundary) continue;
    if (count == size || (i == text.size() && i > start)) {
      pieces.emplace_back(text.substr(start, i - start));
      start = i;
      count = 0;
    }
    ++count;
  }
  return pieces;
}

}  // namespace

std::string Reply::content() const {
  std::string text;
  for (const std::string& token : tokens) text += token;
  return text;
}

size_t Reply::piece_count() const { return tool_call ? argument_fragments.size() : tokens.size(); }

uint64_t stable_hash(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string generate_words(std::string_view model, std::string_view prompt, int64_t count) {
  uint64_t state = stable_hash(fmt::format("{}\n{}", model, prompt));
  std::string text;
  for (int64_t i = 0; i < count; ++i) {
    if (i > 0) text += ' ';
    text += kWords[splitmix64(state) % kWords.size()];
  }
  if (!text.empty()) {
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    text += '.';
  }
  return text;
}

std::vector<std::string> split_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  size_t start = 0;
  size_t word_end = text.find_first_of(kWhitespace, text.find_first_not_of(kWhitespace));
  for (;;) {
    const size_t next_word = text.find_first_not_of(kWhitespace, word_end);
    if (next_word == std::string_view::npos) {
      if (start < text.size()) tokens.emplace_back(text.substr(start));
      return tokens;
    }
    tokens.emplace_back(text.substr(start, next_word - start));
    start = next_word;
    word_end = text.find_first_of(kWhitespace, next_word);
  }
}

const ScriptRule* match_script(const ChatRequest& request, const ModelConfig& model,
                               std::span<const ScriptRule> global_script) {
  const std::string_view text = request.last_user_text().substr(0, kMaxScriptSearch);
  auto matches = [&](const ScriptRule& rule) {
    if (rule.tool_call) {
      if (request.tool_choice_none || request.ends_with_tool_result()) return false;
      const auto& names = request.tool_names;
      if (std::find(names.begin(), names.end(), rule.tool_call->name) == names.end()) return false;
    }
    return std::regex_search(text.data(), text.data() + text.size(), rule.regex);
  };
  for (auto rules : {std::span<const ScriptRule>(model.script), global_script}) {
    auto it = std::find_if(rules.begin(), rules.end(), matches);
    if (it != rules.end()) return &*it;
  }
  return nullptr;
}

Reply plan_reply(const ChatRequest& request, const ModelConfig& model,
                 std::span<const ScriptRule> global_script, std::string tool_call_id) {
  Reply reply;
  reply.prompt_tokens = estimate_prompt_tokens(request);
  const ScriptRule* rule = match_script(request, model, global_script);
  if (rule && rule->tool_call) {
    reply.tool_call = ToolCall{.id = std::move(tool_call_id),
                               .name = rule->tool_call->name,
                               .arguments = rule->tool_call->arguments};
    reply.argument_fragments = split_code_points(reply.tool_call->arguments, model.tool_arg_chunk);
    reply.finish_reason = "tool_calls";
    reply.completion_tokens = std::ssize(reply.argument_fragments);
    return reply;
  }
  // No script: a request for JSON conforming to a schema gets a conforming value (a JSON
  // answer is never cut into `output_tokens` words), anything else deterministic words.
  std::optional<std::string> json_answer;
  if (!rule) {
    if (auto schema = requested_schema(request)) {
      json_answer = answer_for_schema(*schema, model.name, request.last_user_text());
    }
  }
  reply.tokens = split_tokens(
      rule          ? std::string_view(*rule->reply)
      : json_answer ? std::string_view(*json_answer)
                    : generate_words(model.name, request.last_user_text(), model.output_tokens));
  reply.finish_reason = "stop";
  if (request.max_tokens && std::ssize(reply.tokens) > *request.max_tokens) {
    reply.tokens.resize(static_cast<size_t>(*request.max_tokens));
    reply.finish_reason = "length";
  }
  reply.completion_tokens = std::ssize(reply.tokens);
  return reply;
}

}  // namespace sy::sim
