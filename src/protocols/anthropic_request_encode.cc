// Canonical request → Anthropic Messages body (a client of another protocol reaching a
// Claude deployment). System and developer turns are hoisted into `system`; tool results
// and the user turn after them are merged into one user message; tool arguments must be
// JSON objects (they become `input`). What Anthropic cannot express fails with
// unsupported(), see docs/protocols.md.
#include <simdjson.h>

#include "protocols/anthropic_json.h"
#include "protocols/anthropic_messages.h"

namespace sy::protocols {
namespace {

using namespace anthropic;  // NOLINT(google-build-using-namespace): the codec's own helpers
using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::Part;
using model::Role;

constexpr std::string_view kProto = "anthropic_messages";

std::unexpected<Error> invalid(const std::string& path, std::string_view what) {
  return bad(ErrorKind::InvalidRequest, path, what);
}

// "data:<media type>;base64,<data>" → media type and data; false for any other URL.
bool split_data_url(std::string_view url, std::string_view& media_type, std::string_view& data) {
  constexpr std::string_view kPrefix = "data:";
  constexpr std::string_view kMarker = ";base64,";
  if (url.substr(0, kPrefix.size()) != kPrefix) return false;
  const size_t marker = url.find(kMarker);
  if (marker == std::string_view::npos) return false;
  media_type = url.substr(kPrefix.size(), marker - kPrefix.size());
  data = url.substr(marker + kMarker.size());
  return true;
}

Result<void> write_image(json::Writer& w, const model::Image& image, const std::string& path) {
  w.begin_object().field("type", "image").key("source").begin_object();
  std::string_view media_type, data;
  if (image.source == model::Image::Source::Base64) {
    w.field("type", "base64").field("media_type", image.media_type).field("data", image.data);
  } else if (split_data_url(image.url, media_type, data)) {
    w.field("type", "base64").field("media_type", media_type).field("data", data);
  } else if (image.url.starts_with("data:")) {
    return invalid(path, "a data: image URL must be base64 (data:<type>;base64,<data>)");
  } else {
    w.field("type", "url").field("url", image.url);
  }
  w.end_object().end_object();
  return {};
}

Result<void> write_part(json::Writer& w, const Part& part, const std::string& path,
                        size_t& tool_call) {
  switch (part.kind) {
    case Part::Kind::Text:
      w.begin_object().field("type", "text").field("text", part.text).end_object();
      return {};
    case Part::Kind::Image: return write_image(w, part.image, path);
    case Part::Kind::ToolUse: {
      const std::string call_path = path.substr(0, path.rfind('.')) + ".tool_calls[" +
                                    std::to_string(tool_call++) + "]";
      std::string_view input = trim_json(part.tool_use.arguments);
      std::string why;
      if (input.empty()) {
        input = "{}";
      } else if (!is_json_object(input, why)) {
        return invalid(call_path + ".function.arguments",
                       "tool call " + part.tool_use.id + ": arguments are " + why);
      }
      w.begin_object().field("type", "tool_use").field("id", part.tool_use.id);
      w.field("name", part.tool_use.name).key("input").raw(input).end_object();
      return {};
    }
    case Part::Kind::ToolResult:
      w.begin_object().field("type", "tool_result").field("tool_use_id", part.tool_result.tool_use_id);
      w.field("content", part.tool_result.text);
      if (part.tool_result.is_error) w.field("is_error", true);
      w.end_object();
      return {};
    case Part::Kind::Thinking:
      w.begin_object().field("type", "thinking").field("thinking", part.text);
      w.field("signature", part.signature).end_object();
      return {};
    case Part::Kind::RedactedThinking:
      w.begin_object().field("type", "redacted_thinking").field("data", part.text).end_object();
      return {};
  }
  return {};
}

Result<void> write_system(json::Writer& w, const model::Request& req) {
  size_t texts = 0;
  const Part* only = nullptr;
  for (size_t t = 0; t < req.turns.size(); ++t) {
    const auto& turn = req.turns[t];
    if (turn.role != Role::System && turn.role != Role::Developer) continue;
    for (size_t p = 0; p < turn.parts.size(); ++p) {
      if (turn.parts[p].kind != Part::Kind::Text) {
        return unsupported("messages[" + std::to_string(t) + "].content[" + std::to_string(p) +
                               "] (a non-text part in a system message)",
                           kProto);
      }
      ++texts;
      only = &turn.parts[p];
    }
  }
  if (texts == 0) return {};
  w.key("system");
  if (texts == 1) {
    w.value(only->text);
    return {};
  }
  w.begin_array();
  for (const auto& turn : req.turns) {
    if (turn.role != Role::System && turn.role != Role::Developer) continue;
    for (const auto& part : turn.parts) {
      w.begin_object().field("type", "text").field("text", part.text).end_object();
    }
  }
  w.end_array();
  return {};
}

Result<void> write_messages(json::Writer& w, const model::Request& req) {
  w.key("messages").begin_array();
  // Anthropic roles: Tool turns are user turns. Consecutive user-side turns (tool results,
  // then the user's next words) go into one user message, tool results first.
  const char* open_role = nullptr;
  for (size_t t = 0; t < req.turns.size(); ++t) {
    const auto& turn = req.turns[t];
    if (turn.role == Role::System || turn.role == Role::Developer) continue;
    const std::string path = "messages[" + std::to_string(t) + "]";
    if (!turn.name.empty()) return unsupported(path + ".name (a participant name)", kProto);
    const char* role = turn.role == Role::Assistant ? "assistant" : "user";
    const bool merge = open_role == role && turn.role != Role::Assistant;
    if (!merge) {
      if (open_role) w.end_array().end_object();
      w.begin_object().field("role", role).key("content").begin_array();
      open_role = role;
    }
    size_t tool_call = 0;
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
      if (part.kind == Part::Kind::Text && part.text.empty()) continue;  // Anthropic rejects ""
      if (auto r = write_part(w, part, ppath, tool_call); !r) return r;
    }
  }
  if (open_role) w.end_array().end_object();
  w.end_array();
  return {};
}

void write_tools(json::Writer& w, const model::Request& req) {
  if (req.tools.empty()) return;
  w.key("tools").begin_array();
  for (const auto& tool : req.tools) {
    w.begin_object().field("name", tool.name);
    if (!tool.description.empty()) w.field("description", tool.description);
    // strict has no Anthropic counterpart; Claude follows the schema without it (documented).
    const std::string_view schema = trim_json(tool.parameters);
    w.key("input_schema").raw(schema.empty() || schema == "{}" ? R"({"type":"object"})" : schema);
    w.end_object();
  }
  w.end_array();
}

void write_tool_choice(json::Writer& w, const model::ToolChoice& choice) {
  using Mode = model::ToolChoice::Mode;
  const bool no_parallel = choice.parallel == false;
  if (choice.mode == Mode::Unset && !no_parallel) return;
  w.key("tool_choice").begin_object();
  switch (choice.mode) {
    case Mode::Unset:
    case Mode::Auto: w.field("type", "auto"); break;
    case Mode::None: w.field("type", "none"); break;
    case Mode::Required: w.field("type", "any"); break;
    case Mode::Named: w.field("type", "tool").field("name", choice.name); break;
  }
  if (no_parallel && choice.mode != Mode::None) w.field("disable_parallel_tool_use", true);
  w.end_object();
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
    return unsupported("reasoning_effort (Anthropic takes a thinking token budget)", kProto);
  }
  if (req.stop.size() > 0) {
    for (const auto& s : req.stop) {
      if (s.empty()) return invalid("stop", "stop sequences must not be empty");
    }
  }
  return {};
}

}  // namespace

Result<std::string> AnthropicMessagesCodec::encode_request(const model::Request& req,
                                                           std::string_view upstream_model) const {
  if (!req.unportable.empty()) return unsupported(req.unportable.front(), name());
  if (auto r = check_expressible(req); !r) return std::unexpected(r.error());
  std::string out;
  out.reserve(256 + req.turns.size() * 128);
  json::Writer w(out);
  w.begin_object().field("model", upstream_model);
  w.field("max_tokens", static_cast<int64_t>(req.max_tokens.value_or(kDefaultMaxTokens)));
  if (auto r = write_system(w, req); !r) return std::unexpected(r.error());
  if (auto r = write_messages(w, req); !r) return std::unexpected(r.error());
  if (!req.stop.empty()) {
    w.key("stop_sequences").begin_array();
    for (const auto& s : req.stop) w.value(s);
    w.end_array();
  }
  if (req.temperature) w.field("temperature", *req.temperature);
  if (req.top_p) w.field("top_p", *req.top_p);
  if (req.top_k) w.field("top_k", static_cast<int64_t>(*req.top_k));
  write_tools(w, req);
  write_tool_choice(w, req.tool_choice);
  if (req.reasoning && req.reasoning->budget_tokens) {
    w.key("thinking").begin_object().field("type", "enabled");
    w.field("budget_tokens", static_cast<int64_t>(*req.reasoning->budget_tokens)).end_object();
  }
  if (!req.user.empty()) w.key("metadata").begin_object().field("user_id", req.user).end_object();
  if (req.stream) w.field("stream", true);
  w.end_object();
  return out;
}

}  // namespace sy::protocols
