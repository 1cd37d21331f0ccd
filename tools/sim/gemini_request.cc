#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "gemini_wire.h"
#include "json_fields.h"

namespace sy::sim {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 15> kTopLevel = {"contents",
                                                        "systemInstruction",
                                                        "system_instruction",
                                                        "tools",
                                                        "toolConfig",
                                                        "tool_config",
                                                        "safetySettings",
                                                        "safety_settings",
                                                        "generationConfig",
                                                        "generation_config",
                                                        "cachedContent",
                                                        "cached_content",
                                                        "model",
                                                        "labels",
                                                        "responseModalities"};

ApiError invalid(std::string message) {
  return ApiError{.status = 400, .message = std::move(message)};
}

ApiError payload_error(std::string_view path, std::string_view what) {
  return invalid(fmt::format("Invalid JSON payload received. {} at '{}'.", what, path));
}

// A field under its lowerCamelCase or snake_case name.
const json* field(const json& object, const char* camel, const char* snake) {
  const json* value = optional_field(object, camel);
  return value ? value : optional_field(object, snake);
}

std::expected<void, ApiError> read_parts(const json& content, const std::string& path,
                                         ChatMessage& message) {
  const json* parts = optional_field(content, "parts");
  if (!parts) return std::unexpected(invalid(fmt::format("* {}.parts: must not be empty", path)));
  if (!parts->is_array()) return std::unexpected(payload_error(path + ".parts", "Expected a list"));
  for (size_t i = 0; i < parts->size(); ++i) {
    const json& part = (*parts)[i];
    const std::string part_path = fmt::format("{}.parts[{}]", path, i);
    if (!part.is_object()) return std::unexpected(payload_error(part_path, "Expected an object"));
    if (const json* text = optional_field(part, "text")) {
      if (!text->is_string()) {
        return std::unexpected(payload_error(part_path + ".text", "Expected a string"));
      }
      message.text += text->get<std::string>();
    } else if (const json* call = field(part, "functionCall", "function_call")) {
      if (!call->is_object() || !optional_field(*call, "name")) {
        return std::unexpected(
            invalid(fmt::format("* {}.function_call.name: Name cannot be empty.", part_path)));
      }
    } else if (const json* result = field(part, "functionResponse", "function_response")) {
      if (!result->is_object() || !optional_field(*result, "name")) {
        return std::unexpected(
            invalid(fmt::format("* {}.function_response.name: Name cannot be empty.", part_path)));
      }
      message.tool_result = true;
      if (const json* response = optional_field(*result, "response"))
        message.text += response->dump();
    }
    // inlineData, fileData, executableCode, ...: accepted, no text.
  }
  return {};
}

std::expected<void, ApiError> read_tools(const json& root, ChatRequest& request) {
  if (const json* tools = optional_field(root, "tools")) {
    if (!tools->is_array()) return std::unexpected(payload_error("tools", "Expected a list"));
    for (size_t i = 0; i < tools->size(); ++i) {
      const json* declarations =
          field((*tools)[i], "functionDeclarations", "function_declarations");
      if (!declarations) continue;  // googleSearch, codeExecution, ...
      if (!declarations->is_array()) {
        return std::unexpected(
            payload_error(fmt::format("tools[{}].function_declarations", i), "Expected a list"));
      }
      for (size_t j = 0; j < declarations->size(); ++j) {
        const json* name = optional_field((*declarations)[j], "name");
        if (!name || !name->is_string() || name->get<std::string>().empty()) {
          return std::unexpected(invalid(fmt::format(
              "* GenerateContentRequest.tools[{}].function_declarations[{}].name: Name cannot be "
              "empty.",
              i, j)));
        }
        request.tool_names.push_back(name->get<std::string>());
      }
    }
  }
  if (const json* config = field(root, "toolConfig", "tool_config")) {
    if (const json* calling = field(*config, "functionCallingConfig", "function_calling_config")) {
      const json* mode = optional_field(*calling, "mode");
      request.tool_choice_none = mode && *mode == "NONE";
    }
  }
  return {};
}

}  // namespace

std::expected<ChatRequest, ApiError> parse_gemini_request(std::string_view body,
                                                          std::string_view model, bool stream) {
  const json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return std::unexpected(invalid("Invalid JSON payload received. Unexpected token."));
  }
  if (!root.is_object()) return std::unexpected(payload_error("", "Expected an object"));
  for (const auto& [key, value] : root.items()) {
    if (std::find(kTopLevel.begin(), kTopLevel.end(), key) == kTopLevel.end()) {
      return std::unexpected(invalid(fmt::format(
          "Invalid JSON payload received. Unknown name \"{}\": Cannot find field.", key)));
    }
  }

  ChatRequest request{.model = std::string(model), .stream = stream};
  if (const json* system = field(root, "systemInstruction", "system_instruction")) {
    ChatMessage message{.role = "system"};
    if (!system->is_object()) {
      return std::unexpected(payload_error("system_instruction", "Expected an object"));
    }
    if (auto read = read_parts(*system, "system_instruction", message); !read) {
      return std::unexpected(read.error());
    }
    request.messages.push_back(std::move(message));
  }

  const json* contents = optional_field(root, "contents");
  if (!contents || (contents->is_array() && contents->empty())) {
    return std::unexpected(invalid("* GenerateContentRequest.contents: contents is not specified"));
  }
  if (!contents->is_array()) return std::unexpected(payload_error("contents", "Expected a list"));
  for (size_t i = 0; i < contents->size(); ++i) {
    const json& content = (*contents)[i];
    const std::string path = fmt::format("contents[{}]", i);
    if (!content.is_object()) return std::unexpected(payload_error(path, "Expected an object"));
    const std::string role = content.value("role", "user");
    if (role != "user" && role != "model" && role != "function") {
      return std::unexpected(invalid(
          fmt::format("Please use a valid role: user, model. (got '{}' at {}.role)", role, path)));
    }
    ChatMessage message{.role = role == "model" ? "assistant" : "user"};
    if (auto read = read_parts(content, path, message); !read) return std::unexpected(read.error());
    if (role == "function") message.tool_result = true;
    request.messages.push_back(std::move(message));
  }

  if (const json* generation = field(root, "generationConfig", "generation_config")) {
    if (const json* max = field(*generation, "maxOutputTokens", "max_output_tokens")) {
      if (!max->is_number_integer() || max->get<int64_t>() < 1) {
        return std::unexpected(invalid(
            "* GenerateContentRequest.generation_config.max_output_tokens: must be a positive "
            "integer"));
      }
      request.max_tokens = max->get<int64_t>();
    }
  }
  if (auto tools = read_tools(root, request); !tools) return std::unexpected(tools.error());
  return request;
}

}  // namespace sy::sim
