#include "sim_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace sy::sim {
namespace {

// Thrown inside the parser only; parse_sim_config turns it into an error value.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Walks a YAML document, converting and validating values; every error names its key path.
class ConfigReader {
 public:
  explicit ConfigReader(std::string_view origin) : origin_(origin) {}

  SimConfig read(const YAML::Node& root) {
    SimConfig config;
    if (!root.IsDefined() || root.IsNull()) return default_sim_config();
    check_keys(root, "", {"api_key", "defaults", "models", "script"});
    if (auto n = root["api_key"]) config.api_key = scalar(n, "api_key");
    ModelConfig defaults;
    if (auto n = root["defaults"]) read_timing(n, "defaults", defaults, /*model=*/false);
    if (auto n = root["script"]) config.script = read_script(n, "script");
    if (auto n = root["models"]) {
      if (!n.IsMap() || n.size() == 0) fail(n, "models", "expected a non-empty mapping");
      for (const auto& entry : n) {
        ModelConfig model = defaults;
        model.name = scalar(entry.first, "models");
        const std::string path = "models." + model.name;
        if (config.find_model(model.name)) fail(entry.first, path, "duplicate model");
        if (!entry.second.IsNull()) read_timing(entry.second, path, model, /*model=*/true);
        config.models.push_back(std::move(model));
      }
    } else {
      for (const ModelConfig& builtin : default_sim_config().models) {
        ModelConfig model = defaults;
        model.name = builtin.name;
        config.models.push_back(std::move(model));
      }
    }
    return config;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& node, std::string_view path, std::string_view what) {
    const std::string where = path.empty() ? std::string("(top level)") : std::string(path);
    throw ConfigError(fmt::format("{}:{}: {}: {}", origin_, node.Mark().line + 1, where, what));
  }

  static std::string join(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  }

  void check_keys(const YAML::Node& node, std::string_view path,
                  std::initializer_list<std::string_view> allowed) {
    if (!node.IsMap()) fail(node, path, "expected a mapping");
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(entry.first, join(path, key),
             fmt::format("unknown key (expected one of: {})", fmt::join(allowed, ", ")));
      }
    }
  }

  // A scalar's text with environment variables expanded; null reads as "".
  std::string scalar(const YAML::Node& node, std::string_view path) {
    if (node.IsNull()) return {};
    if (!node.IsScalar()) fail(node, path, "expected a string");
    auto expanded = expand_env(node.Scalar());
    if (!expanded) fail(node, path, expanded.error());
    return *expanded;
  }

  int64_t integer(const YAML::Node& node, std::string_view path, int64_t min) {
    const std::string text = scalar(node, path);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min) {
      fail(node, path, fmt::format("expected an integer >= {}, got '{}'", min, text));
    }
    return value;
  }

  double number(const YAML::Node& node, std::string_view path) {
    const std::string text = scalar(node, path);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value >= 0) || value > 1e9) {
      fail(node, path, fmt::format("expected a number >= 0, got '{}'", text));
    }
    return value;
  }

  void read_timing(const YAML::Node& node, const std::string& path, ModelConfig& model,
                   bool is_model) {
    if (is_model) {
      check_keys(
          node, path,
          {"ttft_ms", "tokens_per_second", "output_tokens", "tool_arg_chunk", "dimensions", "faults",
           "script"});
    } else {
      check_keys(node, path, {"ttft_ms", "tokens_per_second", "output_tokens", "tool_arg_chunk"});
    }
    if (auto n = node["ttft_ms"]) model.ttft_ms = integer(n, path + ".ttft_ms", 0);
    if (auto n = node["tokens_per_second"]) {
      model.tokens_per_second = number(n, path + ".tokens_per_second");
    }
    if (auto n = node["output_tokens"])
      model.output_tokens = integer(n, path + ".output_tokens", 1);
    if (auto n = node["tool_arg_chunk"]) {
      model.tool_arg_chunk = integer(n, path + ".tool_arg_chunk", 1);
    }
    if (auto n = node["dimensions"]) model.dimensions = integer(n, path + ".dimensions", 1);
    if (auto n = node["faults"]) {
      const std::string faults_path = path + ".faults";
      auto spec = parse_fault_directives(scalar(n, faults_path));
      if (!spec) fail(n, faults_path, spec.error());
      model.faults = std::move(*spec);
    }
    if (auto n = node["script"]) model.script = read_script(n, path + ".script");
  }

  std::vector<ScriptRule> read_script(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence()) fail(node, path, "expected a list of {match, reply|tool_call}");
    std::vector<ScriptRule> rules;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      const std::string item_path = fmt::format("{}[{}]", path, i);
      check_keys(item, item_path, {"match", "reply", "tool_call"});
      ScriptRule rule;
      if (!item["match"]) fail(item, item_path, "missing required key 'match'");
      rule.pattern = scalar(item["match"], item_path + ".match");
      // ECMAScript has no inline flags; a leading (?i) selects case-insensitive matching.
      std::string_view pattern = rule.pattern;
      auto flags = std::regex::ECMAScript;
      if (pattern.starts_with("(?i)")) {
        pattern.remove_prefix(4);
        flags |= std::regex::icase;
      }
      try {
        rule.regex = std::regex(pattern.begin(), pattern.end(), flags);
      } catch (const std::regex_error& e) {
        fail(item["match"], item_path + ".match", fmt::format("invalid regex: {}", e.what()));
      }
      if (item["reply"].IsDefined() == item["tool_call"].IsDefined()) {
        fail(item, item_path, "needs exactly one of 'reply' or 'tool_call'");
      }
      if (auto n = item["reply"]) rule.reply = scalar(n, item_path + ".reply");
      if (auto n = item["tool_call"]) rule.tool_call = read_tool_call(n, item_path + ".tool_call");
      rules.push_back(std::move(rule));
    }
    return rules;
  }

  ScriptedToolCall read_tool_call(const YAML::Node& node, const std::string& path) {
    check_keys(node, path, {"name", "arguments"});
    if (!node["name"]) fail(node, path, "missing required key 'name'");
    ScriptedToolCall call{.name = scalar(node["name"], path + ".name"), .arguments = "{}"};
    if (auto n = node["arguments"]; n && !n.IsNull()) {
      if (!n.IsMap()) fail(n, path + ".arguments", "expected a mapping");
      call.arguments = to_json(n, path + ".arguments").dump();
    }
    return call;
  }

  // YAML to JSON: plain scalars are typed (null, bool, integer, number), quoted ones are strings.
  nlohmann::json to_json(const YAML::Node& node, const std::string& path) {
    if (node.IsNull()) return nullptr;
    if (node.IsSequence()) {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) {
        array.push_back(to_json(node[i], fmt::format("{}[{}]", path, i)));
      }
      return array;
    }
    if (node.IsMap()) {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        const std::string key = scalar(entry.first, path);
        object[key] = to_json(entry.second, join(path, key));
      }
      return object;
    }
    const std::string text = scalar(node, path);
    if (node.Tag() == "!") return text;
    if (text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    int64_t integer_value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer_value);
    if (!text.empty() && ec == std::errc{} && end == text.data() + text.size()) {
      return integer_value;
    }
    char* number_end = nullptr;
    const double number_value = std::strtod(text.c_str(), &number_end);
    if (!text.empty() && number_end == text.c_str() + text.size()) return number_value;
    return text;
  }

  std::string origin_;
};

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

const ModelConfig* SimConfig::find_model(std::string_view name) const {
  for (const ModelConfig& model : models) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

SimConfig default_sim_config() {
  SimConfig config;
  for (const char* name : {"sim-small", "sim-large", "sim-code"}) {
    config.models.push_back(ModelConfig{.name = name});
  }
  config.models.push_back(ModelConfig{.name = "sim-embed", .dimensions = 256});
  for (const char* name : {"amazon.titan-embed-text-v2:0", "cohere.embed-english-v3"}) {
    config.models.push_back(ModelConfig{.name = name});
  }
  return config;
}

std::expected<std::string, std::string> expand_env(std::string_view text) {
  std::string out;
  size_t pos = 0;
  for (size_t open; (open = text.find("${", pos)) != std::string_view::npos;) {
    out.append(text.substr(pos, open - pos));
    const size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) return std::unexpected("unterminated '${' in value");
    const std::string_view inner = text.substr(open + 2, close - open - 2);
    const size_t sep = inner.find(":-");
    const std::string name(inner.substr(0, sep));
    if (!is_env_name(name)) {
      return std::unexpected(fmt::format("invalid environment variable name '{}'", name));
    }
    const char* value = std::getenv(name.c_str());
    if (sep != std::string_view::npos) {
      out.append(value && *value ? std::string_view(value) : inner.substr(sep + 2));
    } else if (value) {
      out.append(value);
    } else {
      return std::unexpected(fmt::format("environment variable {} is not set", name));
    }
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

std::expected<SimConfig, std::string> parse_sim_config(std::string_view yaml,
                                                       std::string_view origin) {
  try {
    return ConfigReader(origin).read(YAML::Load(std::string(yaml)));
  } catch (const ConfigError& e) {
    return std::unexpected(std::string(e.what()));
  } catch (const YAML::Exception& e) {
    return std::unexpected(fmt::format("{}:{}: {}", origin, e.mark.line + 1, e.msg));
  }
}

std::expected<SimConfig, std::string> load_sim_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected(fmt::format("{}: cannot open file", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sim_config(text.str(), path);
}

}  // namespace sy::sim
