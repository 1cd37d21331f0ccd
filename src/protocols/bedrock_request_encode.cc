// Canonical request → Bedrock Converse body (the model goes in the path, see
// request_path). System and developer turns are hoisted into `system`; tool results and the
// user turn after them are merged into one user message (Bedrock wants strict
// alternation); images must be bytes (data: URLs are split, other URLs are unsupported);
// tool arguments must be JSON objects (they become toolUse.input, verbatim). top_k and a
// thinking budget go to additionalModelRequestFields in Anthropic Claude's spelling. What
// Converse cannot express fails with unsupported(), see docs/protocols.md.
#include <simdjson.h>

#include "core/json_writer.h"
#include "protocols/bedrock_converse.h"
#include "protocols/json_read.h"

namespace sy::protocols {
namespace {

using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::Part;
using model::Role;

constexpr std::string_view kProto = "bedrock_converse";

std::unexpected<Error> invalid(const std::string& path, std::string_view what) {
  return bad(ErrorKind::InvalidRequest, path, what);
}

// "data:<media type>;base64,<data>" → media type and data; false for any other URL.
bool split_data_url(std::string_view url, std::string_view& media_type, std::string_view& data) {
  constexpr std::string_view kPrefix = "data:";
  constexpr std::string_view kMarker = ";base64,";
  if (!url.starts_with(kPrefix)) return false;
  const size_t marker = url.find(kMarker);
  if (marker == std::string_view::npos) return false;
  media_type = url.substr(kPrefix.size(), marker - kPrefix.size());
  data = url.substr(marker + kMarker.size());
  return true;
}

// Bedrock's image format for a media type, or "" when it has none.
std::string_view image_format(std::string_view media_type) {
  if (media_type == "image/png") return "png";
  if (media_type == "image/jpeg" || media_type == "image/jpg") return "jpeg";
  if (media_type == "image/gif") return "gif";
  if (media_type == "image/webp") return "webp";
  return {};
}

Result<void> write_image(json::Writer& w, const model::Image& image, const std::string& path) {
  std::string_view media_type = image.media_type, data = image.data;
  if (image.source == model::Image::Source::Url) {
    if (!image.url.starts_with("data:")) return unsupported("image URL", kProto);
    if (!split_data_url(image.url, media_type, data)) {
      return invalid(path, "a data: image URL must be base64 (data:<type>;base64,<data>)");
    }
  }
  const std::string_view format = image_format(media_type);
  if (format.empty()) {
    return unsupported("image media type \"" + std::string(media_type) + "\"", kProto);
  }
  if (data.empty()) return invalid(path, "the image has no data");
  w.begin_object().key("image").begin_object().field("format", format);
  w.key("source").begin_object().field("bytes", data).end_object();
  w.end_object().end_object();
  return {};
}

Result<void> write_part(json::Writer& w, const Part& part, const std::string& path) {
  switch (part.kind) {
    case Part::Kind::Text:
      w.begin_object().field("text", part.text).end_object();
      return {};
    case Part::Kind::Image:
      return write_image(w, part.image, path);
    case Part::Kind::ToolUse: {
      std::string_view input = trim_json(part.tool_use.arguments);
      std::string why;
      if (input.empty()) {
        input = "{}";
      } else if (!is_json_object(input, why)) {
        return invalid(path, "tool call " + part.tool_use.id + ": arguments are " + why);
      }
      w.begin_object().key("toolUse").begin_object().field("toolUseId", part.tool_use.id);
      w.field("name", part.tool_use.name).key("input").raw(input).end_object().end_object();
      return {};
    }
    case Part::Kind::ToolResult: {
      const auto& r = part.tool_result;
      w.begin_object().key("toolResult").begin_object().field("toolUseId", r.tool_use_id);
      w.key("content").begin_array().begin_object().field("text", r.text).end_object().end_array();
      if (r.is_error) w.field("status", "error");
      w.end_object().end_object();
      return {};
    }
    case Part::Kind::Thinking:
      w.begin_object().key("reasoningContent").begin_object().key("reasoningText").begin_object();
      w.field("text", part.text);
      if (!part.signature.empty()) w.field("signature", part.signature);
      w.end_object().end_object().end_object();
      return {};
    case Part::Kind::RedactedThinking:
      w.begin_object().key("reasoningContent").begin_object();
      w.field("redactedContent", part.text).end_object().end_object();
      return {};
  }
  return {};
}

Result<void> write_system(json::Writer& w, const model::Request& req) {
  bool open = false;
  for (size_t t = 0; t < req.turns.size(); ++t) {
    const auto& turn = req.turns[t];
    if (turn.role != Role::System && turn.role != Role::Developer) continue;
    for (size_t p = 0; p < turn.parts.size(); ++p) {
      const auto& part = turn.parts[p];
      if (part.kind != Part::Kind::Text) {
        return unsupported("messages[" + std::to_string(t) + "].content[" + std::to_string(p) +
                               "] (a non-text part in a system message)",
                           kProto);
      }
      if (part.text.empty()) continue;  // Bedrock rejects blank text blocks
      if (!open) w.key("system").begin_array();
      open = true;
      w.begin_object().field("text", part.text).end_object();
    }
  }
  if (open) w.end_array();
  return {};
}

Result<void> write_messages(json::Writer& w, const model::Request& req) {
  w.key("messages").begin_array();
  const char* open_role = nullptr;
  for (size_t t = 0; t < req.turns.size(); ++t) {
    const auto& turn = req.turns[t];
    if (turn.role == Role::System || turn.role == Role::Developer) continue;
    const std::string path = "messages[" + std::to_string(t) + "]";
    if (!turn.name.empty()) return unsupported(path + ".name (a participant name)", kProto);
    const char* role = turn.role == Role::Assistant ? "assistant" : "user";
    if (open_role != role) {
      if (open_role) w.end_array().end_object();
      w.begin_object().field("role", role).key("content").begin_array();
      open_role = role;
    }
    for (size_t p = 0; p < turn.parts.size(); ++p) {
      const auto& part = turn.parts[p];
      const std::string ppath = path + ".content[" + std::to_string(p) + "]";
      const bool result = part.kind == Part::Kind::ToolResult;
      if (result != (turn.role == Role::Tool)) {
        return invalid(ppath, result ? "a tool result belongs in a tool message"
                                     : "a tool message holds tool results only");
      }
      if (turn.role == Role::User &&
          (part.kind == Part::Kind::ToolUse || part.kind == Part::Kind::Thinking ||
           part.kind == Part::Kind::RedactedThinking)) {
        return invalid(ppath, "tool calls and thinking belong to assistant messages");
      }
      if (turn.role == Role::Assistant && part.kind == Part::Kind::Image) {
        return unsupported(ppath + " (an image in an assistant message)", kProto);
      }
      if (part.kind == Part::Kind::Text && part.text.empty()) continue;
      if (auto r = write_part(w, part, ppath); !r) return r;
    }
  }
  if (open_role) w.end_array().end_object();
  w.end_array();
  return {};
}

bool has_tool_blocks(const model::Request& req) {
  for (const auto& turn : req.turns) {
    for (const auto& part : turn.parts) {
      if (part.kind == Part::Kind::ToolUse || part.kind == Part::Kind::ToolResult) return true;
    }
  }
  return false;
}

Result<void> write_tool_config(json::Writer& w, const model::Request& req) {
  using Mode = model::ToolChoice::Mode;
  const auto& choice = req.tool_choice;
  if (choice.parallel == false) return unsupported("parallel_tool_calls false", kProto);
  if (choice.mode == Mode::None) {
    // Converse has no "none": the same effect is sending no tools, which Bedrock allows
    // only while the conversation holds no tool blocks.
    if (has_tool_blocks(req)) return unsupported("tool_choice none", kProto);
    return {};
  }
  if (req.tools.empty()) {
    if (choice.mode == Mode::Required || choice.mode == Mode::Named) {
      return invalid("tool_choice", "a tool choice needs tools");
    }
    return {};
  }
  w.key("toolConfig").begin_object().key("tools").begin_array();
  for (const auto& tool : req.tools) {
    // strict has no Converse counterpart (as for Anthropic): the schema is still sent.
    w.begin_object().key("toolSpec").begin_object().field("name", tool.name);
    if (!tool.description.empty()) w.field("description", tool.description);
    const std::string_view schema = trim_json(tool.parameters);
    w.key("inputSchema").begin_object().key("json");
    w.raw(schema.empty() || schema == "{}" ? R"({"type":"object"})" : schema);
    w.end_object().end_object().end_object();
  }
  w.end_array();
  switch (choice.mode) {
    case Mode::Auto:
      w.key("toolChoice").begin_object().key("auto").begin_object().end_object().end_object();
      break;
    case Mode::Required:
      w.key("toolChoice").begin_object().key("any").begin_object().end_object().end_object();
      break;
    case Mode::Named:
      w.key("toolChoice").begin_object().key("tool").begin_object().field("name", choice.name);
      w.end_object().end_object();
      break;
    case Mode::Unset:
    case Mode::None:
      break;
  }
  w.end_object();
  return {};
}

Result<void> check_expressible(const model::Request& req) {
  if (req.n && *req.n > 1) return unsupported("n > 1 (several choices)", kProto);
  if (req.presence_penalty) return unsupported("presence_penalty", kProto);
  if (req.frequency_penalty) return unsupported("frequency_penalty", kProto);
  if (req.seed) return unsupported("seed", kProto);
  if (req.response_format.kind == model::ResponseFormat::Kind::JsonObject) {
    return unsupported("response_format json_object", kProto);
  }
  if (req.response_format.kind == model::ResponseFormat::Kind::JsonSchema) {
    return unsupported("response_format json_schema", kProto);
  }
  if (req.temperature && (*req.temperature < 0 || *req.temperature > 1)) {
    return unsupported("temperature outside [0, 1]", kProto);
  }
  if (req.reasoning && !req.reasoning->budget_tokens && !req.reasoning->effort.empty()) {
    return unsupported("reasoning_effort (Bedrock takes a thinking token budget)", kProto);
  }
  for (const auto& s : req.stop) {
    if (s.empty()) return invalid("stop", "stop sequences must not be empty");
  }
  return {};
}

}  // namespace

Result<std::string> BedrockConverseCodec::encode_request(
    const model::Request& req, std::string_view /*upstream_model*/) const {
  if (!req.unportable.empty()) return unsupported(req.unportable.front(), name());
  if (auto r = check_expressible(req); !r) return std::unexpected(r.error());
  std::string out;
  out.reserve(256 + req.turns.size() * 128);
  json::Writer w(out);
  w.begin_object();
  if (auto r = write_messages(w, req); !r) return std::unexpected(r.error());
  if (auto r = write_system(w, req); !r) return std::unexpected(r.error());
  if (req.max_tokens || req.temperature || req.top_p || !req.stop.empty()) {
    w.key("inferenceConfig").begin_object();
    if (req.max_tokens) w.field("maxTokens", static_cast<int64_t>(*req.max_tokens));
    if (req.temperature) w.field("temperature", *req.temperature);
    if (req.top_p) w.field("topP", *req.top_p);
    if (!req.stop.empty()) {
      w.key("stopSequences").begin_array();
      for (const auto& s : req.stop) w.value(s);
      w.end_array();
    }
    w.end_object();
  }
  if (auto r = write_tool_config(w, req); !r) return std::unexpected(r.error());
  const bool thinking = req.reasoning && req.reasoning->budget_tokens;
  if (req.top_k || thinking) {
    w.key("additionalModelRequestFields").begin_object();
    if (req.top_k) w.field("top_k", static_cast<int64_t>(*req.top_k));
    if (thinking) {
      w.key("thinking").begin_object().field("type", "enabled");
      w.field("budget_tokens", static_cast<int64_t>(*req.reasoning->budget_tokens)).end_object();
    }
    w.end_object();
  }
  if (!req.user.empty()) {
    w.key("requestMetadata").begin_object().field("user_id", req.user).end_object();
  }
  w.end_object();
  return out;
}

}  // namespace sy::protocols
