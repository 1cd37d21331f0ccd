#include "chat_request.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "json_fields.h"

namespace sy::sim {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 6> kRoles = {"system",   "assistant", "user",
                                                    "function", "tool",      "developer"};

ApiError bad_request(std::string message, std::optional<std::string> param = std::nullopt,
                     std::optional<std::string> code = std::nullopt) {
  return ApiError{.status = 400,
                  .message = std::move(message),
                  .param = std::move(param),
                  .code = std::move(code)};
}

ApiError invalid_type(const std::string& param, std::string_view expected, const json& got) {
  return bad_request(fmt::format("Invalid type for '{}': expected {}, but got {} instead.", param,
                                 expected, describe_json_type(got)),
                     param, "invalid_type");
}

ApiError missing(const std::string& param) {
  return bad_request(fmt::format("Missing required parameter: '{}'.", param), param,
                     "missing_required_parameter");
}

ApiError empty_array(const std::string& param) {
  return bad_request(fmt::format("Invalid '{}': empty array. Expected an array with minimum "
                                 "length 1, but got an empty array instead.",
                                 param),
                     param, "empty_array");
}

std::expected<std::string, ApiError> message_text(const json& content, const std::string& param) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array())
    return std::unexpected(invalid_type(param, "one of a string or array of objects", content));
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const json& part = content[i];
    const std::string part_param = fmt::format("{}[{}]", param, i);
    if (!part.is_object()) return std::unexpected(invalid_type(part_param, "an object", part));
    const json* type = optional_field(part, "type");
    if (!type) return std::unexpected(missing(part_param + ".type"));
    if (*type != "text") continue;
    const json* part_text = optional_field(part, "text");
    if (!part_text || !part_text->is_string()) {
      return std::unexpected(missing(part_param + ".text"));
    }
    text += part_text->get<std::string>();
  }
  return text;
}

std::expected<ChatMessage, ApiError> parse_message(const json& value, size_t index) {
  const std::string param = fmt::format("messages[{}]", index);
  if (!value.is_object()) return std::unexpected(invalid_type(param, "an object", value));
  const json* role = optional_field(value, "role");
  if (!role) return std::unexpected(missing(param + ".role"));
  if (!role->is_string()) return std::unexpected(invalid_type(param + ".role", "a string", *role));
  ChatMessage message{.role = role->get<std::string>()};
  if (std::find(kRoles.begin(), kRoles.end(), message.role) == kRoles.end()) {
    return std::unexpected(bad_request(
        fmt::format("Invalid value: '{}'. Supported values are: 'system', 'assistant', 'user', "
                    "'function', 'tool', and 'developer'.",
                    message.role),
        param + ".role", "invalid_value"));
  }
  const json* content = optional_field(value, "content");
  if (!content) {
    if (message.role == "assistant" || message.role == "function") return message;
    return std::unexpected(missing(param + ".content"));
  }
  auto text = message_text(*content, param + ".content");
  if (!text) return std::unexpected(text.error());
  message.text = std::move(*text);
  return message;
}

std::expected<std::optional<int64_t>, ApiError> positive_integer(const json& body,
                                                                 const char* key) {
  const json* value = optional_field(body, key);
  if (!value) return std::nullopt;
  if (!value->is_number_integer()) return std::unexpected(invalid_type(key, "an integer", *value));
  const int64_t n = value->get<int64_t>();
  if (n < 1) {
    return std::unexpected(bad_request(
        fmt::format("Invalid '{}': integer below minimum value. Expected a value >= 1, but got {} "
                    "instead.",
                    key, n),
        key, "integer_below_min_value"));
  }
  return n;
}

std::expected<void, ApiError> parse_tools(const json& body, ChatRequest& request) {
  if (const json* tools = optional_field(body, "tools")) {
    if (!tools->is_array()) return std::unexpected(invalid_type("tools", "an array", *tools));
    if (tools->empty()) return std::unexpected(empty_array("tools"));
    for (size_t i = 0; i < tools->size(); ++i) {
      const json& tool = (*tools)[i];
      const std::string param = fmt::format("tools[{}]", i);
      if (!tool.is_object()) return std::unexpected(invalid_type(param, "an object", tool));
      if (tool.value("type", "") != "function") continue;
      const json* function = optional_field(tool, "function");
      if (!function || !function->is_object()) return std::unexpected(missing(param + ".function"));
      const json* name = optional_field(*function, "name");
      if (!name || !name->is_string()) return std::unexpected(missing(param + ".function.name"));
      request.tool_names.push_back(name->get<std::string>());
    }
  }
  if (const json* choice = optional_field(body, "tool_choice")) {
    if (!optional_field(body, "tools")) {
      return std::unexpected(bad_request(
          "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
          "specified.",
          "tool_choice"));
    }
    request.tool_choice_none = *choice == "none";
  }
  return {};
}

std::expected<void, ApiError> parse_options(const json& body, ChatRequest& request) {
  if (const json* stream = optional_field(body, "stream")) {
    if (!stream->is_boolean()) return std::unexpected(invalid_type("stream", "a boolean", *stream));
    request.stream = stream->get<bool>();
  }
  if (const json* options = optional_field(body, "stream_options")) {
    if (!options->is_object()) {
      return std::unexpected(invalid_type("stream_options", "an object", *options));
    }
    if (!request.stream) {
      return std::unexpected(
          bad_request("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                      "stream_options"));
    }
    if (const json* usage = optional_field(*options, "include_usage")) {
      if (!usage->is_boolean()) {
        return std::unexpected(invalid_type("stream_options.include_usage", "a boolean", *usage));
      }
      request.include_usage = usage->get<bool>();
    }
  }
  auto max_tokens = positive_integer(body, "max_tokens");
  if (!max_tokens) return std::unexpected(max_tokens.error());
  auto max_completion_tokens = positive_integer(body, "max_completion_tokens");
  if (!max_completion_tokens) return std::unexpected(max_completion_tokens.error());
  request.max_tokens = *max_completion_tokens ? *max_completion_tokens : *max_tokens;

  auto n = positive_integer(body, "n");
  if (!n) return std::unexpected(n.error());
  if (*n && **n != 1) {
    return std::unexpected(
        bad_request(fmt::format("Invalid 'n': the simulator supports only n=1, got {}.", **n), "n",
                    "unsupported_value"));
  }
  return parse_tools(body, request);
}

}  // namespace

std::string error_body(const ApiError& error) {
  nlohmann::ordered_json body;
  body["error"] = {{"message", error.message},
                   {"type", error.type},
                   {"param", error.param ? json(*error.param) : json(nullptr)},
                   {"code", error.code ? json(*error.code) : json(nullptr)}};
  return body.dump();
}

ApiError injected_error(int status) {
  ApiError error{.status = status};
  if (status == 429) {
    error.message = "Rate limit reached for requests (simulated). Please try again later.";
    error.type = "requests";
    error.code = "rate_limit_exceeded";
  } else if (status >= 500) {
    error.message = status == 503 ? "The server is overloaded or not ready yet (simulated)."
                                  : "The server had an error while processing your request "
                                    "(simulated).";
    error.type = "server_error";
  } else {
    error.message = fmt::format("Simulated client error {}.", status);
  }
  return error;
}

std::string_view ChatRequest::last_user_text() const {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role == "user") return it->text;
  }
  return {};
}

bool ChatRequest::ends_with_tool_result() const {
  if (messages.empty()) return false;
  const ChatMessage& last = messages.back();
  return last.tool_result || last.role == "tool" || last.role == "function";
}

std::expected<ChatRequest, ApiError> parse_chat_request(
    std::string_view body, std::optional<std::string_view> deployment) {
  const json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return std::unexpected(bad_request(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
        "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
        "sent was not valid JSON.)"));
  }
  if (!root.is_object()) return std::unexpected(invalid_type("body", "an object", root));

  ChatRequest request;
  if (deployment) {
    request.model = std::string(*deployment);
  } else {
    const json* model = optional_field(root, "model");
    if (!model) return std::unexpected(bad_request("you must provide a model parameter"));
    if (!model->is_string()) return std::unexpected(invalid_type("model", "a string", *model));
    request.model = model->get<std::string>();
  }

  const json* messages = optional_field(root, "messages");
  if (!messages) return std::unexpected(missing("messages"));
  if (!messages->is_array())
    return std::unexpected(invalid_type("messages", "an array", *messages));
  if (messages->empty()) return std::unexpected(empty_array("messages"));
  for (size_t i = 0; i < messages->size(); ++i) {
    auto message = parse_message((*messages)[i], i);
    if (!message) return std::unexpected(message.error());
    request.messages.push_back(std::move(*message));
  }
  if (auto options = parse_options(root, request); !options) {
    return std::unexpected(options.error());
  }
  // Structured outputs: {"type": "json_schema", "json_schema": {"name", "schema"}}.
  if (const json* format = optional_field(root, "response_format");
      format && format->is_object() && format->value("type", "") == "json_schema") {
    const json* spec = optional_field(*format, "json_schema");
    if (spec && spec->is_object() && spec->contains("schema")) {
      request.response_schema = (*spec)["schema"].dump();
    }
  }
  return request;
}

int64_t estimate_prompt_tokens(const ChatRequest& request) {
  int64_t bytes = 0;
  for (const ChatMessage& message : request.messages) bytes += std::ssize(message.text);
  return (bytes + 3) / 4 + 3 * std::ssize(request.messages);
}

}  // namespace sy::sim
