// GeminiCodec: paths, ingress summary, responses and errors (requests are in
// gemini_request.cc, streams in gemini_stream.cc).
#include "protocols/gemini.h"

#include "core/json_writer.h"
#include "protocols/gemini_json.h"
#include "protocols/gemini_wire.h"
#include "protocols/json_read.h"

namespace sy::protocols {
namespace {

using model::Part;

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

Result<void> encode_response_part(const Part& p, size_t i, json::Writer& w) {
  const std::string path = "content[" + std::to_string(i) + "]";
  switch (p.kind) {
    case Part::Kind::Text:
      w.begin_object().field("text", p.text);
      break;
    case Part::Kind::Thinking:
      w.begin_object().field("text", p.text).field("thought", true);
      break;
    case Part::Kind::ToolUse: {
      w.begin_object().key("functionCall").begin_object();
      if (!p.tool_use.id.empty()) w.field("id", p.tool_use.id);
      w.field("name", p.tool_use.name).key("args");
      SY_CHECK(gemini_wire::write_args(p.tool_use.arguments, path, ErrorKind::UpstreamError, w));
      w.end_object();
      break;
    }
    case Part::Kind::RedactedThinking:
      return unsupported(path + ": redacted thinking", "gemini");
    case Part::Kind::Image:
    case Part::Kind::ToolResult:
      return unsupported(path + ": an image or tool result in a response", "gemini");
  }
  if (!p.signature.empty()) w.field("thoughtSignature", p.signature);
  w.end_object();
  return {};
}

}  // namespace

const GeminiCodec& GeminiCodec::instance() {
  static const GeminiCodec codec;
  return codec;
}

Result<model::ChatRequest> GeminiCodec::decode_ingress(std::string body) const {
  SY_TRY(full, decode_request(body));
  model::ChatRequest req;
  req.protocol = model::Protocol::Gemini;
  req.model = full.model;
  req.max_tokens = full.max_tokens;
  req.tools = static_cast<uint32_t>(full.tools.size());
  for (const auto& t : full.tools) req.tool_names.push_back(t.name);
  req.json_schema = full.response_format.kind == model::ResponseFormat::Kind::JsonSchema;
  for (const auto& turn : full.turns) {
    model::Message m;
    m.role = turn.role;
    for (const auto& p : turn.parts) {
      if (p.kind == Part::Kind::Text) m.text += p.text;
      if (p.kind == Part::Kind::Image) ++m.image_parts;
      if (p.kind == Part::Kind::ToolUse) ++m.tool_calls;
    }
    req.messages.push_back(std::move(m));
  }
  req.raw_body = std::move(body);
  return req;
}

std::string GeminiCodec::forward_request(const model::ChatRequest& req,
                                         std::string_view /*upstream_model: in the path*/) const {
  return req.raw_body;
}

std::string GeminiCodec::request_path(std::string_view upstream_model, bool stream) const {
  constexpr std::string_view kPrefix = "models/";
  if (upstream_model.substr(0, kPrefix.size()) == kPrefix)
    upstream_model.remove_prefix(kPrefix.size());
  std::string path = "/v1beta/models/";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : upstream_model) {
    if (unreserved(c)) {
      path += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      path += '%';
      path += kHex[b >> 4];
      path += kHex[b & 15];
    }
  }
  path += stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
  return path;
}

Result<model::Response> GeminiCodec::decode_response(std::string_view body) const {
  size_t next_call = 0;
  SY_TRY(chunk, gemini_wire::decode_chunk(body, next_call));
  if (chunk.is_error) {
    return fail(ErrorKind::UpstreamError,
                "Gemini error " + chunk.error_status + ": " + chunk.error_message);
  }
  model::Response resp;
  resp.id = std::move(chunk.id);
  resp.model = std::move(chunk.model);
  resp.usage = chunk.usage;
  bool calls = false;
  for (const auto& p : chunk.parts) calls = calls || p.kind == Part::Kind::ToolUse;
  resp.content = std::move(chunk.parts);
  if (!chunk.has_candidates) {
    if (chunk.block_reason.empty()) {
      return fail(ErrorKind::UpstreamError,
                  "candidates: missing, and no promptFeedback.blockReason", "candidates");
    }
    // The prompt itself was blocked: an empty answer stopped by the content filter.
    resp.finish = model::FinishReason::ContentFilter;
    return resp;
  }
  resp.finish = gemini_wire::decode_finish(chunk.finish_reason, calls);
  return resp;
}

Result<std::string> GeminiCodec::encode_response(const model::Response& resp) const {
  std::string out;
  json::Writer w(out);
  w.begin_object().key("candidates").begin_array().begin_object();
  if (!resp.content.empty()) {
    w.key("content").begin_object().key("parts").begin_array();
    for (size_t i = 0; i < resp.content.size(); ++i) {
      SY_CHECK(encode_response_part(resp.content[i], i, w));
    }
    w.end_array().field("role", "model").end_object();
  }
  w.field("finishReason", gemini_wire::encode_finish(resp.finish)).field("index", 0);
  w.end_object().end_array();
  if (resp.usage.reported) {
    w.key("usageMetadata");
    gemini_wire::write_usage(resp.usage, w);
  }
  if (!resp.model.empty()) w.field("modelVersion", resp.model);
  if (!resp.id.empty()) w.field("responseId", resp.id);
  w.end_object();
  return out;
}

std::string GeminiCodec::encode_error(const Error& error) const {
  std::string out;
  json::Writer w(out);
  w.begin_object().key("error").begin_object();
  w.field("code", error.status).field("message", error.message);
  w.field("status", gemini_wire::status_name(error.kind));
  w.end_object().end_object();
  return out;
}

std::string GeminiCodec::decode_error_message(std::string_view body) const {
  // The streaming endpoint without alt=sse wraps errors in an array; error_message reads
  // an array's first element.
  return json_read::error_message(body, {"/error/message"}, 512);
}

}  // namespace sy::protocols
