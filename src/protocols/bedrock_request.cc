// Bedrock Converse requests → the canonical model (decode_request), request paths, and the
// ingress refusal. A Converse block is an object with one member naming its kind ({"text":
// …}, {"image": …}, {"toolUse": …}, {"toolResult": …}, {"reasoningContent": …}); what the
// canonical model cannot hold (documents, videos, guard content, S3 image sources,
// guardrails, prompt variables) is an unsupported() error, never dropped. cachePoint
// blocks are prompt-cache hints with no content and are skipped.
#include <simdjson.h>

#include <optional>

#include "protocols/bedrock_converse.h"
#include "protocols/json_read.h"

namespace sy::protocols {
namespace {

using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::Part;
using model::Role;

constexpr ErrorKind kKind = ErrorKind::InvalidRequest;
constexpr std::string_view kTranslation = "a request translated to another protocol";

od::parser& request_parser() {
  thread_local od::parser p;
  return p;
}

// Iterates the members of object `o`: fn(key, value, path_of_member) → Result<void>.
template <class Fn>
Result<void> each_field(od::object o, const std::string& path, Fn&& fn) {
  for (auto field : o) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    SY_CHECK(fn(key, v, path.empty() ? std::string(key) : path + "." + std::string(key)));
  }
  return {};
}

// Iterates the items of array `a`: fn(value, path_of_item) → Result<void>. Returns the count.
template <class Fn>
Result<size_t> each_item(od::array a, const std::string& path, Fn&& fn) {
  size_t i = 0;
  for (auto item : a) {
    od::value v;
    if (auto ec = item.get(v)) return malformed(kKind, ec);
    SY_CHECK(fn(v, at(path, i++)));
  }
  return i;
}

class RequestReader {
 public:
  explicit RequestReader(model::Request& req) : req_(req) {}
  Result<void> read(od::document& doc);

 private:
  Result<void> read_system(od::value v, const std::string& path);
  Result<void> read_message(od::value v, const std::string& path);
  Result<void> read_block(od::value v, const std::string& path, Part& part, bool& skip);
  Result<void> read_image(od::value v, const std::string& path, model::Image& image);
  Result<void> read_tool_use(od::value v, const std::string& path, model::ToolUse& use);
  Result<void> read_tool_result(od::value v, const std::string& path, model::ToolResult& result);
  Result<void> read_reasoning(od::value v, const std::string& path, Part& part);
  Result<void> read_inference(od::value v, const std::string& path);
  Result<void> read_tool_config(od::value v, const std::string& path);
  Result<void> read_tool(od::value v, const std::string& path);
  Result<void> read_tool_choice(od::value v, const std::string& path);
  Result<void> read_additional(od::value v, const std::string& path);
  Result<void> read_metadata(od::value v, const std::string& path);

  model::Request& req_;
};

Result<void> RequestReader::read(od::document& doc) {
  od::object root;
  if (auto ec = doc.get_object().get(root)) {
    if (ec == simdjson::INCORRECT_TYPE) return bad(kKind, "", "request body must be a JSON object");
    return malformed(kKind, ec);
  }
  bool has_messages = false;
  SY_CHECK(each_field(
      root, "", [&](std::string_view key, od::value v, const std::string& path) -> Result<void> {
        if (key == "messages") {
          has_messages = true;
          SY_TRY(arr, read_array(v, path, kKind));
          SY_TRY(n, each_item(arr, path, [&](od::value m, const std::string& p) {
                   return read_message(m, p);
                 }));
          if (n == 0) return bad(kKind, path, "must contain at least one message");
          return {};
        }
        if (key == "system") return read_system(v, path);
        if (key == "inferenceConfig") return read_inference(v, path);
        if (key == "toolConfig") return read_tool_config(v, path);
        if (key == "additionalModelRequestFields") return read_additional(v, path);
        if (key == "requestMetadata") return read_metadata(v, path);
        if (key == "modelId") {  // in the path on the wire; accepted in the body for tests
          SY_TRY(s, read_string(v, path, kKind));
          req_.model.assign(s);
          return {};
        }
        return unsupported("the field \"" + path + "\"", kTranslation);
      }));
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return bad(kKind, "", "request body is not valid JSON: unexpected content after the object");
  }
  if (!has_messages) return bad(kKind, "messages", "required");
  return {};
}

Result<void> RequestReader::read_system(od::value v, const std::string& path) {
  SY_TRY(arr, read_array(v, path, kKind));
  model::Turn turn;
  turn.role = Role::System;
  SY_CHECK(each_item(arr, path, [&](od::value b, const std::string& bpath) -> Result<void> {
    SY_TRY(obj, read_object(b, bpath, kKind));
    return each_field(
        obj, bpath,
        [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
          if (key == "text") {
            SY_TRY(s, read_string(fv, fpath, kKind));
            turn.parts.push_back(Part::make_text(std::string(s)));
            return {};
          }
          if (key == "cachePoint") return {};
          return unsupported(fpath + " (a system " + std::string(key) + " block)", kTranslation);
        });
  }));
  if (!turn.parts.empty()) {
    // System turns go first, whatever the key order of the body.
    size_t pos = 0;
    while (pos < req_.turns.size() && req_.turns[pos].role == Role::System) ++pos;
    req_.turns.insert(req_.turns.begin() + static_cast<std::ptrdiff_t>(pos), std::move(turn));
  }
  return {};
}

Result<void> RequestReader::read_message(od::value mv, const std::string& path) {
  SY_TRY(msg, read_object(mv, path, kKind));
  std::optional<Role> role;
  std::vector<Part> parts;
  std::vector<std::string> part_paths;
  bool has_content = false;
  SY_CHECK(each_field(
      msg, path, [&](std::string_view key, od::value v, const std::string& fpath) -> Result<void> {
        if (key == "role") {
          SY_TRY(r, read_string(v, fpath, kKind));
          if (r == "user") {
            role = Role::User;
          } else if (r == "assistant") {
            role = Role::Assistant;
          } else {
            return bad(kKind, fpath,
                       "must be \"user\" or \"assistant\", got \"" + std::string(r) + "\"");
          }
          return {};
        }
        if (key == "content") {
          has_content = true;
          SY_TRY(arr, read_array(v, fpath, kKind));
          SY_CHECK(
              each_item(arr, fpath, [&](od::value b, const std::string& bpath) -> Result<void> {
                Part part;
                bool skip = false;
                SY_CHECK(read_block(b, bpath, part, skip));
                if (!skip) {
                  parts.push_back(std::move(part));
                  part_paths.push_back(bpath);
                }
                return {};
              }));
          return {};
        }
        return {};  // Bedrock defines no other member; unknown ones carry nothing
      }));
  if (!role) return bad(kKind, path + ".role", "required");
  if (!has_content) return bad(kKind, path + ".content", "required");
  // A turn per run: consecutive tool results become one Role::Tool turn.
  std::optional<Role> previous;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto& part = parts[i];
    const bool is_result = part.kind == Part::Kind::ToolResult;
    if (*role == Role::Assistant && (is_result || part.kind == Part::Kind::Image)) {
      return bad(kKind, part_paths[i], "toolResult and image blocks belong to user messages");
    }
    if (*role == Role::User && part.kind != Part::Kind::Text && part.kind != Part::Kind::Image &&
        !is_result) {
      return bad(kKind, part_paths[i],
                 "toolUse and reasoningContent blocks belong to assistant messages");
    }
    const Role turn_role = is_result ? Role::Tool : *role;
    if (previous != turn_role) {
      model::Turn turn;
      turn.role = turn_role;
      req_.turns.push_back(std::move(turn));
      previous = turn_role;
    }
    req_.turns.back().parts.push_back(std::move(part));
  }
  if (parts.empty()) {
    model::Turn turn;
    turn.role = *role;
    req_.turns.push_back(std::move(turn));
  }
  return {};
}

Result<void> RequestReader::read_block(od::value v, const std::string& path, Part& part,
                                       bool& skip) {
  SY_TRY(obj, read_object(v, path, kKind));
  size_t members = 0;
  SY_CHECK(each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (++members > 1) return bad(kKind, path, "a content block has exactly one member");
        if (key == "text") {
          SY_TRY(s, read_string(fv, fpath, kKind));
          part = Part::make_text(std::string(s));
          return {};
        }
        if (key == "image") {
          part.kind = Part::Kind::Image;
          return read_image(fv, fpath, part.image);
        }
        if (key == "toolUse") {
          part.kind = Part::Kind::ToolUse;
          return read_tool_use(fv, fpath, part.tool_use);
        }
        if (key == "toolResult") {
          part.kind = Part::Kind::ToolResult;
          return read_tool_result(fv, fpath, part.tool_result);
        }
        if (key == "reasoningContent") return read_reasoning(fv, fpath, part);
        if (key == "cachePoint") {
          skip = true;
          return {};
        }
        return unsupported(fpath + " (a " + std::string(key) + " block)", kTranslation);
      }));
  if (members == 0) return bad(kKind, path, "an empty content block");
  return {};
}

Result<void> RequestReader::read_image(od::value v, const std::string& path, model::Image& image) {
  SY_TRY(obj, read_object(v, path, kKind));
  std::string_view format;
  bool has_bytes = false;
  SY_CHECK(each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "format") {
          SY_TRY(s, read_string(fv, fpath, kKind));
          if (s != "png" && s != "jpeg" && s != "gif" && s != "webp") {
            return bad(kKind, fpath, "must be png, jpeg, gif or webp");
          }
          format = s;
          return {};
        }
        if (key != "source") return {};
        SY_TRY(src, read_object(fv, fpath, kKind));
        return each_field(
            src, fpath,
            [&](std::string_view k, od::value sv, const std::string& spath) -> Result<void> {
              if (k != "bytes")
                return unsupported(spath + " (an image source other than bytes)", kTranslation);
              SY_TRY(s, read_string(sv, spath, kKind));
              if (s.empty()) return bad(kKind, spath, "must not be empty");
              image.data.assign(s);
              has_bytes = true;
              return {};
            });
      }));
  if (format.empty()) return bad(kKind, path + ".format", "required");
  if (!has_bytes) return bad(kKind, path + ".source.bytes", "required");
  image.source = model::Image::Source::Base64;
  image.media_type = "image/" + std::string(format);
  return {};
}

Result<void> RequestReader::read_tool_use(od::value v, const std::string& path,
                                          model::ToolUse& use) {
  SY_TRY(obj, read_object(v, path, kKind));
  bool has_input = false;
  SY_CHECK(each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "toolUseId" || key == "name") {
          SY_TRY(s, read_string(fv, fpath, kKind));
          (key == "name" ? use.name : use.id).assign(s);
        } else if (key == "input") {
          SY_TRY(raw, object_text(fv, fpath, kKind));
          use.arguments.assign(raw);
          has_input = true;
        }
        return {};
      }));
  if (use.id.empty()) return bad(kKind, path + ".toolUseId", "required");
  if (use.name.empty()) return bad(kKind, path + ".name", "required");
  if (!has_input) return bad(kKind, path + ".input", "required");
  return {};
}

Result<void> RequestReader::read_tool_result(od::value v, const std::string& path,
                                             model::ToolResult& result) {
  SY_TRY(obj, read_object(v, path, kKind));
  SY_CHECK(each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "toolUseId") {
          SY_TRY(s, read_string(fv, fpath, kKind));
          result.tool_use_id.assign(s);
        } else if (key == "status") {
          SY_TRY(s, read_string(fv, fpath, kKind));
          if (s != "success" && s != "error")
            return bad(kKind, fpath, "must be \"success\" or \"error\"");
          result.is_error = s == "error";
        } else if (key == "content") {
          SY_TRY(arr, read_array(fv, fpath, kKind));
          SY_CHECK(
              each_item(arr, fpath, [&](od::value item, const std::string& ipath) -> Result<void> {
                SY_TRY(io, read_object(item, ipath, kKind));
                return each_field(io, ipath,
                                  [&](std::string_view k, od::value cv,
                                      const std::string& cpath) -> Result<void> {
                                    if (k == "text") {
                                      SY_TRY(s, read_string(cv, cpath, kKind));
                                      result.text.append(s);
                                      return {};
                                    }
                                    if (k == "json") {  // carried as its JSON text
                                      SY_TRY(t, type_of(cv, kKind));
                                      std::string_view raw;
                                      if (t == od::json_type::object) {
                                        SY_TRY(o, object_text(cv, cpath, kKind));
                                        raw = o;
                                      } else if (t == od::json_type::array) {
                                        SY_TRY(a, read_array(cv, cpath, kKind));
                                        if (auto ec = a.raw_json().get(raw))
                                          return malformed(kKind, ec);
                                        raw = trim_json(raw);
                                      } else {
                                        raw = trim_json(cv.raw_json_token());
                                      }
                                      result.text.append(raw);
                                      return {};
                                    }
                                    return unsupported(
                                        cpath + " (a " + std::string(k) + " inside a toolResult)",
                                        kTranslation);
                                  });
              }));
        }
        return {};
      }));
  if (result.tool_use_id.empty()) return bad(kKind, path + ".toolUseId", "required");
  return {};
}

Result<void> RequestReader::read_reasoning(od::value v, const std::string& path, Part& part) {
  SY_TRY(obj, read_object(v, path, kKind));
  bool any = false;
  SY_CHECK(each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "redactedContent") {
          SY_TRY(s, read_string(fv, fpath, kKind));
          part.kind = Part::Kind::RedactedThinking;
          part.text.assign(s);
          any = true;
          return {};
        }
        if (key != "reasoningText") return {};
        SY_TRY(rt, read_object(fv, fpath, kKind));
        part.kind = Part::Kind::Thinking;
        any = true;
        return each_field(
            rt, fpath,
            [&](std::string_view k, od::value tv, const std::string& tpath) -> Result<void> {
              if (k != "text" && k != "signature") return {};
              SY_TRY(s, read_string(tv, tpath, kKind));
              (k == "text" ? part.text : part.signature).assign(s);
              return {};
            });
      }));
  if (!any) return bad(kKind, path, "needs reasoningText or redactedContent");
  return {};
}

Result<void> RequestReader::read_inference(od::value v, const std::string& path) {
  SY_TRY(obj, read_object(v, path, kKind));
  return each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "maxTokens") {
          SY_TRY(n, read_count(fv, fpath, kKind));
          if (n == 0) return bad(kKind, fpath, "must be at least 1");
          req_.max_tokens = n;
        } else if (key == "temperature" || key == "topP") {
          SY_TRY(d, read_number(fv, fpath, kKind));
          if (d < 0 || d > 1) return bad(kKind, fpath, "must be between 0 and 1");
          (key == "temperature" ? req_.temperature : req_.top_p) = d;
        } else if (key == "stopSequences") {
          SY_TRY(arr, read_array(fv, fpath, kKind));
          SY_CHECK(
              each_item(arr, fpath, [&](od::value sv, const std::string& spath) -> Result<void> {
                SY_TRY(s, read_string(sv, spath, kKind));
                req_.stop.emplace_back(s);
                return {};
              }));
        } else {
          return unsupported("the field \"" + fpath + "\"", kTranslation);
        }
        return {};
      });
}

Result<void> RequestReader::read_tool_config(od::value v, const std::string& path) {
  SY_TRY(obj, read_object(v, path, kKind));
  return each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "tools") {
          SY_TRY(arr, read_array(fv, fpath, kKind));
          SY_CHECK(each_item(arr, fpath, [&](od::value t, const std::string& tpath) {
            return read_tool(t, tpath);
          }));
          return {};
        }
        if (key == "toolChoice") return read_tool_choice(fv, fpath);
        return {};
      });
}

Result<void> RequestReader::read_tool(od::value v, const std::string& path) {
  SY_TRY(obj, read_object(v, path, kKind));
  model::ToolDefinition tool;
  bool has_spec = false;
  SY_CHECK(each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "cachePoint") return {};
        if (key != "toolSpec")
          return unsupported(fpath + " (a " + std::string(key) + " tool)", kTranslation);
        has_spec = true;
        SY_TRY(spec, read_object(fv, fpath, kKind));
        return each_field(
            spec, fpath,
            [&](std::string_view k, od::value sv, const std::string& spath) -> Result<void> {
              if (k == "name" || k == "description") {
                SY_TRY(s, read_string(sv, spath, kKind));
                (k == "name" ? tool.name : tool.description).assign(s);
              } else if (k == "inputSchema") {
                SY_TRY(schema, read_object(sv, spath, kKind));
                return each_field(schema, spath,
                                  [&](std::string_view jk, od::value jv,
                                      const std::string& jpath) -> Result<void> {
                                    if (jk != "json") return {};
                                    SY_TRY(raw, object_text(jv, jpath, kKind));
                                    tool.parameters.assign(raw);
                                    return {};
                                  });
              }
              return {};
            });
      }));
  if (!has_spec) return {};  // a cachePoint entry
  if (tool.name.empty()) return bad(kKind, path + ".toolSpec.name", "required");
  if (tool.parameters.empty()) tool.parameters = "{}";
  req_.tools.push_back(std::move(tool));
  return {};
}

Result<void> RequestReader::read_tool_choice(od::value v, const std::string& path) {
  SY_TRY(obj, read_object(v, path, kKind));
  using Mode = model::ToolChoice::Mode;
  return each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        SY_TRY(choice, read_object(fv, fpath, kKind));
        if (key == "auto" || key == "any") {
          req_.tool_choice.mode = key == "auto" ? Mode::Auto : Mode::Required;
          return {};
        }
        if (key != "tool") return bad(kKind, fpath, "must be auto, any or tool");
        req_.tool_choice.mode = Mode::Named;
        SY_CHECK(each_field(
            choice, fpath,
            [&](std::string_view k, od::value nv, const std::string& npath) -> Result<void> {
              if (k != "name") return {};
              SY_TRY(s, read_string(nv, npath, kKind));
              req_.tool_choice.name.assign(s);
              return {};
            }));
        if (req_.tool_choice.name.empty()) return bad(kKind, fpath + ".name", "required");
        return {};
      });
}

// Claude's own fields, passed through Bedrock: top_k and thinking. Anything else is
// model-specific and has no canonical form.
Result<void> RequestReader::read_additional(od::value v, const std::string& path) {
  SY_TRY(obj, read_object(v, path, kKind));
  return each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        if (key == "top_k") {
          SY_TRY(n, read_count(fv, fpath, kKind));
          req_.top_k = n;
          return {};
        }
        if (key == "thinking") {
          SY_TRY(t, read_object(fv, fpath, kKind));
          bool enabled = false;
          std::optional<uint32_t> budget;
          SY_CHECK(each_field(
              t, fpath,
              [&](std::string_view k, od::value tv, const std::string& tpath) -> Result<void> {
                if (k == "type") {
                  SY_TRY(s, read_string(tv, tpath, kKind));
                  enabled = s == "enabled";
                } else if (k == "budget_tokens") {
                  SY_TRY(n, read_count(tv, tpath, kKind));
                  budget = n;
                }
                return {};
              }));
          if (enabled) {
            if (!budget)
              return bad(kKind, fpath + ".budget_tokens", "required when thinking is enabled");
            req_.reasoning = model::Reasoning{budget, {}};
          }
          return {};
        }
        return unsupported("the field \"" + fpath + "\"", kTranslation);
      });
}

Result<void> RequestReader::read_metadata(od::value v, const std::string& path) {
  SY_TRY(obj, read_object(v, path, kKind));
  return each_field(
      obj, path, [&](std::string_view key, od::value fv, const std::string& fpath) -> Result<void> {
        SY_TRY(s, read_string(fv, fpath, kKind));
        if (key == "user_id") req_.user.assign(s);
        return {};  // other metadata labels invocation logs only
      });
}

}  // namespace

Result<model::ChatRequest> BedrockConverseCodec::decode_ingress(std::string /*body*/) const {
  return fail(ErrorKind::InvalidRequest, "bedrock_converse is not an ingress protocol", {},
              "unsupported_protocol");
}

std::string BedrockConverseCodec::forward_request(const model::ChatRequest& req,
                                                  std::string_view /*upstream_model*/) const {
  return req.raw_body;
}

Result<model::Request> BedrockConverseCodec::decode_request(std::string_view body) const {
  const std::string copy = padded_copy(body);
  od::document doc;
  if (auto ec = request_parser().iterate(copy.data(), copy.size(), copy.capacity()).get(doc)) {
    return malformed(kKind, ec);
  }
  model::Request req;
  RequestReader reader(req);
  if (auto r = reader.read(doc); !r) return std::unexpected(r.error());
  return req;
}

std::string BedrockConverseCodec::request_path(std::string_view upstream_model, bool stream) const {
  std::string path = "/model/" + aws::uri_encode(upstream_model, false);
  path += stream ? "/converse-stream" : "/converse";
  return path;
}

}  // namespace sy::protocols
