// switchyard-sim configuration: simulated models with their timing, scripted responses and
// standing faults, loaded from YAML (with ${VAR} / ${VAR:-default} interpolation) and validated
// strictly: unknown keys and bad values are errors naming the key path. Immutable once loaded;
// safe to share between threads as const.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "faults.h"

namespace sy::sim {

// A scripted tool call: the function name and its arguments as a JSON text.
struct ScriptedToolCall {
  std::string name;
  std::string arguments;
};

// `{match: <regex>, reply: <text>}` or `{match: <regex>, tool_call: {name, arguments}}`.
struct ScriptRule {
  std::string pattern;
  std::regex
      regex;  // ECMAScript (a leading "(?i)": ignore case), searched in the last user message
  std::optional<std::string> reply;
  std::optional<ScriptedToolCall> tool_call;
};

struct ModelConfig {
  std::string name;
  int64_t ttft_ms = 0;             // delay before the first chunk / the non-stream response
  double tokens_per_second = 0;    // stream pace; 0 = no pacing
  int64_t output_tokens = 20;      // length of generated (unscripted) replies
  int64_t tool_arg_chunk = 4;      // characters per streamed tool-argument fragment
  int64_t dimensions = 0;          // embeddings: default vector size (0: by model id, embeddings.h)
  FaultSpec faults;                // standing faults for every request to this model
  std::vector<ScriptRule> script;  // tried before the top-level script
};

struct SimConfig {
  std::string api_key;  // empty: no authentication
  std::vector<ModelConfig> models;
  std::vector<ScriptRule> script;  // applies to every model, after the model's own rules

  const ModelConfig* find_model(std::string_view name) const;
};

// The models served without --config: sim-small, sim-large and sim-code with default timing,
// and for embeddings sim-embed (256 dimensions), amazon.titan-embed-text-v2:0 and
// cohere.embed-english-v3 (Bedrock's ids, which decide the request format).
SimConfig default_sim_config();

// Parses YAML text; `origin` (usually the file name) prefixes error messages.
std::expected<SimConfig, std::string> parse_sim_config(std::string_view yaml,
                                                       std::string_view origin);

// Reads and parses a YAML file.
std::expected<SimConfig, std::string> load_sim_config(const std::string& path);

// Expands ${VAR} and ${VAR:-default} from the process environment. An unset ${VAR} without a
// default is an error.
std::expected<std::string, std::string> expand_env(std::string_view text);

}  // namespace sy::sim
