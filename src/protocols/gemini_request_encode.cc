// GeminiCodec::encode_request: a canonical Request → a GenerateContentRequest.
#include <map>
#include <string>

#include "core/json_writer.h"
#include "protocols/gemini.h"
#include "protocols/gemini_json.h"
#include "protocols/gemini_wire.h"

namespace sy::protocols {
namespace {

using namespace gemini_json;  // NOLINT(google-build-using-namespace): the codec's own helpers
using model::Part;
using model::Role;
using model::Turn;

bool is_system(Role r) { return r == Role::System || r == Role::Developer; }

Result<void> encode_part(const Part& p, const std::string& path,
                         const std::map<std::string, std::string>& call_names, json::Writer& w) {
  switch (p.kind) {
    case Part::Kind::Text:
      w.begin_object().field("text", p.text);
      break;
    case Part::Kind::Thinking:
      w.begin_object().field("text", p.text).field("thought", true);
      break;
    case Part::Kind::RedactedThinking:
      return unsupported(path + ": redacted thinking", "gemini");
    case Part::Kind::Image: {
      w.begin_object();
      SY_CHECK(gemini_wire::encode_image(p.image, path, w));
      break;
    }
    case Part::Kind::ToolUse: {
      w.begin_object()
          .key("functionCall")
          .begin_object()
          .field("name", p.tool_use.name)
          .key("args");
      SY_CHECK(gemini_wire::write_args(p.tool_use.arguments, path + ".arguments",
                                              ErrorKind::InvalidRequest, w));
      w.end_object();
      break;
    }
    case Part::Kind::ToolResult: {
      auto it = call_names.find(p.tool_result.tool_use_id);
      if (it == call_names.end()) {
        return fail(ErrorKind::InvalidRequest,
                    path + ": tool result for \"" + p.tool_result.tool_use_id +
                        "\" has no earlier tool call with that id (Gemini needs the function name)",
                    path);
      }
      w.begin_object()
          .key("functionResponse")
          .begin_object()
          .field("name", it->second)
          .key("response");
      gemini_wire::write_tool_response(p.tool_result, w);
      w.end_object();
      break;
    }
  }
  if (!p.signature.empty()) w.field("thoughtSignature", p.signature);
  w.end_object();
  return {};
}

bool skip_part(const Part& p) { return p.kind == Part::Kind::Text && p.text.empty(); }

Result<void> encode_contents(const model::Request& req, json::Writer& w) {
  std::map<std::string, std::string> call_names;  // ToolUse id → name, the latest wins
  w.key("contents").begin_array();
  const char* open_role = nullptr;  // the role of the Content being written
  for (size_t t = 0; t < req.turns.size(); ++t) {
    const Turn& turn = req.turns[t];
    if (is_system(turn.role)) continue;
    const std::string tp = at("turns", t);
    if (!turn.name.empty()) return unsupported(tp + ".name (participant name)", "gemini");
    size_t kept = 0;
    for (const Part& p : turn.parts) kept += skip_part(p) ? 0 : 1;
    if (kept == 0) continue;
    const char* role = turn.role == Role::Assistant ? "model" : "user";
    // Consecutive tool-result turns (OpenAI sends one per call) form one Gemini Content,
    // as Gemini expects the responses to parallel calls together.
    const bool merge = turn.role == Role::Tool && t > 0 && req.turns[t - 1].role == Role::Tool &&
                       open_role != nullptr;
    if (!merge) {
      if (open_role) w.end_array().end_object();
      w.begin_object().field("role", role).key("parts").begin_array();
      open_role = role;
    }
    for (size_t i = 0; i < turn.parts.size(); ++i) {
      const Part& p = turn.parts[i];
      if (skip_part(p)) continue;
      const std::string pp = at(tp + ".parts", i);
      if (turn.role == Role::Assistant &&
          (p.kind == Part::Kind::ToolResult || p.kind == Part::Kind::Image)) {
        return unsupported(pp + ": an assistant image or tool result", "gemini");
      }
      if (turn.role != Role::Assistant &&
          (p.kind == Part::Kind::ToolUse || p.kind == Part::Kind::Thinking ||
           p.kind == Part::Kind::RedactedThinking)) {
        return fail(ErrorKind::InvalidRequest,
                    pp + ": only assistant turns carry tool calls and thinking", pp);
      }
      SY_CHECK(encode_part(p, pp, call_names, w));
      if (p.kind == Part::Kind::ToolUse) call_names[p.tool_use.id] = p.tool_use.name;
    }
  }
  if (open_role) w.end_array().end_object();
  w.end_array();
  return {};
}

Result<void> encode_system(const model::Request& req, json::Writer& w) {
  bool open = false;
  for (size_t t = 0; t < req.turns.size(); ++t) {
    const Turn& turn = req.turns[t];
    if (!is_system(turn.role)) continue;
    for (size_t i = 0; i < turn.parts.size(); ++i) {
      const Part& p = turn.parts[i];
      if (p.kind != Part::Kind::Text) {
        return unsupported(at(at("turns", t) + ".parts", i) + ": non-text system content",
                           "gemini");
      }
      if (p.text.empty()) continue;
      if (!open) {
        w.key("systemInstruction").begin_object().key("parts").begin_array();
        open = true;
      }
      w.begin_object().field("text", p.text).end_object();
    }
  }
  if (open) w.end_array().end_object();
  return {};
}

Result<void> encode_tools(const model::Request& req, json::Writer& w) {
  if (!req.tools.empty()) {
    w.key("tools").begin_array().begin_object().key("functionDeclarations").begin_array();
    for (size_t i = 0; i < req.tools.size(); ++i) {
      const auto& t = req.tools[i];
      w.begin_object().field("name", t.name);
      if (!t.description.empty()) w.field("description", t.description);
      const std::string& params = t.parameters.empty() ? std::string("{}") : t.parameters;
      SY_TRY(schema, strip_schema_keyword(params, ErrorKind::InvalidRequest,
                                                 at("tools", i) + ".parameters"));
      // {} (no parameters) is left out: Gemini wants an object schema with properties.
      if (schema != "{}") {
        w.key(openapi_dialect(schema) ? "parameters" : "parametersJsonSchema").raw(schema);
      }
      w.end_object();
    }
    w.end_array().end_object().end_array();
  }
  const auto& tc = req.tool_choice;
  if (tc.parallel && !*tc.parallel) return unsupported("parallel_tool_calls=false", "gemini");
  using Mode = model::ToolChoice::Mode;
  if (tc.mode == Mode::Unset) return {};
  w.key("toolConfig").begin_object().key("functionCallingConfig").begin_object();
  switch (tc.mode) {
    case Mode::Unset:
    case Mode::Auto:
      w.field("mode", "AUTO");
      break;
    case Mode::None:
      w.field("mode", "NONE");
      break;
    case Mode::Required:
      w.field("mode", "ANY");
      break;
    case Mode::Named:
      w.field("mode", "ANY").key("allowedFunctionNames").begin_array().value(tc.name).end_array();
      break;
  }
  w.end_object().end_object();
  return {};
}

Result<void> encode_generation_config(const model::Request& req, json::Writer& w) {
  std::string body;
  json::Writer g(body);
  g.begin_object();
  if (req.temperature) g.field("temperature", *req.temperature);
  if (req.top_p) g.field("topP", *req.top_p);
  if (req.top_k) g.field("topK", static_cast<uint64_t>(*req.top_k));
  if (req.max_tokens) g.field("maxOutputTokens", static_cast<uint64_t>(*req.max_tokens));
  if (req.n) g.field("candidateCount", static_cast<uint64_t>(*req.n));
  if (req.presence_penalty) g.field("presencePenalty", *req.presence_penalty);
  if (req.frequency_penalty) g.field("frequencyPenalty", *req.frequency_penalty);
  if (req.seed) g.field("seed", *req.seed);
  if (!req.stop.empty()) {
    g.key("stopSequences").begin_array();
    for (const auto& s : req.stop) g.value(s);
    g.end_array();
  }
  using Kind = model::ResponseFormat::Kind;
  if (req.response_format.kind != Kind::Text) g.field("responseMimeType", "application/json");
  if (req.response_format.kind == Kind::JsonSchema) {
    SY_TRY(schema,
                  strip_schema_keyword(req.response_format.schema, ErrorKind::InvalidRequest,
                                       "response_format.schema"));
    g.key(openapi_dialect(schema) ? "responseSchema" : "responseJsonSchema").raw(schema);
  }
  if (req.reasoning) {
    g.key("thinkingConfig").begin_object();
    if (req.reasoning->budget_tokens) {
      g.field("thinkingBudget", static_cast<uint64_t>(*req.reasoning->budget_tokens));
    }
    if (!req.reasoning->effort.empty()) g.field("thinkingLevel", req.reasoning->effort);
    // Ask for the thoughts, so that clients that asked for thinking see it.
    g.field("includeThoughts", true);
    g.end_object();
  }
  g.end_object();
  if (body != "{}") w.key("generationConfig").raw(body);
  return {};
}

}  // namespace

Result<std::string> GeminiCodec::encode_request(
    const model::Request& req, std::string_view /*upstream_model: in the path*/) const {
  if (!req.unportable.empty()) return unsupported(req.unportable.front(), name());
  std::string out;
  out.reserve(512);
  json::Writer w(out);
  w.begin_object();
  SY_CHECK(encode_contents(req, w));
  SY_CHECK(encode_system(req, w));
  SY_CHECK(encode_tools(req, w));
  SY_CHECK(encode_generation_config(req, w));
  w.end_object();
  return out;
}

}  // namespace sy::protocols
