#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bedrock_wire.h"
#include "json_fields.h"

namespace sy::sim {
namespace {

using nlohmann::json;

ApiError invalid(std::string message) {
  return ApiError{.status = 400, .message = std::move(message)};
}

// Bedrock words schema violations as "1 validation error detected: Value ... at 'path' ...".
ApiError violation(std::string_view path, std::string_view constraint) {
  return invalid(
      fmt::format("1 validation error detected: Value at '{}' failed to satisfy constraint: {}",
                  path, constraint));
}

std::expected<void, ApiError> read_blocks(const json& blocks, const std::string& path,
                                          ChatMessage& message) {
  if (!blocks.is_array()) return std::unexpected(violation(path, "Member must be a list"));
  for (size_t i = 0; i < blocks.size(); ++i) {
    const json& block = blocks[i];
    const std::string block_path = fmt::format("{}.{}.member", path, i + 1);
    if (!block.is_object() || block.empty()) {
      return std::unexpected(violation(block_path, "Member must be a content block"));
    }
    if (const json* text = optional_field(block, "text")) {
      if (!text->is_string())
        return std::unexpected(violation(block_path + ".text", "Member must be a string"));
      message.text += text->get<std::string>();
    } else if (const json* use = optional_field(block, "toolUse")) {
      if (!use->is_object() || !optional_field(*use, "toolUseId") ||
          !optional_field(*use, "name") || !optional_field(*use, "input")) {
        return std::unexpected(
            violation(block_path + ".toolUse", "Member must have toolUseId, name and input"));
      }
    } else if (const json* result = optional_field(block, "toolResult")) {
      if (!result->is_object() || !optional_field(*result, "toolUseId")) {
        return std::unexpected(
            violation(block_path + ".toolResult.toolUseId", "Member must not be null"));
      }
      message.tool_result = true;
      if (const json* content = optional_field(*result, "content");
          content && content->is_array()) {
        for (const json& part : *content) {
          if (const json* text = optional_field(part, "text"); text && text->is_string()) {
            message.text += text->get<std::string>();
          } else if (const json* value = optional_field(part, "json")) {
            message.text += value->dump();
          }
        }
      }
    }
    // image, document, video, reasoningContent, cachePoint, ...: accepted, no text.
  }
  return {};
}

std::expected<void, ApiError> read_tools(const json& root, ChatRequest& request) {
  const json* config = optional_field(root, "toolConfig");
  if (!config) return {};
  const json* tools = config->is_object() ? optional_field(*config, "tools") : nullptr;
  if (!tools || !tools->is_array() || tools->empty()) {
    return std::unexpected(
        violation("toolConfig.tools", "Member must have length greater than or equal to 1"));
  }
  for (size_t i = 0; i < tools->size(); ++i) {
    const json* spec = optional_field((*tools)[i], "toolSpec");
    if (!spec) continue;  // cachePoint, systemTool, ...
    const json* name = optional_field(*spec, "name");
    if (!name || !name->is_string()) {
      return std::unexpected(
          violation(fmt::format("toolConfig.tools.{}.member.toolSpec.name", i + 1),
                    "Member must not be null"));
    }
    if (!optional_field(*spec, "inputSchema")) {
      return std::unexpected(
          violation(fmt::format("toolConfig.tools.{}.member.toolSpec.inputSchema", i + 1),
                    "Member must not be null"));
    }
    request.tool_names.push_back(name->get<std::string>());
  }
  return {};
}

}  // namespace

std::expected<ChatRequest, ApiError> parse_bedrock_request(std::string_view body,
                                                           std::string_view model, bool stream) {
  const json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return std::unexpected(invalid("Malformed input request: the body is not a JSON object."));
  }
  ChatRequest request{.model = std::string(model), .stream = stream};

  if (const json* system = optional_field(root, "system")) {
    ChatMessage message{.role = "system"};
    if (auto read = read_blocks(*system, "system", message); !read) {
      return std::unexpected(read.error());
    }
    request.messages.push_back(std::move(message));
  }

  const json* messages = optional_field(root, "messages");
  if (!messages) return std::unexpected(violation("messages", "Member must not be null"));
  if (!messages->is_array()) return std::unexpected(violation("messages", "Member must be a list"));
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& value = (*messages)[i];
    const std::string path = fmt::format("messages.{}.member", i + 1);
    const json* role = value.is_object() ? optional_field(value, "role") : nullptr;
    if (!role || (*role != "user" && *role != "assistant")) {
      return std::unexpected(
          violation(path + ".role", "Member must satisfy enum value set: [user, assistant]"));
    }
    ChatMessage message{.role = role->get<std::string>()};
    if (i == 0 && message.role != "user") {
      return std::unexpected(invalid(
          "A conversation must start with a user message. Try again with a conversation that "
          "starts with a user message."));
    }
    const json* content = optional_field(value, "content");
    if (!content) return std::unexpected(violation(path + ".content", "Member must not be null"));
    if (auto read = read_blocks(*content, path + ".content", message); !read) {
      return std::unexpected(read.error());
    }
    request.messages.push_back(std::move(message));
  }
  if (request.messages.empty() || request.messages.back().role == "system") {
    return std::unexpected(
        violation("messages", "Member must have length greater than or equal to 1"));
  }

  if (const json* inference = optional_field(root, "inferenceConfig")) {
    if (const json* max = optional_field(*inference, "maxTokens")) {
      if (!max->is_number_integer() || max->get<int64_t>() < 1) {
        return std::unexpected(violation("inferenceConfig.maxTokens",
                                         "Member must have value greater than or equal to 1"));
      }
      request.max_tokens = max->get<int64_t>();
    }
  }
  if (auto tools = read_tools(root, request); !tools) return std::unexpected(tools.error());
  return request;
}

}  // namespace sy::sim
