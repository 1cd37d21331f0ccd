#include "anthropic_wire.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "wire.h"

namespace sy::sim {
namespace {

using Json = nlohmann::ordered_json;

// One named server-sent event: `event: <type>\ndata: <json>\n\n`.
std::string event(std::string_view type, const Json& data) {
  return fmt::format("event: {}\ndata: {}\n\n", type, dump_json(data));
}

std::string stop_reason(const Reply& reply) {
  if (reply.finish_reason == "tool_calls") return "tool_use";
  if (reply.finish_reason == "length") return "max_tokens";
  return "end_turn";
}

Json error_json(const ApiError& error) {
  const std::string type =
      error.wire_type.value_or(std::string(anthropic_error_type(error.status)));
  return {{"type", "error"}, {"error", {{"type", type}, {"message", error.message}}}};
}

class AnthropicWire final : public Wire {
 public:
  std::string_view name() const override { return "anthropic"; }

  std::expected<ChatRequest, ApiError> parse(std::string_view body,
                                             std::optional<std::string_view> /*path_model*/,
                                             bool /*path_stream*/) const override {
    return parse_anthropic_request(body);
  }

  std::string_view response_id_prefix() const override { return "msg_"; }
  std::string_view tool_id_prefix() const override { return "toolu_"; }

  ApiError unknown_model(std::string_view model) const override {
    return ApiError{.status = 404, .message = fmt::format("model: {}", model)};
  }

  ErrorAnswer error(const ApiError& error) const override {
    return ErrorAnswer{.status = error.status,
                       .headers = {{"content-type", "application/json"}},
                       .body = dump_json(error_json(error))};
  }

  std::string whole(const ResponseMeta& meta, const Reply& reply) const override {
    Json content = Json::array();
    if (reply.tool_call) {
      content.push_back({{"type", "tool_use"},
                         {"id", reply.tool_call->id},
                         {"name", reply.tool_call->name},
                         {"input", tool_input(reply.tool_call->arguments)}});
    } else {
      content.push_back({{"type", "text"}, {"text", reply.content()}});
    }
    return dump_json(message(
        meta, std::move(content), stop_reason(reply),
        {{"input_tokens", reply.prompt_tokens}, {"output_tokens", reply.completion_tokens}}));
  }

  std::string malformed_whole(const ResponseMeta& meta) const override {
    return fmt::format(
        R"({{"id":"{}","type":"message","role":"assistant","content":[{{"type":"text","text":"trunc)",
        meta.id);
  }

  std::string_view stream_content_type() const override { return "text/event-stream"; }

  std::string stream_head(const ResponseMeta& meta, const Reply& reply) const override {
    std::string events = event(
        "message_start",
        {{"type", "message_start"},
         {"message", message(meta, Json::array(), nullptr,
                             {{"input_tokens", reply.prompt_tokens}, {"output_tokens", 1}})}});
    Json block = {{"type", "text"}, {"text", ""}};
    if (reply.tool_call) {
      block = {{"type", "tool_use"},
               {"id", reply.tool_call->id},
               {"name", reply.tool_call->name},
               {"input", Json::object()}};
    }
    events += event("content_block_start",
                    {{"type", "content_block_start"}, {"index", 0}, {"content_block", block}});
    events += event("ping", {{"type", "ping"}});
    return events;
  }

  std::string stream_piece(const ResponseMeta& /*meta*/, const Reply& reply,
                           size_t index) const override {
    const Json delta = reply.tool_call
                           ? Json{{"type", "input_json_delta"},
                                  {"partial_json", reply.argument_fragments.at(index)}}
                           : Json{{"type", "text_delta"}, {"text", reply.tokens.at(index)}};
    return event("content_block_delta",
                 {{"type", "content_block_delta"}, {"index", 0}, {"delta", delta}});
  }

  std::string stream_finish(const ResponseMeta& /*meta*/, const Reply& reply) const override {
    std::string events =
        event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}});
    events += event("message_delta",
                    {{"type", "message_delta"},
                     {"delta", {{"stop_reason", stop_reason(reply)}, {"stop_sequence", nullptr}}},
                     {"usage", {{"output_tokens", reply.completion_tokens}}}});
    events += event("message_stop", {{"type", "message_stop"}});
    return events;
  }

  std::string stream_malformed(const ResponseMeta& /*meta*/) const override {
    return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
           "\"delta\":{\"type\":\"text_delta\",\"text\":\"trunc\n\n" +
           event("message_stop", {{"type", "message_stop"}});
  }

  std::string stream_error(const ResponseMeta& /*meta*/, const ApiError& error) const override {
    ApiError overloaded = error;
    if (error.status >= 500) overloaded.message = "Overloaded";
    return event("error", error_json(overloaded));
  }

 private:
  static Json message(const ResponseMeta& meta, Json content, Json stop, Json usage) {
    return {{"id", meta.id},
            {"type", "message"},
            {"role", "assistant"},
            {"model", meta.model},
            {"content", std::move(content)},
            {"stop_reason", std::move(stop)},
            {"stop_sequence", nullptr},
            {"usage", std::move(usage)}};
  }
};

}  // namespace

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

const Wire& anthropic_wire() {
  static const AnthropicWire wire;
  return wire;
}

}  // namespace sy::sim
