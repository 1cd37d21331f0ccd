#include "gemini_wire.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "wire.h"

namespace sy::sim {
namespace {

using Json = nlohmann::ordered_json;

// Google's SSE frames end each event with CRLF CRLF.
std::string event(const Json& data) { return fmt::format("data: {}\r\n\r\n", dump_json(data)); }

Json error_json(const ApiError& error) {
  const std::string status = error.wire_type.value_or(std::string(gemini_status(error.status)));
  return {{"error", {{"code", error.status}, {"message", error.message}, {"status", status}}}};
}

Json usage(const Reply& reply, bool final) {
  Json json = {{"promptTokenCount", reply.prompt_tokens}};
  if (final) json["candidatesTokenCount"] = reply.completion_tokens;
  json["totalTokenCount"] = reply.prompt_tokens + (final ? reply.completion_tokens : 0);
  return json;
}

// One GenerateContentResponse with a single candidate.
Json response(const ResponseMeta& meta, Json parts, std::optional<std::string> finish,
              Json usage_metadata) {
  Json candidate = {{"content", {{"parts", std::move(parts)}, {"role", "model"}}}};
  if (finish) candidate["finishReason"] = *finish;
  candidate["index"] = 0;
  return {{"candidates", Json::array({std::move(candidate)})},
          {"usageMetadata", std::move(usage_metadata)},
          {"modelVersion", meta.model},
          {"responseId", meta.id}};
}

Json function_call_part(const Reply& reply) {
  return {{"functionCall",
           {{"name", reply.tool_call->name}, {"args", tool_input(reply.tool_call->arguments)}}}};
}

std::string finish_reason(const Reply& reply) {
  return reply.finish_reason == "length" ? "MAX_TOKENS" : "STOP";
}

class GeminiWire final : public Wire {
 public:
  std::string_view name() const override { return "gemini"; }

  std::expected<ChatRequest, ApiError> parse(std::string_view body,
                                             std::optional<std::string_view> path_model,
                                             bool path_stream) const override {
    return parse_gemini_request(body, path_model.value_or(""), path_stream);
  }

  std::string_view response_id_prefix() const override { return ""; }
  std::string_view tool_id_prefix() const override { return ""; }

  ApiError unknown_model(std::string_view model) const override {
    return ApiError{.status = 404,
                    .message = fmt::format(
                        "models/{} is not found for API version v1beta, or is not supported for "
                        "generateContent. Call ListModels to see the list of available models "
                        "and their supported methods.",
                        model)};
  }

  ErrorAnswer error(const ApiError& error) const override {
    return ErrorAnswer{.status = error.status,
                       .headers = {{"content-type", "application/json; charset=UTF-8"}},
                       .body = dump_json(error_json(error))};
  }

  std::string whole(const ResponseMeta& meta, const Reply& reply) const override {
    Json parts = Json::array();
    parts.push_back(reply.tool_call ? function_call_part(reply) : Json{{"text", reply.content()}});
    return dump_json(response(meta, std::move(parts), finish_reason(reply), usage(reply, true)));
  }

  std::string malformed_whole(const ResponseMeta& /*meta*/) const override {
    return R"({"candidates":[{"content":{"parts":[{"text":"trunc)";
  }

  std::string_view stream_content_type() const override { return "text/event-stream"; }

  // The Gemini API sends a function call whole, in one event: it has no argument fragments.
  size_t piece_count(const Reply& reply) const override {
    return reply.tool_call ? 1 : reply.tokens.size();
  }

  std::string stream_head(const ResponseMeta& /*meta*/, const Reply& /*reply*/) const override {
    return {};
  }

  std::string stream_piece(const ResponseMeta& meta, const Reply& reply,
                           size_t index) const override {
    Json parts = Json::array();
    parts.push_back(reply.tool_call ? function_call_part(reply)
                                    : Json{{"text", reply.tokens.at(index)}});
    return event(response(meta, std::move(parts), std::nullopt, usage(reply, false)));
  }

  std::string stream_finish(const ResponseMeta& meta, const Reply& reply) const override {
    return event(
        response(meta, Json::array({{{"text", ""}}}), finish_reason(reply), usage(reply, true)));
  }

  std::string stream_malformed(const ResponseMeta& /*meta*/) const override {
    return "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"trunc\r\n\r\n";
  }

  std::string stream_error(const ResponseMeta& /*meta*/, const ApiError& error) const override {
    ApiError unavailable = error;
    if (error.status == 503)
      unavailable.message = "The model is overloaded. Please try again later.";
    return event(error_json(unavailable));
  }
};

}  // namespace

std::string_view gemini_status(int status) {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

const Wire& gemini_wire() {
  static const GeminiWire wire;
  return wire;
}

}  // namespace sy::sim
