#include "openai_wire.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "json_fields.h"

namespace sy::sim {
namespace {

using Json = nlohmann::ordered_json;

std::string event(const Json& json) { return fmt::format("data: {}\n\n", dump_json(json)); }

Json usage_json(const Reply& reply) {
  return {{"prompt_tokens", reply.prompt_tokens},
          {"completion_tokens", reply.completion_tokens},
          {"total_tokens", reply.prompt_tokens + reply.completion_tokens}};
}

Json chunk(const ResponseMeta& meta, Json delta, Json finish_reason) {
  Json json = {{"id", meta.id},
               {"object", "chat.completion.chunk"},
               {"created", meta.created},
               {"model", meta.model},
               {"system_fingerprint", "fp_sim"},
               {"choices", Json::array({{{"index", 0},
                                         {"delta", std::move(delta)},
                                         {"logprobs", nullptr},
                                         {"finish_reason", std::move(finish_reason)}}})}};
  if (meta.include_usage) json["usage"] = nullptr;
  return json;
}

}  // namespace

std::string completion_body(const ResponseMeta& meta, const Reply& reply) {
  Json message = {{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}};
  if (reply.tool_call) {
    message["tool_calls"] = Json::array(
        {{{"id", reply.tool_call->id},
          {"type", "function"},
          {"function",
           {{"name", reply.tool_call->name}, {"arguments", reply.tool_call->arguments}}}}});
  } else {
    message["content"] = reply.content();
  }
  const Json body = {
      {"id", meta.id},
      {"object", "chat.completion"},
      {"created", meta.created},
      {"model", meta.model},
      {"choices", Json::array({{{"index", 0},
                                {"message", std::move(message)},
                                {"logprobs", nullptr},
                                {"finish_reason", reply.finish_reason}}})},
      {"usage", usage_json(reply)},
      {"system_fingerprint", "fp_sim"},
  };
  return dump_json(body);
}

std::string malformed_body(const ResponseMeta& meta) {
  return fmt::format(
      R"({{"id":"{}","object":"chat.completion","choices":[{{"index":0,"message":{{"role":"assistant","content":"trunc)",
      meta.id);
}

std::string ChunkRenderer::head() const {
  if (!reply_.tool_call) {
    return event(chunk(meta_, {{"role", "assistant"}, {"content", ""}}, nullptr));
  }
  const Json call = {{"index", 0},
                     {"id", reply_.tool_call->id},
                     {"type", "function"},
                     {"function", {{"name", reply_.tool_call->name}, {"arguments", ""}}}};
  return event(chunk(
      meta_, {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", Json::array({call})}},
      nullptr));
}

std::string ChunkRenderer::piece(size_t index) const {
  if (!reply_.tool_call)
    return event(chunk(meta_, {{"content", reply_.tokens.at(index)}}, nullptr));
  const Json call = {{"index", 0},
                     {"function", {{"arguments", reply_.argument_fragments.at(index)}}}};
  return event(chunk(meta_, {{"tool_calls", Json::array({call})}}, nullptr));
}

std::string ChunkRenderer::finish() const {
  return event(chunk(meta_, Json::object(), reply_.finish_reason));
}

std::string ChunkRenderer::usage() const {
  const Json json = {{"id", meta_.id},
                     {"object", "chat.completion.chunk"},
                     {"created", meta_.created},
                     {"model", meta_.model},
                     {"system_fingerprint", "fp_sim"},
                     {"choices", Json::array()},
                     {"usage", usage_json(reply_)}};
  return event(json);
}

std::string ChunkRenderer::malformed() const {
  return fmt::format(
      "data: {{\"id\":\"{}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,"
      "\"delta\":{{\"content\":\"trunc\n\n",
      meta_.id);
}

namespace {

class OpenAiWire final : public Wire {
 public:
  std::string_view name() const override { return "openai"; }

  std::expected<ChatRequest, ApiError> parse(std::string_view body,
                                             std::optional<std::string_view> path_model,
                                             bool /*path_stream*/) const override {
    return parse_chat_request(body, path_model);
  }

  std::string_view response_id_prefix() const override { return "chatcmpl-"; }
  std::string_view tool_id_prefix() const override { return "call_"; }

  ApiError unknown_model(std::string_view model) const override {
    return ApiError{.status = 404,
                    .message = fmt::format(
                        "The model `{}` does not exist or you do not have access to it.", model),
                    .code = "model_not_found"};
  }

  ErrorAnswer error(const ApiError& error) const override {
    return ErrorAnswer{.status = error.status,
                       .headers = {{"content-type", "application/json"}},
                       .body = error_body(error)};
  }

  std::string whole(const ResponseMeta& meta, const Reply& reply) const override {
    return completion_body(meta, reply);
  }
  std::string malformed_whole(const ResponseMeta& meta) const override {
    return malformed_body(meta);
  }

  std::string_view stream_content_type() const override {
    return "text/event-stream; charset=utf-8";
  }
  std::string stream_head(const ResponseMeta& meta, const Reply& reply) const override {
    return ChunkRenderer(meta, reply).head();
  }
  std::string stream_piece(const ResponseMeta& meta, const Reply& reply,
                           size_t index) const override {
    return ChunkRenderer(meta, reply).piece(index);
  }
  std::string stream_finish(const ResponseMeta& meta, const Reply& reply) const override {
    const ChunkRenderer render(meta, reply);
    std::string events = render.finish();
    if (meta.include_usage) events += render.usage();
    events += ChunkRenderer::kDone;
    return events;
  }
  std::string stream_malformed(const ResponseMeta& meta) const override {
    const Reply empty;
    return ChunkRenderer(meta, empty).malformed() + std::string(ChunkRenderer::kDone);
  }
  // OpenAI reports a failure after the stream began as a `data:` event holding the error
  // envelope, with no [DONE] after it.
  std::string stream_error(const ResponseMeta& /*meta*/, const ApiError& error) const override {
    return fmt::format("data: {}\n\n", error_body(error));
  }
};

}  // namespace

const Wire& openai_wire() {
  static const OpenAiWire wire;
  return wire;
}

}  // namespace sy::sim
