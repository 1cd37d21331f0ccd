// OpenAI Chat Completions request → canonical model::Request (the full decode, used when a
// request must be translated to another protocol). simdjson on-demand over a padded copy,
// so JSON values that pass through (tool parameters, schemas) are kept as their exact text.
#include <simdjson.h>

#include <string>
#include <string_view>

#include "protocols/json_read.h"
#include "protocols/openai_wire.h"

namespace sy::protocols::openai_wire {
namespace {

namespace od = simdjson::ondemand;
using model::Part;
using model::Request;
using model::Role;
using model::Turn;

od::parser& parser() {
  thread_local od::parser p;
  return p;
}

std::unexpected<Error> invalid(const std::string& param, std::string_view what) {
  return fail(ErrorKind::InvalidRequest, param + ": " + std::string(what), param);
}

std::unexpected<Error> malformed(simdjson::error_code ec) {
  return fail(ErrorKind::InvalidRequest,
              std::string("request body is not valid JSON: ") + simdjson::error_message(ec));
}

using json_read::type_label;

// A value that could not be read as `expected`: the type found when it was the wrong one,
// a JSON syntax error otherwise.
std::unexpected<Error> unreadable(od::value& v, simdjson::error_code ec, const std::string& param,
                                  const char* expected) {
  if (ec != simdjson::INCORRECT_TYPE && ec != simdjson::NUMBER_ERROR) return malformed(ec);
  od::json_type t{};
  if (v.type().get(t)) return malformed(ec);
  return invalid(param, std::string("expected ") + expected + ", got " + type_label(t));
}

Result<bool> is_null(od::value& v) {
  od::json_type t{};
  if (auto ec = v.type().get(t)) return malformed(ec);
  return t == od::json_type::null;
}

Result<std::string_view> read_string(od::value& v, const std::string& param) {
  std::string_view s;
  if (auto ec = v.get_string().get(s)) return unreadable(v, ec, param, "a string");
  return s;
}

Result<bool> read_bool(od::value& v, const std::string& param) {
  bool b = false;
  if (auto ec = v.get_bool().get(b)) return unreadable(v, ec, param, "a boolean");
  return b;
}

Result<double> read_number(od::value& v, const std::string& param, double lo, double hi) {
  double d = 0;
  if (auto ec = v.get_double().get(d)) return unreadable(v, ec, param, "a number");
  if (!(d >= lo && d <= hi)) {
    return invalid(param, "must be between " + std::to_string(lo).substr(0, 4) + " and " +
                              std::to_string(hi).substr(0, 4));
  }
  return d;
}

Result<uint32_t> read_positive(od::value& v, const std::string& param) {
  int64_t n = 0;
  if (auto ec = v.get_int64().get(n)) return unreadable(v, ec, param, "an integer");
  if (n < 1 || n > UINT32_MAX) return invalid(param, "must be a positive integer");
  return static_cast<uint32_t>(n);
}

// The exact JSON text of an object value (a schema), without trailing whitespace.
Result<std::string> read_raw_object(od::value& v, const std::string& param) {
  od::object obj;
  if (auto ec = v.get_object().get(obj)) return unreadable(v, ec, param, "an object");
  std::string_view raw;
  if (auto ec = obj.raw_json().get(raw)) return malformed(ec);
  return std::string(json_read::trim_json_end(raw));
}

Result<od::object> read_object(od::value& v, const std::string& param) {
  od::object obj;
  if (auto ec = v.get_object().get(obj)) return unreadable(v, ec, param, "an object");
  return obj;
}

Result<od::array> read_array(od::value& v, const std::string& param) {
  od::array arr;
  if (auto ec = v.get_array().get(arr)) return unreadable(v, ec, param, "an array");
  return arr;
}

// Iterates the fields of `obj`, calling fn(key, value) -> Result<void>.
template <class Fn>
Result<void> for_each_field(od::object& obj, Fn&& fn) {
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(ec);
    if (auto r = fn(key, v); !r) return r;
  }
  return {};
}

// Iterates the elements of `arr`, calling fn(index, value) -> Result<void>.
template <class Fn>
Result<void> for_each_element(od::array& arr, Fn&& fn) {
  size_t i = 0;
  for (auto element : arr) {
    od::value v;
    if (auto ec = element.get(v)) return malformed(ec);
    if (auto r = fn(i++, v); !r) return r;
  }
  return {};
}

void note_unportable(Request& req, std::string feature) {
  for (const auto& f : req.unportable) {
    if (f == feature) return;
  }
  req.unportable.push_back(std::move(feature));
}

std::optional<Role> parse_role(std::string_view r) {
  if (r == "user") return Role::User;
  if (r == "assistant") return Role::Assistant;
  if (r == "system") return Role::System;
  if (r == "developer") return Role::Developer;
  if (r == "tool") return Role::Tool;
  return std::nullopt;
}

// "data:<media type>;base64,<data>" becomes a Base64 image; anything else stays a URL.
void set_image_url(model::Image& image, std::string_view url) {
  constexpr std::string_view kData = "data:", kBase64 = ";base64,";
  if (url.starts_with(kData)) {
    const size_t marker = url.find(kBase64);
    if (marker != std::string_view::npos) {
      image.source = model::Image::Source::Base64;
      image.media_type.assign(url.substr(kData.size(), marker - kData.size()));
      image.data.assign(url.substr(marker + kBase64.size()));
      return;
    }
  }
  image.source = model::Image::Source::Url;
  image.url.assign(url);
}

Result<void> decode_image_url(od::value& v, const std::string& param, Part& part) {
  auto obj = read_object(v, param);
  if (!obj) return std::unexpected(obj.error());
  bool has_url = false;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "url") {
      auto s = read_string(f, param + ".url");
      if (!s) return std::unexpected(s.error());
      set_image_url(part.image, *s);
      has_url = true;
    } else if (key == "detail") {
      auto null = is_null(f);
      if (!null) return std::unexpected(null.error());
      if (*null) return {};
      auto s = read_string(f, param + ".detail");
      if (!s) return std::unexpected(s.error());
      part.image.detail.assign(*s);
    }
    return {};
  });
  if (!r) return r;
  if (!has_url) return invalid(param + ".url", "required");
  return {};
}

// One element of an array `content`. Appends to `parts` (or notes an unportable part).
Result<void> decode_part(od::value& v, const std::string& param, Request& req,
                         std::vector<Part>& parts) {
  auto obj = read_object(v, param);
  if (!obj) return std::unexpected(obj.error());
  std::string type;
  Part part;
  bool has_text = false, has_image = false;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "type") {
      auto s = read_string(f, param + ".type");
      if (!s) return std::unexpected(s.error());
      type.assign(*s);
    } else if (key == "text" || key == "refusal") {
      auto s = read_string(f, param + "." + std::string(key));
      if (!s) return std::unexpected(s.error());
      part.text.assign(*s);
      has_text = true;
    } else if (key == "image_url") {
      if (auto d = decode_image_url(f, param + ".image_url", part); !d) return d;
      has_image = true;
    }
    return {};
  });
  if (!r) return r;
  if (type == "text" || type == "refusal") {
    if (!has_text) return invalid(param + "." + (type == "text" ? "text" : "refusal"), "required");
    part.kind = Part::Kind::Text;
  } else if (type == "image_url") {
    if (!has_image) return invalid(param + ".image_url", "required");
    part.kind = Part::Kind::Image;
  } else if (type == "input_audio") {
    note_unportable(req, "input_audio content parts");
    return {};
  } else if (type == "file") {
    note_unportable(req, "file content parts");
    return {};
  } else if (type.empty()) {
    return invalid(param + ".type", "required");
  } else {
    return invalid(param + ".type", "unknown content part type \"" + type +
                                        "\" (expected text, image_url, input_audio or file)");
  }
  parts.push_back(std::move(part));
  return {};
}

Result<void> decode_content(od::value& v, const std::string& param, Request& req,
                            std::vector<Part>& parts) {
  od::json_type t{};
  if (auto ec = v.type().get(t)) return malformed(ec);
  if (t == od::json_type::null) return {};
  if (t == od::json_type::string) {
    auto s = read_string(v, param);
    if (!s) return std::unexpected(s.error());
    parts.push_back(Part::make_text(std::string(*s)));
    return {};
  }
  if (t != od::json_type::array) {
    return invalid(param,
                   std::string("expected a string or an array of parts, got ") + type_label(t));
  }
  auto arr = read_array(v, param);
  if (!arr) return std::unexpected(arr.error());
  return for_each_element(*arr, [&](size_t i, od::value& e) {
    return decode_part(e, param + "[" + std::to_string(i) + "]", req, parts);
  });
}

Result<void> decode_tool_call(od::value& v, const std::string& param, Request& req,
                              std::vector<Part>& parts) {
  auto obj = read_object(v, param);
  if (!obj) return std::unexpected(obj.error());
  Part part;
  part.kind = Part::Kind::ToolUse;
  std::string type = "function";
  bool has_id = false, has_name = false, has_args = false;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "id") {
      auto s = read_string(f, param + ".id");
      if (!s) return std::unexpected(s.error());
      part.tool_use.id.assign(*s);
      has_id = true;
    } else if (key == "type") {
      auto s = read_string(f, param + ".type");
      if (!s) return std::unexpected(s.error());
      type.assign(*s);
    } else if (key == "function") {
      auto fn = read_object(f, param + ".function");
      if (!fn) return std::unexpected(fn.error());
      return for_each_field(*fn, [&](std::string_view k, od::value& g) -> Result<void> {
        if (k == "name") {
          auto s = read_string(g, param + ".function.name");
          if (!s) return std::unexpected(s.error());
          part.tool_use.name.assign(*s);
          has_name = true;
        } else if (k == "arguments") {
          auto s = read_string(g, param + ".function.arguments");
          if (!s) return std::unexpected(s.error());
          part.tool_use.arguments.assign(*s);  // verbatim: the JSON text the model produced
          has_args = true;
        }
        return {};
      });
    }
    return {};
  });
  if (!r) return r;
  if (type != "function") {
    note_unportable(req, type + " tool calls");
    return {};
  }
  if (!has_id) return invalid(param + ".id", "required");
  if (!has_name) return invalid(param + ".function.name", "required");
  if (!has_args) return invalid(param + ".function.arguments", "required");
  parts.push_back(std::move(part));
  return {};
}

Result<void> decode_message(od::value& v, const std::string& param, Request& req) {
  auto obj = read_object(v, param);
  if (!obj) return std::unexpected(obj.error());
  std::optional<Role> role;
  bool legacy_function = false, has_tool_call_id = false;
  std::string tool_call_id, name;
  std::vector<Part> content, calls;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "role") {
      auto s = read_string(f, param + ".role");
      if (!s) return std::unexpected(s.error());
      role = parse_role(*s);
      if (*s == "function") {
        legacy_function = true;
        role = Role::Tool;
      }
      if (!role) {
        return invalid(param + ".role", "unknown role \"" + std::string(*s) +
                                            "\" (expected system, developer, user, assistant "
                                            "or tool)");
      }
      return {};
    }
    auto null = is_null(f);
    if (!null) return std::unexpected(null.error());
    if (*null) return {};
    if (key == "content") return decode_content(f, param + ".content", req, content);
    if (key == "name") {
      auto s = read_string(f, param + ".name");
      if (!s) return std::unexpected(s.error());
      name.assign(*s);
    } else if (key == "tool_call_id") {
      auto s = read_string(f, param + ".tool_call_id");
      if (!s) return std::unexpected(s.error());
      tool_call_id.assign(*s);
      has_tool_call_id = true;
    } else if (key == "tool_calls") {
      auto arr = read_array(f, param + ".tool_calls");
      if (!arr) return std::unexpected(arr.error());
      return for_each_element(*arr, [&](size_t i, od::value& e) {
        return decode_tool_call(e, param + ".tool_calls[" + std::to_string(i) + "]", req, calls);
      });
    } else if (key == "refusal") {
      auto s = read_string(f, param + ".refusal");
      if (!s) return std::unexpected(s.error());
      if (!s->empty()) content.push_back(Part::make_text(std::string(*s)));
    } else if (key == "function_call") {
      note_unportable(req, "function_call (the legacy functions API)");
    } else if (key == "audio") {
      note_unportable(req, "audio");
    }
    return {};
  });
  if (!r) return r;
  if (!role) return invalid(param + ".role", "required");
  if (legacy_function) {
    note_unportable(req, "function messages (the legacy functions API)");
    return {};
  }
  Turn turn;
  turn.role = *role;
  turn.name = std::move(name);
  if (*role == Role::Tool) {
    if (!has_tool_call_id) return invalid(param + ".tool_call_id", "required");
    Part result;
    result.kind = Part::Kind::ToolResult;
    result.tool_result.tool_use_id = std::move(tool_call_id);
    for (size_t i = 0; i < content.size(); ++i) {
      if (content[i].kind != Part::Kind::Text) {
        return invalid(param + ".content[" + std::to_string(i) + "]",
                       "a tool message takes text parts only");
      }
      result.tool_result.text += content[i].text;
    }
    turn.parts.push_back(std::move(result));
  } else {
    if (*role != Role::User) {  // as OpenAI's API: images go in user messages only
      for (size_t i = 0; i < content.size(); ++i) {
        if (content[i].kind == Part::Kind::Image) {
          return invalid(param + ".content[" + std::to_string(i) + "]",
                         "images are allowed in user messages only");
        }
      }
    }
    turn.parts = std::move(content);
    if (*role == Role::Assistant) {
      for (auto& c : calls) turn.parts.push_back(std::move(c));
    }
  }
  req.turns.push_back(std::move(turn));
  return {};
}

Result<void> decode_tool(od::value& v, const std::string& param, Request& req) {
  auto obj = read_object(v, param);
  if (!obj) return std::unexpected(obj.error());
  model::ToolDefinition tool;
  tool.parameters = "{}";
  std::string type;
  bool has_name = false;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "type") {
      auto s = read_string(f, param + ".type");
      if (!s) return std::unexpected(s.error());
      type.assign(*s);
    } else if (key == "function") {
      auto fn = read_object(f, param + ".function");
      if (!fn) return std::unexpected(fn.error());
      return for_each_field(*fn, [&](std::string_view k, od::value& g) -> Result<void> {
        const std::string p = param + ".function." + std::string(k);
        auto null = is_null(g);
        if (!null) return std::unexpected(null.error());
        if (*null) return {};
        if (k == "name") {
          auto s = read_string(g, p);
          if (!s) return std::unexpected(s.error());
          tool.name.assign(*s);
          has_name = !s->empty();
        } else if (k == "description") {
          auto s = read_string(g, p);
          if (!s) return std::unexpected(s.error());
          tool.description.assign(*s);
        } else if (k == "parameters") {
          auto raw = read_raw_object(g, p);
          if (!raw) return std::unexpected(raw.error());
          tool.parameters = std::move(*raw);
        } else if (k == "strict") {
          auto b = read_bool(g, p);
          if (!b) return std::unexpected(b.error());
          tool.strict = *b;
        }
        return {};
      });
    }
    return {};
  });
  if (!r) return r;
  if (type.empty()) return invalid(param + ".type", "required");
  if (type != "function") {
    note_unportable(req, type + " tools");
    return {};
  }
  if (!has_name) return invalid(param + ".function.name", "required");
  req.tools.push_back(std::move(tool));
  return {};
}

Result<void> decode_tool_choice(od::value& v, Request& req) {
  od::json_type t{};
  if (auto ec = v.type().get(t)) return malformed(ec);
  auto& choice = req.tool_choice;
  if (t == od::json_type::string) {
    auto s = read_string(v, "tool_choice");
    if (!s) return std::unexpected(s.error());
    if (*s == "auto")
      choice.mode = model::ToolChoice::Mode::Auto;
    else if (*s == "none")
      choice.mode = model::ToolChoice::Mode::None;
    else if (*s == "required")
      choice.mode = model::ToolChoice::Mode::Required;
    else
      return invalid("tool_choice", "expected \"none\", \"auto\", \"required\" or an object");
    return {};
  }
  auto obj = read_object(v, "tool_choice");
  if (!obj) return std::unexpected(obj.error());
  std::string type;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "type") {
      auto s = read_string(f, "tool_choice.type");
      if (!s) return std::unexpected(s.error());
      type.assign(*s);
    } else if (key == "function") {
      auto fn = read_object(f, "tool_choice.function");
      if (!fn) return std::unexpected(fn.error());
      return for_each_field(*fn, [&](std::string_view k, od::value& g) -> Result<void> {
        if (k != "name") return {};
        auto s = read_string(g, "tool_choice.function.name");
        if (!s) return std::unexpected(s.error());
        choice.name.assign(*s);
        return {};
      });
    }
    return {};
  });
  if (!r) return r;
  if (type.empty()) return invalid("tool_choice.type", "required");
  if (type != "function") {
    note_unportable(req, "tool_choice of type " + type);
    return {};
  }
  if (choice.name.empty()) return invalid("tool_choice.function.name", "required");
  choice.mode = model::ToolChoice::Mode::Named;
  return {};
}

Result<void> decode_response_format(od::value& v, Request& req) {
  auto obj = read_object(v, "response_format");
  if (!obj) return std::unexpected(obj.error());
  auto& format = req.response_format;
  std::string type;
  bool has_schema_object = false;
  auto r = for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key == "type") {
      auto s = read_string(f, "response_format.type");
      if (!s) return std::unexpected(s.error());
      type.assign(*s);
    } else if (key == "json_schema") {
      auto js = read_object(f, "response_format.json_schema");
      if (!js) return std::unexpected(js.error());
      has_schema_object = true;
      return for_each_field(*js, [&](std::string_view k, od::value& g) -> Result<void> {
        const std::string p = "response_format.json_schema." + std::string(k);
        auto null = is_null(g);
        if (!null) return std::unexpected(null.error());
        if (*null) return {};
        if (k == "name") {
          auto s = read_string(g, p);
          if (!s) return std::unexpected(s.error());
          format.name.assign(*s);
        } else if (k == "schema") {
          auto raw = read_raw_object(g, p);
          if (!raw) return std::unexpected(raw.error());
          format.schema = std::move(*raw);
        } else if (k == "strict") {
          auto b = read_bool(g, p);
          if (!b) return std::unexpected(b.error());
          format.strict = *b;
        }
        return {};
      });
    }
    return {};
  });
  if (!r) return r;
  if (type == "text") {
    format.kind = model::ResponseFormat::Kind::Text;
  } else if (type == "json_object") {
    format.kind = model::ResponseFormat::Kind::JsonObject;
  } else if (type == "json_schema") {
    if (!has_schema_object) return invalid("response_format.json_schema", "required");
    if (format.schema.empty()) format.schema = "{}";
    format.kind = model::ResponseFormat::Kind::JsonSchema;
  } else if (type.empty()) {
    return invalid("response_format.type", "required");
  } else {
    return invalid("response_format.type",
                   "unknown type \"" + type + "\" (expected text, json_object or json_schema)");
  }
  return {};
}

Result<void> decode_stop(od::value& v, Request& req) {
  od::json_type t{};
  if (auto ec = v.type().get(t)) return malformed(ec);
  if (t == od::json_type::string) {
    auto s = read_string(v, "stop");
    if (!s) return std::unexpected(s.error());
    req.stop.emplace_back(*s);
    return {};
  }
  if (t != od::json_type::array) {
    return invalid("stop",
                   std::string("expected a string or an array of strings, got ") + type_label(t));
  }
  auto arr = read_array(v, "stop");
  if (!arr) return std::unexpected(arr.error());
  return for_each_element(*arr, [&](size_t i, od::value& e) -> Result<void> {
    auto s = read_string(e, "stop[" + std::to_string(i) + "]");
    if (!s) return std::unexpected(s.error());
    req.stop.emplace_back(*s);
    return {};
  });
}

Result<void> decode_stream_options(od::value& v, Request& req) {
  auto obj = read_object(v, "stream_options");
  if (!obj) return std::unexpected(obj.error());
  return for_each_field(*obj, [&](std::string_view key, od::value& f) -> Result<void> {
    if (key != "include_usage") return {};
    auto b = read_bool(f, "stream_options.include_usage");
    if (!b) return std::unexpected(b.error());
    req.include_usage = *b;
    return {};
  });
}

// Request fields whose loss would change what the client gets back: remembered by name so
// that translation to another protocol fails with unsupported() instead of dropping them.
Result<void> note_if_set(std::string_view key, od::value& v, Request& req) {
  if (key == "logprobs") {
    auto b = read_bool(v, "logprobs");
    if (!b) return std::unexpected(b.error());
    if (*b) note_unportable(req, "logprobs");
  } else if (key == "modalities") {
    auto arr = read_array(v, "modalities");
    if (!arr) return std::unexpected(arr.error());
    return for_each_element(*arr, [&](size_t i, od::value& e) -> Result<void> {
      auto s = read_string(e, "modalities[" + std::to_string(i) + "]");
      if (!s) return std::unexpected(s.error());
      if (*s != "text") note_unportable(req, "modalities " + std::string(*s));
      return {};
    });
  } else if (key == "functions") {
    note_unportable(req, "functions (the legacy functions API)");
  } else if (key == "function_call") {
    note_unportable(req, "function_call (the legacy functions API)");
  } else {
    note_unportable(req, std::string(key));
  }
  return {};
}

bool is_unportable_key(std::string_view key) {
  return key == "logprobs" || key == "top_logprobs" || key == "logit_bias" || key == "audio" ||
         key == "modalities" || key == "prediction" || key == "web_search_options" ||
         key == "verbosity" || key == "functions" || key == "function_call";
}

Result<void> decode_field(std::string_view key, od::value& v, Request& req, bool& has_messages) {
  if (key == "messages") {
    auto arr = read_array(v, "messages");
    if (!arr) return std::unexpected(arr.error());
    has_messages = true;
    return for_each_element(*arr, [&](size_t i, od::value& e) {
      return decode_message(e, "messages[" + std::to_string(i) + "]", req);
    });
  }
  if (key == "model") {
    auto s = read_string(v, "model");
    if (!s) return std::unexpected(s.error());
    req.model.assign(*s);
    return {};
  }
  auto null = is_null(v);
  if (!null) return std::unexpected(null.error());
  if (*null) return {};  // every optional field of the API is nullable
  const std::string param(key);
  if (key == "stream") {
    auto b = read_bool(v, param);
    if (!b) return std::unexpected(b.error());
    req.stream = *b;
  } else if (key == "stream_options") {
    return decode_stream_options(v, req);
  } else if (key == "max_tokens" || key == "max_completion_tokens") {
    auto n = read_positive(v, param);
    if (!n) return std::unexpected(n.error());
    req.max_tokens = *n;
  } else if (key == "temperature" || key == "top_p" || key == "presence_penalty" ||
             key == "frequency_penalty") {
    const bool penalty = key.ends_with("penalty");
    auto d = read_number(v, param, penalty ? -2 : 0, key == "top_p" ? 1 : 2);
    if (!d) return std::unexpected(d.error());
    if (key == "temperature")
      req.temperature = *d;
    else if (key == "top_p")
      req.top_p = *d;
    else if (key == "presence_penalty")
      req.presence_penalty = *d;
    else
      req.frequency_penalty = *d;
  } else if (key == "seed") {
    int64_t n = 0;
    if (auto ec = v.get_int64().get(n)) return unreadable(v, ec, param, "an integer");
    req.seed = n;
  } else if (key == "n") {
    auto n = read_positive(v, param);
    if (!n) return std::unexpected(n.error());
    req.n = *n;
  } else if (key == "user") {
    auto s = read_string(v, param);
    if (!s) return std::unexpected(s.error());
    req.user.assign(*s);
  } else if (key == "reasoning_effort") {
    auto s = read_string(v, param);
    if (!s) return std::unexpected(s.error());
    if (!req.reasoning) req.reasoning.emplace();
    req.reasoning->effort.assign(*s);
  } else if (key == "tools") {
    auto arr = read_array(v, param);
    if (!arr) return std::unexpected(arr.error());
    return for_each_element(*arr, [&](size_t i, od::value& e) {
      return decode_tool(e, "tools[" + std::to_string(i) + "]", req);
    });
  } else if (key == "tool_choice") {
    return decode_tool_choice(v, req);
  } else if (key == "parallel_tool_calls") {
    auto b = read_bool(v, param);
    if (!b) return std::unexpected(b.error());
    req.tool_choice.parallel = *b;
  } else if (key == "response_format") {
    return decode_response_format(v, req);
  } else if (key == "stop") {
    return decode_stop(v, req);
  } else if (is_unportable_key(key)) {
    return note_if_set(key, v, req);
  }
  return {};  // other fields (metadata, store, service_tier, …) do not change the answer
}

}  // namespace

Result<model::Request> decode_request(std::string_view body) {
  const simdjson::padded_string padded(body);
  od::document doc;
  if (auto ec = parser().iterate(padded).get(doc)) return malformed(ec);
  od::object root;
  if (auto ec = doc.get_object().get(root)) {
    if (ec == simdjson::INCORRECT_TYPE) {
      return fail(ErrorKind::InvalidRequest, "request body must be a JSON object");
    }
    return malformed(ec);
  }
  Request req;
  bool has_messages = false;
  bool has_model = false;
  for (auto field : root) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(ec);
    if (key == "model") has_model = true;
    if (auto r = decode_field(key, v, req, has_messages); !r) return std::unexpected(r.error());
  }
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return fail(ErrorKind::InvalidRequest,
                "request body is not valid JSON: unexpected content after the object");
  }
  if (!has_model) return invalid("model", "required");
  if (req.model.empty()) return invalid("model", "must not be empty");
  if (!has_messages) return invalid("messages", "required");
  if (req.turns.empty() && req.unportable.empty()) {
    return invalid("messages", "must contain at least one message");
  }
  return req;
}

}  // namespace sy::protocols::openai_wire
