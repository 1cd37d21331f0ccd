#include "protocols/openai_chat.h"

#include <simdjson.h>

#include "core/json_writer.h"
#include "protocols/json_read.h"
#include "protocols/openai_wire.h"

namespace sy::protocols::openai_chat {
namespace {

namespace od = simdjson::ondemand;
using model::ChatRequest;
using model::Message;
using model::Role;

constexpr ErrorKind kInvalid = ErrorKind::InvalidRequest;

od::parser& request_parser() {
  thread_local od::parser p;
  return p;
}

od::parser& nested_parser() {
  thread_local od::parser p;
  return p;
}

std::unexpected<Error> invalid(std::string message, std::string param = {}) {
  return fail(ErrorKind::InvalidRequest, std::move(message), std::move(param));
}

std::unexpected<Error> malformed(simdjson::error_code ec) {
  return invalid(std::string("request body is not valid JSON: ") + simdjson::error_message(ec));
}

using json_read::type_label;

std::unexpected<Error> wrong_type(std::string_view param, const char* expected, od::json_type got) {
  return invalid(std::string(param) + ": expected " + expected + ", got " + type_label(got),
                 std::string(param));
}

// A value that could not be read as `expected`: a 400 naming the field and the type
// found when the type was wrong, a JSON syntax error otherwise.
std::unexpected<Error> unreadable(od::value& v, simdjson::error_code ec, std::string_view param,
                                  const char* expected) {
  if (ec != simdjson::INCORRECT_TYPE && ec != simdjson::NUMBER_ERROR) return malformed(ec);
  od::json_type t{};
  (void)v.type().get(t);
  return wrong_type(param, expected, t);
}

std::optional<Role> parse_role(std::string_view r) {
  if (r == "user") return Role::User;
  if (r == "assistant") return Role::Assistant;
  if (r == "system") return Role::System;
  if (r == "developer") return Role::Developer;
  if (r == "tool" || r == "function") return Role::Tool;
  return std::nullopt;
}

Result<void> decode_content(od::value content, Message& msg, const std::string& param) {
  od::json_type t;
  if (auto ec = content.type().get(t)) return malformed(ec);
  if (t == od::json_type::null) return {};
  if (t == od::json_type::string) {
    std::string_view s;
    if (auto ec = content.get_string().get(s)) return malformed(ec);
    msg.text.assign(s);
    return {};
  }
  if (t != od::json_type::array) return wrong_type(param, "a string or an array of parts", t);
  od::array parts;
  if (auto ec = content.get_array().get(parts)) return malformed(ec);
  size_t i = 0;
  for (auto part_result : parts) {
    const std::string pp = param + "[" + std::to_string(i++) + "]";
    od::object part;
    if (auto ec = part_result.get_object().get(part)) {
      return ec == simdjson::INCORRECT_TYPE ? invalid(pp + ": expected an object", pp)
                                            : malformed(ec);
    }
    std::string_view type, text;
    for (auto field : part) {
      std::string_view key;
      if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
      if (key == "type") {
        if (auto ec = field.value().get_string().get(type)) {
          return ec == simdjson::INCORRECT_TYPE ? invalid(pp + ".type: expected a string", pp)
                                                : malformed(ec);
        }
        if (type == "image_url" || type == "input_image") ++msg.image_parts;
      } else if (key == "text") {
        if (auto ec = field.value().get_string().get(text)) {
          return ec == simdjson::INCORRECT_TYPE ? invalid(pp + ".text: expected a string", pp)
                                                : malformed(ec);
        }
        msg.text.append(text);
      }
    }
  }
  return {};
}

Result<void> decode_messages(od::value value, ChatRequest& req) {
  od::array arr;
  if (auto ec = value.get_array().get(arr)) {
    return unreadable(value, ec, "messages", "an array");
  }
  size_t i = 0;
  for (auto item : arr) {
    const std::string param = "messages[" + std::to_string(i++) + "]";
    od::object obj;
    if (auto ec = item.get_object().get(obj)) {
      return ec == simdjson::INCORRECT_TYPE ? invalid(param + ": expected an object", param)
                                            : malformed(ec);
    }
    Message msg;
    bool has_role = false;
    for (auto field : obj) {
      std::string_view key;
      if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
      od::value v;
      if (auto ec = field.value().get(v)) return malformed(ec);
      if (key == "role") {
        std::string_view role;
        if (auto ec = v.get_string().get(role)) {
          return ec == simdjson::INCORRECT_TYPE
                     ? invalid(param + ".role: expected a string", param + ".role")
                     : malformed(ec);
        }
        auto r = parse_role(role);
        if (!r) {
          return invalid(param + ".role: unknown role \"" + std::string(role) +
                             "\" (expected system, developer, user, assistant or tool)",
                         param + ".role");
        }
        msg.role = *r;
        has_role = true;
      } else if (key == "content") {
        if (auto r = decode_content(v, msg, param + ".content"); !r) return std::unexpected(r.error());
      } else if (key == "tool_calls") {
        od::array calls;
        if (auto ec = v.get_array().get(calls)) {
          return ec == simdjson::INCORRECT_TYPE
                     ? invalid(param + ".tool_calls: expected an array", param + ".tool_calls")
                     : malformed(ec);
        }
        for (auto c : calls) {
          (void)c;
          ++msg.tool_calls;
        }
      }
    }
    if (!has_role) return invalid(param + ".role: required", param + ".role");
    req.messages.push_back(std::move(msg));
  }
  if (req.messages.empty()) return invalid("messages: must contain at least one message", "messages");
  return {};
}

Result<uint32_t> positive_int(od::value v, std::string_view param) {
  int64_t n = 0;
  if (auto ec = v.get_int64().get(n)) {
    return unreadable(v, ec, param, "an integer");
  }
  if (n < 1 || n > UINT32_MAX) {
    return invalid(std::string(param) + ": must be a positive integer", std::string(param));
  }
  return static_cast<uint32_t>(n);
}

Result<void> expect_number(od::value v, std::string_view param, double lo, double hi) {
  double d = 0;
  if (auto ec = v.get_double().get(d)) {
    return unreadable(v, ec, param, "a number");
  }
  if (d < lo || d > hi) {
    return invalid(std::string(param) + ": must be between " + std::to_string(lo).substr(0, 4) +
                       " and " + std::to_string(hi).substr(0, 4),
                   std::string(param));
  }
  return {};
}

Result<bool> expect_bool(od::value v, std::string_view param) {
  bool b = false;
  if (auto ec = v.get_bool().get(b)) {
    return unreadable(v, ec, param, "a boolean");
  }
  return b;
}

model::Span span_of(const std::string& body, std::string_view token) {
  const size_t begin = static_cast<size_t>(token.data() - body.data());
  size_t end = begin + token.size();
  while (end > begin && (body[end - 1] == ' ' || body[end - 1] == '\n' || body[end - 1] == '\r' ||
                         body[end - 1] == '\t')) {
    --end;
  }
  return {begin, end};
}

Result<void> decode_stream_options(od::value v, ChatRequest& req) {
  od::object obj;
  if (auto ec = v.get_object().get(obj)) {
    return unreadable(v, ec, "stream_options", "an object");
  }
  std::string_view raw;
  if (auto ec = obj.raw_json().get(raw)) return malformed(ec);
  req.stream_options_token = span_of(req.raw_body, raw);
  // Read include_usage from the object's own text with a second parser.
  const size_t tail = req.raw_body.capacity() - req.stream_options_token.begin;
  od::document sub;
  if (auto ec = nested_parser().iterate(raw.data(), raw.size(), tail).get(sub)) return malformed(ec);
  od::object sub_obj;
  if (auto ec = sub.get_object().get(sub_obj)) return malformed(ec);
  for (auto field : sub_obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
    if (key == "include_usage") {
      od::value iv;
      if (auto ec = field.value().get(iv)) return malformed(ec);
      auto b = expect_bool(iv, "stream_options.include_usage");
      if (!b) return std::unexpected(b.error());
      req.include_usage = *b;
    }
  }
  return {};
}

}  // namespace

Result<model::ChatRequest> decode_request(std::string body) {
  ChatRequest req;
  req.raw_body = std::move(body);
  od::document doc;
  SY_TRY(root, json_read::root_object(request_parser(), req.raw_body, doc, kInvalid));
  bool has_model = false, has_messages = false;
  for (auto field : root) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(ec);
    if (key == "model") {
      std::string_view token = v.raw_json_token();
      std::string_view name;
      if (auto ec = v.get_string().get(name)) {
        return unreadable(v, ec, "model", "a string");
      }
      req.model.assign(name);
      req.model_token = span_of(req.raw_body, token);
      has_model = true;
    } else if (key == "messages") {
      if (auto r = decode_messages(v, req); !r) return std::unexpected(r.error());
      has_messages = true;
    } else if (key == "stream") {
      od::json_type t{};
      if (auto ec = v.type().get(t)) return malformed(ec);
      if (t != od::json_type::null) {  // the API documents stream as nullable
        auto b = expect_bool(v, "stream");
        if (!b) return std::unexpected(b.error());
        req.stream = *b;
      }
    } else if (key == "stream_options") {
      od::json_type t{};
      if (auto ec = v.type().get(t)) return malformed(ec);
      if (t != od::json_type::null) {
        if (auto r = decode_stream_options(v, req); !r) return std::unexpected(r.error());
      }
    } else if (key == "max_tokens" || key == "max_completion_tokens") {
      od::json_type t{};
      if (auto ec = v.type().get(t)) return malformed(ec);
      if (t != od::json_type::null) {
        auto n = positive_int(v, key);
        if (!n) return std::unexpected(n.error());
        req.max_tokens = *n;
      }
    } else if (key == "temperature") {
      od::json_type t{};
      if (auto ec = v.type().get(t)) return malformed(ec);
      if (t != od::json_type::null) {
        if (auto r = expect_number(v, "temperature", 0, 2); !r) return std::unexpected(r.error());
      }
    } else if (key == "top_p") {
      od::json_type t{};
      if (auto ec = v.type().get(t)) return malformed(ec);
      if (t != od::json_type::null) {
        if (auto r = expect_number(v, "top_p", 0, 1); !r) return std::unexpected(r.error());
      }
    } else if (key == "n") {
      od::json_type t{};
      if (auto ec = v.type().get(t)) return malformed(ec);
      if (t != od::json_type::null) {
        auto n = positive_int(v, "n");
        if (!n) return std::unexpected(n.error());
      }
    } else if (key == "tools") {
      od::array tools;
      if (auto ec = v.get_array().get(tools)) {
        return unreadable(v, ec, "tools", "an array");
      }
      for (auto tool : tools) {
        ++req.tools;
        // The function's name, for policies on tools; the shape is the provider's to judge.
        od::object t;
        od::object fn;
        std::string_view name;
        if (!tool.get_object().get(t) && !t["function"].get_object().get(fn) &&
            !fn["name"].get_string().get(name)) {
          req.tool_names.emplace_back(name);
        }
      }
    } else if (key == "response_format") {
      od::object format;
      if (auto ec = v.get_object().get(format)) {
        return unreadable(v, ec, "response_format", "an object");
      }
      std::string_view raw;
      if (auto ec = format.raw_json().get(raw)) return malformed(ec);
      req.json_schema = raw.find("\"json_schema\"") != std::string_view::npos;
    }
  }
  // simdjson's on-demand parser validates lazily: make sure nothing trails the object.
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return invalid("request body is not valid JSON: unexpected content after the object");
  }
  if (!has_model) return invalid("model: required", "model");
  if (req.model.empty()) return invalid("model: must not be empty", "model");
  if (!has_messages) return invalid("messages: required", "messages");
  return req;
}

std::string encode_request(const model::ChatRequest& req, std::string_view upstream_model) {
  const std::string& body = req.raw_body;
  std::string out;
  out.reserve(body.size() + upstream_model.size() + 48);
  auto append_model = [&] {
    out += '"';
    json::append_escaped(out, upstream_model);
    out += '"';
  };
  constexpr std::string_view kUsageOptions = "{\"include_usage\":true}";
  const auto& m = req.model_token;
  const auto& so = req.stream_options_token;
  const bool rewrite_options = req.stream && !req.include_usage;
  if (rewrite_options && !so.empty()) {
    // Two splices, in body order.
    const bool model_first = m.begin < so.begin;
    const auto& first = model_first ? m : so;
    const auto& second = model_first ? so : m;
    out.append(body, 0, first.begin);
    if (model_first) append_model(); else out += kUsageOptions;
    out.append(body, first.end, second.begin - first.end);
    if (model_first) out += kUsageOptions; else append_model();
    out.append(body, second.end, std::string::npos);
    return out;
  }
  out.append(body, 0, m.begin);
  append_model();
  if (rewrite_options) {
    out += ",\"stream_options\":";
    out += kUsageOptions;
  }
  out.append(body, m.end, std::string::npos);
  return out;
}

namespace {

using openai_wire::read_usage;  // shared with the canonical translation

simdjson::dom::parser& dom_parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

}  // namespace

Result<model::Usage> decode_response_usage(std::string_view body) {
  simdjson::dom::element root;
  if (auto ec = dom_parser().parse(body.data(), body.size(), true).get(root)) {
    return fail(ErrorKind::UpstreamError,
                std::string("upstream response is not valid JSON: ") + simdjson::error_message(ec));
  }
  if (!root.is_object()) return fail(ErrorKind::UpstreamError, "upstream response is not a JSON object");
  model::Usage u;
  simdjson::dom::element usage;
  if (!root["usage"].get(usage) && usage.is_object()) read_usage(usage, u);
  return u;
}

Result<StreamChunk> inspect_stream_chunk(std::string_view data, size_t capacity) {
  StreamChunk c;
  if (data == "[DONE]") {
    c.done = true;
    return c;
  }
  simdjson::dom::element root;
  const bool padded = capacity >= data.size() + simdjson::SIMDJSON_PADDING;
  if (auto ec = dom_parser().parse(data.data(), data.size(), !padded).get(root)) {
    return fail(ErrorKind::UpstreamError,
                std::string("upstream stream chunk is not valid JSON: ") + simdjson::error_message(ec));
  }
  if (!root.is_object()) return fail(ErrorKind::UpstreamError, "upstream stream chunk is not an object");
  simdjson::dom::element e;
  if (!root["error"].get(e) && !e.is_null()) c.is_error = true;
  if (!root["usage"].get(e) && e.is_object()) read_usage(e, c.usage);
  simdjson::dom::array choices;
  if (root["choices"].get(choices)) return c;
  if (choices.size() == 0) {
    c.usage_only = c.usage.reported;
    return c;
  }
  c.preamble = !c.usage.reported;
  for (simdjson::dom::element choice : choices) {
    simdjson::dom::element finish;
    simdjson::dom::object delta;
    if (!choice["finish_reason"].get(finish) && !finish.is_null()) c.preamble = false;
    if (choice["delta"].get(delta)) continue;
    for (auto [key, value] : delta) {
      if (key == "role" || value.is_null()) continue;
      std::string_view text;
      if ((key == "content" || key == "refusal") && !value.get(text) && text.empty()) continue;
      c.preamble = false;
    }
  }
  return c;
}

std::string encode_error(const Error& error) {
  std::string out;
  out.reserve(96 + error.message.size());
  json::Writer w(out);
  w.begin_object().key("error").begin_object();
  w.field("message", error.message).field("type", type_name(error.kind));
  w.key("param");
  if (error.param.empty()) w.null(); else w.value(error.param);
  w.key("code");
  if (error.code.empty()) w.null(); else w.value(error.code);
  w.end_object().end_object();
  return out;
}

std::string decode_error_message(std::string_view body) {
  return json_read::error_message(body, {"/error/message", "/message"});
}

}  // namespace sy::protocols::openai_chat
