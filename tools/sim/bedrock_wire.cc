#include "bedrock_wire.h"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "event_stream.h"
#include "json_fields.h"
#include "wire.h"

namespace sy::sim {
namespace {

using Json = nlohmann::ordered_json;

// The suffix AWS appends to the error type in `x-amzn-ErrorType`; clients split at ':'.
constexpr std::string_view kErrorTypeSuffix =
    ":http://internal.amazon.com/coral/com.amazon.bedrock/";

std::string stop_reason(const Reply& reply) {
  if (reply.finish_reason == "tool_calls") return "tool_use";
  if (reply.finish_reason == "length") return "max_tokens";
  return "end_turn";
}

Json usage(const Reply& reply) {
  return {{"inputTokens", reply.prompt_tokens},
          {"outputTokens", reply.completion_tokens},
          {"totalTokens", reply.prompt_tokens + reply.completion_tokens}};
}

std::string event(std::string_view type, const Json& payload) {
  return event_stream_event(type, dump_json(payload));
}

class BedrockWire final : public Wire {
 public:
  std::string_view name() const override { return "bedrock"; }

  std::expected<ChatRequest, ApiError> parse(std::string_view body,
                                             std::optional<std::string_view> path_model,
                                             bool path_stream) const override {
    return parse_bedrock_request(body, path_model.value_or(""), path_stream);
  }

  std::string_view response_id_prefix() const override { return ""; }
  std::string_view tool_id_prefix() const override { return "tooluse_"; }

  ApiError unknown_model(std::string_view /*model*/) const override {
    return ApiError{.status = 400, .message = "The provided model identifier is invalid."};
  }

  ErrorAnswer error(const ApiError& error) const override {
    const std::string type =
        error.wire_type.value_or(std::string(bedrock_error_type(error.status)));
    return ErrorAnswer{.status = error.status,
                       .headers = {{"content-type", "application/json"},
                                   {"x-amzn-ErrorType", type + std::string(kErrorTypeSuffix)}},
                       .body = dump_json(Json{{"message", error.message}})};
  }

  std::string whole(const ResponseMeta& meta, const Reply& reply) const override {
    Json content = Json::array();
    if (reply.tool_call) {
      content.push_back({{"toolUse",
                          {{"toolUseId", reply.tool_call->id},
                           {"name", reply.tool_call->name},
                           {"input", tool_input(reply.tool_call->arguments)}}}});
    } else {
      content.push_back({{"text", reply.content()}});
    }
    const Json body = {
        {"output", {{"message", {{"role", "assistant"}, {"content", std::move(content)}}}}},
        {"stopReason", stop_reason(reply)},
        {"usage", usage(reply)},
        {"metrics", {{"latencyMs", meta.latency_ms}}}};
    return dump_json(body);
  }

  std::string malformed_whole(const ResponseMeta& /*meta*/) const override {
    return R"({"output":{"message":{"role":"assistant","content":[{"text":"trunc)";
  }

  std::string_view stream_content_type() const override {
    return "application/vnd.amazon.eventstream";
  }

  std::string stream_head(const ResponseMeta& /*meta*/, const Reply& reply) const override {
    std::string events = event("messageStart", {{"role", "assistant"}});
    if (reply.tool_call) {
      const Json tool_use = {{"toolUseId", reply.tool_call->id}, {"name", reply.tool_call->name}};
      events += event("contentBlockStart",
                      {{"contentBlockIndex", 0}, {"start", {{"toolUse", tool_use}}}});
    }
    return events;
  }

  std::string stream_piece(const ResponseMeta& /*meta*/, const Reply& reply,
                           size_t index) const override {
    const Json delta = reply.tool_call
                           ? Json{{"toolUse", {{"input", reply.argument_fragments.at(index)}}}}
                           : Json{{"text", reply.tokens.at(index)}};
    return event("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", delta}});
  }

  std::string stream_finish(const ResponseMeta& meta, const Reply& reply) const override {
    std::string events = event("contentBlockStop", {{"contentBlockIndex", 0}});
    events += event("messageStop", {{"stopReason", stop_reason(reply)}});
    events +=
        event("metadata", {{"usage", usage(reply)}, {"metrics", {{"latencyMs", meta.latency_ms}}}});
    return events;
  }

  std::string stream_malformed(const ResponseMeta& /*meta*/) const override {
    return event_stream_event("contentBlockDelta",
                              R"({"contentBlockIndex":0,"delta":{"text":"trunc)") +
           event("messageStop", {{"stopReason", "end_turn"}});
  }

  // In a stream an error is an exception message whose `:exception-type` is the error's name in
  // lowerCamelCase (throttlingException, serviceUnavailableException, ...).
  std::string stream_error(const ResponseMeta& /*meta*/, const ApiError& error) const override {
    std::string type = error.wire_type.value_or(std::string(bedrock_error_type(error.status)));
    if (!type.empty())
      type[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(type[0])));
    std::string message = error.message;
    if (error.status == 503) message = "Bedrock is unable to process your request.";
    return event_stream_exception(type, dump_json(Json{{"message", message}}));
  }
};

}  // namespace

std::string_view bedrock_error_type(int status) {
  switch (status) {
    case 400:
      return "ValidationException";
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return status >= 500 ? "InternalServerException" : "ValidationException";
  }
}

const Wire& bedrock_wire() {
  static const BedrockWire wire;
  return wire;
}

}  // namespace sy::sim
