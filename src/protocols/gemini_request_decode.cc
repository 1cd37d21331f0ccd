// GeminiCodec::decode_request: a GenerateContentRequest → the canonical Request.
#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

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

constexpr std::string_view kCanonical = "the canonical model";

od::parser& request_parser() {
  thread_local od::parser p;
  return p;
}

// The state of one request decode: ids given to function calls not yet answered.
struct DecodeState {
  const Reader rd{ErrorKind::InvalidRequest};
  size_t next_call = 0;
  std::vector<std::pair<std::string, std::string>> pending;  // (name, id) of unanswered calls
};

Result<void> decode_part(od::value& v, const std::string& path, DecodeState& st,
                         std::vector<Part>& out) {
  const Reader& rd = st.rd;
  SY_TRY(obj, rd.object(v, path));
  Part part;
  bool has_data = false, thought = false;
  std::string signature, call_id;
  bool is_response = false;
  std::string response_text;
  auto one_data = [&](std::string_view key) -> Result<void> {
    if (has_data) return rd.bad(dot(path, key), "a part holds exactly one kind of data");
    has_data = true;
    return {};
  };
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(path, key);
    if (key == "text") {
      SY_CHECK(one_data(key));
      SY_TRY(s, rd.string(f, fp));
      part.kind = Part::Kind::Text;
      part.text.assign(s);
    } else if (key == "thought") {
      SY_TRY(b, rd.boolean(f, fp));
      thought = b;
    } else if (key == "thoughtSignature") {
      SY_TRY(s, rd.string(f, fp));
      signature.assign(s);
    } else if (key == "inlineData" || key == "fileData") {
      SY_CHECK(one_data(key));
      SY_TRY(img, gemini_wire::decode_blob(rd, f, fp, key == "inlineData"));
      part.kind = Part::Kind::Image;
      part.image = std::move(img);
    } else if (key == "functionCall") {
      SY_CHECK(one_data(key));
      SY_TRY(call, gemini_wire::decode_function_call(rd, f, fp));
      part.kind = Part::Kind::ToolUse;
      part.tool_use = std::move(call);
    } else if (key == "functionResponse") {
      SY_CHECK(one_data(key));
      SY_TRY(fr, rd.object(f, fp));
      std::string name;
      SY_CHECK(rd.fields(fr, [&](std::string_view k, od::value& x) -> Result<void> {
        const std::string xp = dot(fp, k);
        if (k == "name") {
          SY_TRY(s, rd.string(x, xp));
          name.assign(s);
        } else if (k == "id") {
          SY_TRY(s, rd.string(x, xp));
          call_id.assign(s);
        } else if (k == "response") {
          SY_TRY(raw, rd.raw_object(x, xp));
          response_text.assign(raw);
        } else {
          return unsupported(xp, kCanonical);
        }
        return {};
      }));
      if (name.empty()) return rd.bad(dot(fp, "name"), "required");
      part.kind = Part::Kind::ToolResult;
      part.tool_use.name = std::move(name);  // kept until the id is resolved below
      is_response = true;
    } else {
      return unsupported(fp, kCanonical);
    }
    return {};
  }));
  if (!has_data)
    return rd.bad(path,
                  "a part needs text, inlineData, fileData, functionCall or functionResponse");
  if (thought) {
    if (part.kind != Part::Kind::Text)
      return rd.bad(dot(path, "thought"), "only a text part can be a thought");
    part.kind = Part::Kind::Thinking;
  }
  part.signature = std::move(signature);
  if (part.kind == Part::Kind::ToolUse) {
    if (part.tool_use.id.empty()) part.tool_use.id = "call_" + std::to_string(st.next_call);
    ++st.next_call;
    st.pending.emplace_back(part.tool_use.name, part.tool_use.id);
  } else if (is_response) {
    const std::string name = std::move(part.tool_use.name);
    part.tool_use = {};
    auto it = st.pending.begin();
    if (call_id.empty()) {
      while (it != st.pending.end() && it->first != name) ++it;
      if (it == st.pending.end()) {
        return rd.bad(dot(path, "functionResponse.name"),
                      "no earlier functionCall named \"" + name + "\" is waiting for a response");
      }
      call_id = it->second;
    } else {
      while (it != st.pending.end() && it->second != call_id) ++it;
    }
    if (it != st.pending.end()) st.pending.erase(it);
    part.tool_result = gemini_wire::tool_result_from_response(call_id, response_text);
  }
  out.push_back(std::move(part));
  return {};
}

// One Content: user parts that are function responses become Role::Tool turns, the rest
// Role::User (or Role::Assistant for "model").
Result<void> decode_content(od::value& v, const std::string& path, DecodeState& st,
                            std::vector<Turn>& turns) {
  const Reader& rd = st.rd;
  SY_TRY(obj, rd.object(v, path));
  Role role = Role::User;
  std::vector<Part> parts;
  bool has_parts = false;
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(path, key);
    if (key == "role") {
      SY_TRY(r, rd.string(f, fp));
      if (r == "model") {
        role = Role::Assistant;
      } else if (r == "user" || r == "function" || r.empty()) {
        role = Role::User;
      } else {
        return rd.bad(fp, "unknown role \"" + std::string(r) + "\" (expected user or model)");
      }
    } else if (key == "parts") {
      SY_TRY(arr, rd.array(f, fp));
      has_parts = true;
      return rd.items(arr,
                      [&](size_t i, od::value& p) { return decode_part(p, at(fp, i), st, parts); });
    } else {
      return unsupported(fp, kCanonical);
    }
    return {};
  }));
  if (!has_parts || parts.empty())
    return rd.bad(dot(path, "parts"), "must contain at least one part");
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool result = parts[i].kind == Part::Kind::ToolResult;
    if (result && role == Role::Assistant) {
      return rd.bad(at(dot(path, "parts"), i), "a model turn cannot carry a functionResponse");
    }
    if (role == Role::User && !result && parts[i].kind != Part::Kind::Text &&
        parts[i].kind != Part::Kind::Image) {
      return rd.bad(at(dot(path, "parts"), i),
                    "a user turn can carry only text, images and function responses");
    }
    const Role want = result ? Role::Tool : role;
    if (turns.empty() || turns.back().role != want || i == 0) turns.push_back(Turn{want, {}, {}});
    turns.back().parts.push_back(std::move(parts[i]));
  }
  return {};
}

Result<void> decode_system(od::value& v, const std::string& path, const Reader& rd,
                           std::vector<Turn>& turns) {
  SY_TRY(obj, rd.object(v, path));
  Turn turn{Role::System, {}, {}};
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(path, key);
    if (key == "role") {
      SY_TRY(role, rd.string(f, fp));
      (void)role;
      return {};
    }
    if (key != "parts") return unsupported(fp, kCanonical);
    SY_TRY(arr, rd.array(f, fp));
    return rd.items(arr, [&](size_t i, od::value& p) -> Result<void> {
      const std::string pp = at(fp, i);
      SY_TRY(po, rd.object(p, pp));
      return rd.fields(po, [&](std::string_view k, od::value& x) -> Result<void> {
        if (k != "text") return unsupported(dot(pp, k) + " in a systemInstruction", kCanonical);
        SY_TRY(s, rd.string(x, dot(pp, k)));
        turn.parts.push_back(Part::make_text(std::string(s)));
        return {};
      });
    });
  }));
  if (turn.parts.empty()) return {};
  if (turns.empty()) {
    turns.push_back(std::move(turn));
  } else {  // a repeated key: one system turn all the same
    for (auto& p : turn.parts) turns.front().parts.push_back(std::move(p));
  }
  return {};
}

Result<void> decode_tools(od::value& v, const Reader& rd, model::Request& req) {
  SY_TRY(arr, rd.array(v, "tools"));
  return rd.items(arr, [&](size_t i, od::value& t) -> Result<void> {
    const std::string tp = at("tools", i);
    SY_TRY(obj, rd.object(t, tp));
    return rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
      const std::string fp = dot(tp, key);
      if (key != "functionDeclarations") return unsupported(fp, kCanonical);
      SY_TRY(decls, rd.array(f, fp));
      return rd.items(decls, [&](size_t j, od::value& d) -> Result<void> {
        const std::string dp = at(fp, j);
        SY_TRY(dobj, rd.object(d, dp));
        model::ToolDefinition def;
        SY_CHECK(rd.fields(dobj, [&](std::string_view k, od::value& x) -> Result<void> {
          const std::string xp = dot(dp, k);
          if (k == "name") {
            SY_TRY(s, rd.string(x, xp));
            def.name.assign(s);
          } else if (k == "description") {
            SY_TRY(s, rd.string(x, xp));
            def.description.assign(s);
          } else if (k == "parameters" || k == "parametersJsonSchema") {
            SY_TRY(raw, rd.raw_object(x, xp));
            def.parameters.assign(raw);
          } else {
            return unsupported(xp, kCanonical);
          }
          return {};
        }));
        if (def.name.empty()) return rd.bad(dot(dp, "name"), "required");
        if (def.parameters.empty()) def.parameters = "{}";
        req.tools.push_back(std::move(def));
        return {};
      });
    });
  });
}

Result<void> decode_tool_config(od::value& v, const Reader& rd, model::Request& req) {
  SY_TRY(obj, rd.object(v, "toolConfig"));
  return rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key != "functionCallingConfig") return unsupported(dot("toolConfig", key), kCanonical);
    const std::string fp = "toolConfig.functionCallingConfig";
    SY_TRY(fc, rd.object(f, fp));
    std::string mode;
    std::vector<std::string> names;
    SY_CHECK(rd.fields(fc, [&](std::string_view k, od::value& x) -> Result<void> {
      const std::string xp = dot(fp, k);
      if (k == "mode") {
        SY_TRY(s, rd.string(x, xp));
        mode.assign(s);
      } else if (k == "allowedFunctionNames") {
        SY_TRY(arr, rd.array(x, xp));
        return rd.items(arr, [&](size_t i, od::value& n) -> Result<void> {
          SY_TRY(s, rd.string(n, at(xp, i)));
          names.emplace_back(s);
          return {};
        });
      } else {
        return unsupported(xp, kCanonical);
      }
      return {};
    }));
    auto& tc = req.tool_choice;
    if (mode == "AUTO") {
      tc.mode = model::ToolChoice::Mode::Auto;
    } else if (mode == "NONE") {
      tc.mode = model::ToolChoice::Mode::None;
    } else if (mode == "ANY") {
      tc.mode = model::ToolChoice::Mode::Required;
      if (names.size() == 1) {
        tc.mode = model::ToolChoice::Mode::Named;
        tc.name = names[0];
      } else if (names.size() > 1) {
        return unsupported(dot(fp, "allowedFunctionNames") + " with several names", kCanonical);
      }
    } else if (mode.empty() || mode == "MODE_UNSPECIFIED") {
      tc.mode = model::ToolChoice::Mode::Unset;
    } else {
      return unsupported(dot(fp, "mode") + " " + mode, kCanonical);
    }
    if (!names.empty() && tc.mode != model::ToolChoice::Mode::Named) {
      return rd.bad(dot(fp, "allowedFunctionNames"), "only allowed with mode ANY");
    }
    return {};
  });
}

Result<void> decode_generation_config(od::value& v, const Reader& rd, model::Request& req) {
  const std::string gp = "generationConfig";
  SY_TRY(obj, rd.object(v, gp));
  std::string mime;
  std::string schema;
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(gp, key);
    if (rd.is_null(f)) return {};
    if (key == "temperature") {
      SY_TRY(d, rd.number(f, fp));
      req.temperature = d;
    } else if (key == "topP") {
      SY_TRY(d, rd.number(f, fp));
      req.top_p = d;
    } else if (key == "topK") {
      SY_TRY(n, rd.count(f, fp));
      req.top_k = n;
    } else if (key == "maxOutputTokens") {
      SY_TRY(n, rd.count(f, fp));
      req.max_tokens = n;
    } else if (key == "candidateCount") {
      SY_TRY(n, rd.count(f, fp));
      req.n = n;
    } else if (key == "presencePenalty") {
      SY_TRY(d, rd.number(f, fp));
      req.presence_penalty = d;
    } else if (key == "frequencyPenalty") {
      SY_TRY(d, rd.number(f, fp));
      req.frequency_penalty = d;
    } else if (key == "seed") {
      SY_TRY(n, rd.integer(f, fp));
      req.seed = n;
    } else if (key == "stopSequences") {
      SY_TRY(arr, rd.array(f, fp));
      return rd.items(arr, [&](size_t i, od::value& s) -> Result<void> {
        SY_TRY(str, rd.string(s, at(fp, i)));
        req.stop.emplace_back(str);
        return {};
      });
    } else if (key == "responseMimeType") {
      SY_TRY(s, rd.string(f, fp));
      mime.assign(s);
    } else if (key == "responseSchema" || key == "responseJsonSchema") {
      SY_TRY(raw, rd.raw_object(f, fp));
      schema.assign(raw);
    } else if (key == "thinkingConfig") {
      SY_TRY(tc, rd.object(f, fp));
      model::Reasoning reasoning;
      SY_CHECK(rd.fields(tc, [&](std::string_view k, od::value& x) -> Result<void> {
        const std::string xp = dot(fp, k);
        if (k == "thinkingBudget") {
          SY_TRY(n, rd.integer(x, xp));
          if (n < -1 || n > static_cast<int64_t>(UINT32_MAX))
            return rd.bad(xp, "must be -1 or more");
          if (n >= 0) reasoning.budget_tokens = static_cast<uint32_t>(n);
        } else if (k == "thinkingLevel") {
          SY_TRY(s, rd.string(x, xp));
          reasoning.effort.assign(s);
          for (auto& c : reasoning.effort)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (k == "includeThoughts") {
          SY_TRY(include, rd.boolean(x, xp));
          (void)include;  // thoughts are asked for whenever reasoning is set
        } else {
          return unsupported(xp, kCanonical);
        }
        return {};
      }));
      req.reasoning = std::move(reasoning);
    } else {
      return unsupported(fp, kCanonical);
    }
    return {};
  }));
  if (!schema.empty()) {
    if (!mime.empty() && mime != "application/json") {
      return rd.bad(dot(gp, "responseMimeType"), "a response schema needs \"application/json\"");
    }
    req.response_format.kind = model::ResponseFormat::Kind::JsonSchema;
    req.response_format.schema = std::move(schema);
  } else if (mime == "application/json") {
    req.response_format.kind = model::ResponseFormat::Kind::JsonObject;
  } else if (!mime.empty() && mime != "text/plain") {
    return unsupported(dot(gp, "responseMimeType") + " " + mime, kCanonical);
  }
  return {};
}

}  // namespace

Result<model::Request> GeminiCodec::decode_request(std::string_view body) const {
  DecodeState st;
  const Reader& rd = st.rd;
  const simdjson::padded_string text(body);
  od::document doc;
  SY_TRY(root, rd.root(request_parser(), text, doc));
  model::Request req;
  bool has_contents = false;
  std::vector<Turn> system;
  SY_CHECK(rd.fields(root, [&](std::string_view key, od::value& v) -> Result<void> {
    const std::string k(key);
    if (key == "contents") {
      SY_TRY(arr, rd.array(v, k));
      has_contents = true;
      return rd.items(
          arr, [&](size_t i, od::value& c) { return decode_content(c, at(k, i), st, req.turns); });
    }
    if (key == "systemInstruction" || key == "system_instruction") {
      return decode_system(v, k, rd, system);
    }
    if (key == "tools") return decode_tools(v, rd, req);
    if (key == "toolConfig") return decode_tool_config(v, rd, req);
    if (key == "generationConfig") return decode_generation_config(v, rd, req);
    if (key == "model") {
      SY_TRY(s, rd.string(v, k));
      req.model.assign(s);
      return {};
    }
    return unsupported(k, kCanonical);
  }));
  if (!at_end(doc)) return rd.bad("", "trailing content after the request object");
  if (!has_contents || req.turns.empty()) {
    return rd.bad("contents", "must contain at least one content");
  }
  if (!system.empty()) req.turns.insert(req.turns.begin(), std::move(system.front()));
  return req;
}

}  // namespace sy::protocols
