#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "anthropic_wire.h"
#include "json_fields.h"

namespace sy::sim {
namespace {

using nlohmann::json;

ApiError invalid(std::string message) {
  return ApiError{.status = 400, .message = std::move(message)};
}

ApiError required(std::string_view path) {
  return invalid(fmt::format("{}: Field required", path));
}

ApiError wrong_type(std::string_view path, std::string_view expected, const json& got) {
  return invalid(
      fmt::format("{}: Input should be {} (got {})", path, expected, describe_json_type(got)));
}

// Appends the text of a content block list (text blocks, and the text inside tool results).
std::expected<void, ApiError> read_blocks(const json& blocks, const std::string& path,
                                          ChatMessage& message) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    const json& block = blocks[i];
    const std::string block_path = fmt::format("{}.{}", path, i);
    if (!block.is_object()) return std::unexpected(wrong_type(block_path, "an object", block));
    const json* type = optional_field(block, "type");
    if (!type) return std::unexpected(required(block_path + ".type"));
    if (!type->is_string())
      return std::unexpected(wrong_type(block_path + ".type", "a string", *type));
    if (*type == "text") {
      const json* text = optional_field(block, "text");
      if (!text) return std::unexpected(required(block_path + ".text"));
      if (!text->is_string())
        return std::unexpected(wrong_type(block_path + ".text", "a string", *text));
      message.text += text->get<std::string>();
    } else if (*type == "tool_use") {
      if (!optional_field(block, "id")) return std::unexpected(required(block_path + ".id"));
      if (!optional_field(block, "name")) return std::unexpected(required(block_path + ".name"));
      const json* input = optional_field(block, "input");
      if (!input) return std::unexpected(required(block_path + ".input"));
      if (!input->is_object())
        return std::unexpected(wrong_type(block_path + ".input", "a valid dictionary", *input));
    } else if (*type == "tool_result") {
      if (message.role != "user") {
        return std::unexpected(invalid(
            fmt::format("{}: tool_result blocks are only allowed in user messages", block_path)));
      }
      if (!optional_field(block, "tool_use_id")) {
        return std::unexpected(required(block_path + ".tool_use_id"));
      }
      message.tool_result = true;
      if (const json* content = optional_field(block, "content")) {
        if (content->is_string()) {
          message.text += content->get<std::string>();
        } else if (content->is_array()) {
          ChatMessage inner{.role = "user"};
          auto read = read_blocks(*content, block_path + ".content", inner);
          if (!read) return read;
          message.text += inner.text;
        } else {
          return std::unexpected(
              wrong_type(block_path + ".content", "a valid string or list", *content));
        }
      }
    }
    // image, document, thinking, redacted_thinking, ...: accepted, no text.
  }
  return {};
}

std::expected<ChatMessage, ApiError> read_message(const json& value, size_t index) {
  const std::string path = fmt::format("messages.{}", index);
  if (!value.is_object()) return std::unexpected(wrong_type(path, "a valid dictionary", value));
  const json* role = optional_field(value, "role");
  if (!role) return std::unexpected(required(path + ".role"));
  if (*role != "user" && *role != "assistant") {
    return std::unexpected(
        invalid(fmt::format("{}.role: Input should be 'user' or 'assistant'", path)));
  }
  ChatMessage message{.role = role->get<std::string>()};
  const json* content = optional_field(value, "content");
  if (!content) return std::unexpected(required(path + ".content"));
  if (content->is_string()) {
    message.text = content->get<std::string>();
    return message;
  }
  if (!content->is_array())
    return std::unexpected(wrong_type(path + ".content", "a valid list", *content));
  auto read = read_blocks(*content, path + ".content", message);
  if (!read) return std::unexpected(read.error());
  return message;
}

std::expected<void, ApiError> read_system(const json& root, ChatRequest& request) {
  const json* system = optional_field(root, "system");
  if (!system) return {};
  ChatMessage message{.role = "system"};
  if (system->is_string()) {
    message.text = system->get<std::string>();
  } else if (system->is_array()) {
    auto read = read_blocks(*system, "system", message);
    if (!read) return read;
  } else {
    return std::unexpected(wrong_type("system", "a valid string or list", *system));
  }
  request.messages.push_back(std::move(message));
  return {};
}

std::expected<void, ApiError> read_tools(const json& root, ChatRequest& request) {
  if (const json* tools = optional_field(root, "tools")) {
    if (!tools->is_array()) return std::unexpected(wrong_type("tools", "a valid list", *tools));
    for (size_t i = 0; i < tools->size(); ++i) {
      const json& tool = (*tools)[i];
      const std::string path = fmt::format("tools.{}", i);
      if (!tool.is_object()) return std::unexpected(wrong_type(path, "a valid dictionary", tool));
      const json* name = optional_field(tool, "name");
      if (!name) return std::unexpected(required(path + ".name"));
      if (!name->is_string()) return std::unexpected(wrong_type(path + ".name", "a string", *name));
      const json* type = optional_field(tool, "type");
      // Custom tools need an input_schema; server tools (typed, e.g. web_search_...) do not.
      if ((!type || *type == "custom") && !optional_field(tool, "input_schema")) {
        return std::unexpected(required(path + ".input_schema"));
      }
      request.tool_names.push_back(name->get<std::string>());
    }
  }
  if (const json* choice = optional_field(root, "tool_choice")) {
    if (!choice->is_object() || !choice->contains("type")) {
      return std::unexpected(required("tool_choice.type"));
    }
    request.tool_choice_none = (*choice)["type"] == "none";
  }
  return {};
}

}  // namespace

std::expected<ChatRequest, ApiError> parse_anthropic_request(std::string_view body) {
  const json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return std::unexpected(
        invalid("There was an error parsing the body of your request: the "
                "body is not valid JSON."));
  }
  if (!root.is_object()) return std::unexpected(wrong_type("body", "a valid dictionary", root));

  ChatRequest request;
  const json* model = optional_field(root, "model");
  if (!model) return std::unexpected(required("model"));
  if (!model->is_string()) return std::unexpected(wrong_type("model", "a valid string", *model));
  request.model = model->get<std::string>();

  const json* max_tokens = optional_field(root, "max_tokens");
  if (!max_tokens) return std::unexpected(required("max_tokens"));
  if (!max_tokens->is_number_integer()) {
    return std::unexpected(wrong_type("max_tokens", "a valid integer", *max_tokens));
  }
  if (max_tokens->get<int64_t>() < 1) {
    return std::unexpected(invalid("max_tokens: Input should be greater than or equal to 1"));
  }
  request.max_tokens = max_tokens->get<int64_t>();

  if (auto system = read_system(root, request); !system) return std::unexpected(system.error());
  const json* messages = optional_field(root, "messages");
  if (!messages) return std::unexpected(required("messages"));
  if (!messages->is_array())
    return std::unexpected(wrong_type("messages", "a valid list", *messages));
  if (messages->empty())
    return std::unexpected(invalid("messages: at least one message is required"));
  for (size_t i = 0; i < messages->size(); ++i) {
    auto message = read_message((*messages)[i], i);
    if (!message) return std::unexpected(message.error());
    request.messages.push_back(std::move(*message));
  }

  if (const json* stream = optional_field(root, "stream")) {
    if (!stream->is_boolean())
      return std::unexpected(wrong_type("stream", "a valid boolean", *stream));
    request.stream = stream->get<bool>();
  }
  if (auto tools = read_tools(root, request); !tools) return std::unexpected(tools.error());
  return request;
}

}  // namespace sy::sim
