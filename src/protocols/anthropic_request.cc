// Anthropic Messages requests → the canonical model (decode_ingress, decode_request) and
// same-protocol forwarding. One reader serves both: in Ingress mode, Anthropic features the
// canonical model cannot hold (documents, server tools, images inside tool results, unknown
// block types) are accepted, since the body is forwarded verbatim; in Translate mode they
// are unsupported() errors, never dropped.
#include <simdjson.h>

#include <optional>

#include "protocols/anthropic_json.h"
#include "protocols/anthropic_messages.h"

namespace sy::protocols {
namespace {

using namespace anthropic;  // NOLINT(google-build-using-namespace): the codec's own helpers
using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::Part;
using model::Role;

constexpr ErrorKind kKind = ErrorKind::InvalidRequest;
constexpr std::string_view kTranslation = "a request translated to another protocol";

enum class Mode { Ingress, Translate };

od::parser& request_parser() {
  thread_local od::parser p;
  return p;
}

class RequestReader {
 public:
  RequestReader(Mode mode, model::Request& req, std::vector<model::Message>* summary)
      : mode_(mode), req_(req), summary_(summary) {}

  // Reads the document's root object. `model_token` receives the model value's text.
  Result<void> read(od::document& doc, std::string_view& model_token);

  uint32_t tool_count() const { return tool_count_; }
  const std::vector<std::string>& tool_names() const { return tool_names_; }
  bool has_max_tokens() const { return has_max_tokens_; }

 private:
  Result<void> read_system(od::value v);
  Result<void> read_messages(od::value v);
  Result<void> read_message(od::object msg, const std::string& path);
  // One content block. Appends to `parts`; `message` gets the DLP summary.
  Result<void> read_block(od::object block, const std::string& path, std::vector<Part>& parts,
                          model::Message& message);
  Result<void> read_image_source(od::value v, const std::string& path, model::Image& image);
  Result<void> read_tool_result_content(od::value v, const std::string& path,
                                        model::ToolResult& result, model::Message& message);
  Result<void> read_tools(od::value v);
  Result<void> read_tool_choice(od::value v);
  Result<void> read_thinking(od::value v);
  Result<void> read_metadata(od::value v);
  Result<void> not_translatable(const std::string& what) {
    if (mode_ == Mode::Ingress) return {};
    return unsupported(what, kTranslation);
  }

  Mode mode_;
  model::Request& req_;
  std::vector<model::Message>* summary_;
  std::optional<model::Message> system_summary_;
  uint32_t tool_count_ = 0;
  std::vector<std::string> tool_names_;
  bool has_max_tokens_ = false;
  std::string_view text_source_;  // the last block's plain-text document source
};

Result<void> RequestReader::read(od::document& doc, std::string_view& model_token) {
  od::object root;
  if (auto ec = doc.get_object().get(root)) {
    if (ec == simdjson::INCORRECT_TYPE) return bad(kKind, "", "request body must be a JSON object");
    return malformed(kKind, ec);
  }
  bool has_model = false, has_messages = false;
  for (auto field : root) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string path(key);
    if (key == "model") {
      model_token = v.raw_json_token();
      SY_TRY(name, read_string(v, path, kKind));
      req_.model.assign(name);
      has_model = true;
    } else if (key == "messages") {
      SY_CHECK(read_messages(v));
      has_messages = true;
    } else if (key == "system") {
      SY_CHECK(read_system(v));
    } else if (key == "max_tokens") {
      SY_TRY(n, read_count(v, path, kKind));
      if (n == 0) return bad(kKind, path, "must be at least 1");
      req_.max_tokens = n;
      has_max_tokens_ = true;
    } else if (key == "stop_sequences") {
      SY_TRY(arr, read_array(v, path, kKind));
      size_t i = 0;
      for (auto item : arr) {
        od::value sv;
        if (auto ec = item.get(sv)) return malformed(kKind, ec);
        SY_TRY(s, read_string(sv, at(path, i++), kKind));
        req_.stop.emplace_back(s);
      }
    } else if (key == "temperature" || key == "top_p") {
      SY_TRY(d, read_number(v, path, kKind));
      if (d < 0 || d > 1) return bad(kKind, path, "must be between 0 and 1");
      (key == "temperature" ? req_.temperature : req_.top_p) = d;
    } else if (key == "top_k") {
      SY_TRY(n, read_count(v, path, kKind));
      req_.top_k = n;
    } else if (key == "stream") {
      SY_TRY(b, read_bool(v, path, kKind));
      req_.stream = b;
    } else if (key == "tools") {
      SY_CHECK(read_tools(v));
    } else if (key == "tool_choice") {
      SY_CHECK(read_tool_choice(v));
    } else if (key == "thinking") {
      SY_CHECK(read_thinking(v));
    } else if (key == "metadata") {
      SY_CHECK(read_metadata(v));
    } else if (key == "service_tier") {
      SY_CHECK(read_string(v, path, kKind));  // capacity choice of Anthropic's; nothing to carry
    } else {
      SY_CHECK(not_translatable("the field \"" + path + "\""));
    }
  }
  // The on-demand parser validates lazily: make sure nothing trails the object.
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return bad(kKind, "", "request body is not valid JSON: unexpected content after the object");
  }
  if (!has_model) return bad(kKind, "model", "required");
  if (req_.model.empty()) return bad(kKind, "model", "must not be empty");
  if (!has_messages) return bad(kKind, "messages", "required");
  if (!has_max_tokens_) return bad(kKind, "max_tokens", "required");
  if (summary_ && system_summary_) summary_->insert(summary_->begin(), std::move(*system_summary_));
  return {};
}

Result<void> RequestReader::read_system(od::value v) {
  SY_TRY(t, type_of(v, kKind));
  model::Turn turn;
  turn.role = Role::System;
  model::Message message;
  message.role = Role::System;
  if (t == od::json_type::string) {
    SY_TRY(s, read_string(v, "system", kKind));
    turn.parts.push_back(Part::make_text(std::string(s)));
    message.text.assign(s);
  } else {
    SY_TRY(arr, read_array(v, "system", kKind));
    size_t i = 0;
    for (auto item : arr) {
      const std::string path = at("system", i++);
      od::value bv;
      if (auto ec = item.get(bv)) return malformed(kKind, ec);
      SY_TRY(block, read_object(bv, path, kKind));
      std::vector<Part> parts;
      SY_CHECK(read_block(block, path, parts, message));
      for (auto& p : parts) {
        if (p.kind != Part::Kind::Text) return bad(kKind, path + ".type", "must be \"text\"");
        turn.parts.push_back(std::move(p));
      }
    }
  }
  if (!turn.parts.empty()) req_.turns.insert(req_.turns.begin(), std::move(turn));
  system_summary_ = std::move(message);
  return {};
}

Result<void> RequestReader::read_messages(od::value v) {
  SY_TRY(arr, read_array(v, "messages", kKind));
  size_t i = 0;
  for (auto item : arr) {
    const std::string path = at("messages", i++);
    od::value mv;
    if (auto ec = item.get(mv)) return malformed(kKind, ec);
    SY_TRY(msg, read_object(mv, path, kKind));
    SY_CHECK(read_message(msg, path));
  }
  if (i == 0) return bad(kKind, "messages", "must contain at least one message");
  return {};
}

Result<void> RequestReader::read_message(od::object msg, const std::string& path) {
  std::optional<Role> role;
  std::vector<Part> parts;
  model::Message message;
  bool has_content = false;
  for (auto field : msg) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    if (key == "role") {
      SY_TRY(r, read_string(v, path + ".role", kKind));
      if (r == "user") {
        role = Role::User;
      } else if (r == "assistant") {
        role = Role::Assistant;
      } else {
        return bad(kKind, path + ".role",
                   "must be \"user\" or \"assistant\", got \"" + std::string(r) + "\"");
      }
    } else if (key == "content") {
      // Blocks are read before the role may be known (keys come in any order); the role
      // checks run below.
      has_content = true;
      const std::string cpath = path + ".content";
      SY_TRY(t, type_of(v, kKind));
      if (t == od::json_type::string) {
        SY_TRY(s, read_string(v, cpath, kKind));
        parts.push_back(Part::make_text(std::string(s)));
        message.text.append(s);
      } else {
        SY_TRY(arr, read_array(v, cpath, kKind));
        size_t i = 0;
        for (auto item : arr) {
          const std::string bpath = at(cpath, i++);
          od::value bv;
          if (auto ec = item.get(bv)) return malformed(kKind, ec);
          SY_TRY(block, read_object(bv, bpath, kKind));
          SY_CHECK(read_block(block, bpath, parts, message));
        }
      }
    }
  }
  if (!role) return bad(kKind, path + ".role", "required");
  if (!has_content) return bad(kKind, path + ".content", "required");
  message.role = *role;
  // A turn per run: consecutive tool results become one Role::Tool turn.
  std::optional<Role> previous;
  size_t block = 0;
  for (auto& part : parts) {
    const bool is_result = part.kind == Part::Kind::ToolResult;
    const std::string tpath = path + ".content[" + std::to_string(block++) + "].type";
    if (*role == Role::Assistant && (is_result || part.kind == Part::Kind::Image)) {
      return bad(kKind, tpath, "tool_result and image blocks belong to user messages");
    }
    if (*role == Role::User && part.kind != Part::Kind::Text && part.kind != Part::Kind::Image &&
        !is_result) {
      return bad(kKind, tpath, "tool_use and thinking blocks belong to assistant messages");
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
  if (parts.empty()) {  // "content": [] is legal; keep the (empty) turn
    model::Turn turn;
    turn.role = *role;
    req_.turns.push_back(std::move(turn));
  }
  if (summary_) summary_->push_back(std::move(message));
  return {};
}

Result<void> RequestReader::read_block(od::object block, const std::string& path,
                                       std::vector<Part>& parts, model::Message& message) {
  std::string_view type, text, id, name, thinking, signature, data;
  std::optional<std::string_view> input;
  bool has_text = false, has_source = false, has_thinking = false, has_signature = false,
       has_data = false, has_content = false, is_error = false;
  model::Image image;
  model::ToolResult result;
  text_source_ = {};
  uint32_t images_before = message.image_parts;
  for (auto field : block) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string fpath = path + "." + std::string(key);
    if (key == "type") {
      SY_TRY(s, read_string(v, fpath, kKind));
      type = s;
    } else if (key == "text") {
      SY_TRY(s, read_string(v, fpath, kKind));
      text = s;
      has_text = true;
    } else if (key == "id" || key == "tool_use_id") {
      SY_TRY(s, read_string(v, fpath, kKind));
      id = s;
    } else if (key == "name") {
      SY_TRY(s, read_string(v, fpath, kKind));
      name = s;
    } else if (key == "input") {
      SY_TRY(raw, object_text(v, fpath, kKind));
      input = raw;
    } else if (key == "thinking") {
      SY_TRY(s, read_string(v, fpath, kKind));
      thinking = s;
      has_thinking = true;
    } else if (key == "signature") {
      SY_TRY(s, read_string(v, fpath, kKind));
      signature = s;
      has_signature = true;
    } else if (key == "data") {
      SY_TRY(s, read_string(v, fpath, kKind));
      data = s;
      has_data = true;
    } else if (key == "is_error") {
      SY_TRY(b, read_bool(v, fpath, kKind));
      is_error = b;
    } else if (key == "source") {
      has_source = true;
      SY_CHECK(read_image_source(v, fpath, image));
    } else if (key == "content") {
      has_content = true;
      SY_CHECK(read_tool_result_content(v, fpath, result, message));
    }
    // cache_control, citations, title, context: accepted, nothing to carry.
  }
  const std::string tpath = path + ".type";
  if (type.empty()) return bad(kKind, tpath, "required");
  auto missing = [&](const char* field) {
    return bad(kKind, path + "." + field, std::string("required in a ") + std::string(type) + " block");
  };
  Part part;
  if (type == "text") {
    if (!has_text) return missing("text");
    if (has_source) return bad(kKind, path + ".source", "not allowed in a text block");
    part = Part::make_text(std::string(text));
    message.text.append(text);
  } else if (type == "image") {
    if (!has_source) return missing("source");
    if (!text_source_.empty()) return bad(kKind, path + ".source.type", "not an image source");
    if (image.url.empty() && image.data.empty() && mode_ == Mode::Ingress) {
      ++message.image_parts;  // a source Anthropic has and the canonical model has not (file)
      return {};
    }
    part.kind = Part::Kind::Image;
    part.image = std::move(image);
    ++message.image_parts;
  } else if (type == "tool_use") {
    if (id.empty()) return missing("id");
    if (name.empty()) return missing("name");
    if (!input) return missing("input");
    part.kind = Part::Kind::ToolUse;
    part.tool_use = {std::string(id), std::string(name), std::string(*input)};
    ++message.tool_calls;
  } else if (type == "tool_result") {
    if (id.empty()) return missing("tool_use_id");
    if (message.image_parts != images_before) {
      SY_CHECK(not_translatable(path + " (an image inside a tool_result)"));
    }
    part.kind = Part::Kind::ToolResult;
    result.tool_use_id.assign(id);
    result.is_error = is_error;
    part.tool_result = std::move(result);
    (void)has_content;  // content is optional: an empty result
  } else if (type == "thinking") {
    if (!has_thinking) return missing("thinking");
    if (!has_signature) return missing("signature");
    part.kind = Part::Kind::Thinking;
    part.text.assign(thinking);
    part.signature.assign(signature);
  } else if (type == "redacted_thinking") {
    if (!has_data) return missing("data");
    part.kind = Part::Kind::RedactedThinking;
    part.text.assign(data);
  } else if (type == "document") {
    // Documents have no canonical form; plain-text sources still reach DLP via the summary.
    message.text.append(text_source_);
    SY_CHECK(not_translatable(path + " (a document block)"));
    return {};
  } else {
    SY_CHECK(not_translatable(path + " (a \"" + std::string(type) + "\" block)"));
    return {};
  }
  parts.push_back(std::move(part));
  return {};
}

Result<void> RequestReader::read_image_source(od::value v, const std::string& path,
                                              model::Image& image) {
  SY_TRY(src, read_object(v, path, kKind));
  std::string_view type, media_type, data, url;
  for (auto field : src) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value fv;
    if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
    const std::string fpath = path + "." + std::string(key);
    std::string_view* slot = key == "type"         ? &type
                             : key == "media_type" ? &media_type
                             : key == "data"       ? &data
                             : key == "url"        ? &url
                                                   : nullptr;
    if (!slot) continue;
    SY_TRY(s, read_string(fv, fpath, kKind));
    *slot = s;
  }
  if (type == "base64") {
    if (media_type.empty()) return bad(kKind, path + ".media_type", "required for base64");
    if (data.empty()) return bad(kKind, path + ".data", "required for base64");
    image.source = model::Image::Source::Base64;
    image.media_type.assign(media_type);
    image.data.assign(data);
  } else if (type == "url") {
    if (url.empty()) return bad(kKind, path + ".url", "required for url");
    image.source = model::Image::Source::Url;
    image.url.assign(url);
  } else if (type.empty()) {
    return bad(kKind, path + ".type", "required");
  } else if (type == "text") {  // a document's plain-text source
    image.media_type.assign(media_type);
    text_source_ = data;
  } else if (mode_ == Mode::Translate) {
    return unsupported(path + " (an image source of type \"" + std::string(type) + "\")",
                       kTranslation);
  }
  return {};
}

Result<void> RequestReader::read_tool_result_content(od::value v, const std::string& path,
                                                     model::ToolResult& result,
                                                     model::Message& message) {
  SY_TRY(t, type_of(v, kKind));
  if (t == od::json_type::string) {
    SY_TRY(s, read_string(v, path, kKind));
    result.text.assign(s);
    message.text.append(s);
    return {};
  }
  SY_TRY(arr, read_array(v, path, kKind));
  size_t i = 0;
  for (auto item : arr) {
    const std::string bpath = at(path, i++);
    od::value bv;
    if (auto ec = item.get(bv)) return malformed(kKind, ec);
    SY_TRY(block, read_object(bv, bpath, kKind));
    std::vector<Part> parts;
    SY_CHECK(read_block(block, bpath, parts, message));
    for (const auto& p : parts) {
      if (p.kind == Part::Kind::Text) {
        result.text += p.text;
      } else if (p.kind != Part::Kind::Image) {
        return bad(kKind, bpath + ".type", "a tool_result holds text and image blocks");
      }
    }
  }
  return {};
}

Result<void> RequestReader::read_tools(od::value v) {
  SY_TRY(arr, read_array(v, "tools", kKind));
  size_t i = 0;
  for (auto item : arr) {
    const std::string path = at("tools", i++);
    od::value tv;
    if (auto ec = item.get(tv)) return malformed(kKind, ec);
    SY_TRY(tool, read_object(tv, path, kKind));
    model::ToolDefinition def;
    std::string_view type;
    bool has_schema = false;
    for (auto field : tool) {
      std::string_view key;
      if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
      od::value fv;
      if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
      const std::string fpath = path + "." + std::string(key);
      if (key == "name") {
        SY_TRY(s, read_string(fv, fpath, kKind));
        def.name.assign(s);
      } else if (key == "description") {
        SY_TRY(s, read_string(fv, fpath, kKind));
        def.description.assign(s);
      } else if (key == "input_schema") {
        SY_TRY(raw, object_text(fv, fpath, kKind));
        def.parameters.assign(raw);
        has_schema = true;
      } else if (key == "type") {
        SY_TRY(s, read_string(fv, fpath, kKind));
        type = s;
      }
    }
    ++tool_count_;
    if (!def.name.empty()) tool_names_.push_back(def.name);
    if (!type.empty() && type != "custom") {  // a server tool: web_search_…, bash_…, …
      SY_CHECK(not_translatable(path + " (the server tool \"" + std::string(type) + "\")"));
      continue;
    }
    if (def.name.empty()) return bad(kKind, path + ".name", "required");
    if (!has_schema) return bad(kKind, path + ".input_schema", "required");
    req_.tools.push_back(std::move(def));
  }
  return {};
}

Result<void> RequestReader::read_tool_choice(od::value v) {
  SY_TRY(obj, read_object(v, "tool_choice", kKind));
  std::string_view type, name;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value fv;
    if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
    const std::string fpath = "tool_choice." + std::string(key);
    if (key == "type") {
      SY_TRY(s, read_string(fv, fpath, kKind));
      type = s;
    } else if (key == "name") {
      SY_TRY(s, read_string(fv, fpath, kKind));
      name = s;
    } else if (key == "disable_parallel_tool_use") {
      SY_TRY(b, read_bool(fv, fpath, kKind));
      req_.tool_choice.parallel = !b;
    }
  }
  using Mode = model::ToolChoice::Mode;
  auto& choice = req_.tool_choice;
  if (type == "auto") {
    choice.mode = Mode::Auto;
  } else if (type == "any") {
    choice.mode = Mode::Required;
  } else if (type == "none") {
    choice.mode = Mode::None;
  } else if (type == "tool") {
    if (name.empty()) return bad(kKind, "tool_choice.name", "required when type is \"tool\"");
    choice.mode = Mode::Named;
    choice.name.assign(name);
  } else if (type.empty()) {
    return bad(kKind, "tool_choice.type", "required");
  } else {
    return bad(kKind, "tool_choice.type",
               "must be \"auto\", \"any\", \"tool\" or \"none\", got \"" + std::string(type) + "\"");
  }
  return {};
}

Result<void> RequestReader::read_thinking(od::value v) {
  SY_TRY(obj, read_object(v, "thinking", kKind));
  std::string_view type;
  std::optional<uint32_t> budget;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value fv;
    if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
    if (key == "type") {
      SY_TRY(s, read_string(fv, "thinking.type", kKind));
      type = s;
    } else if (key == "budget_tokens") {
      SY_TRY(n, read_count(fv, "thinking.budget_tokens", kKind));
      budget = n;
    }
  }
  if (type == "enabled") {
    if (!budget) return bad(kKind, "thinking.budget_tokens", "required when thinking is enabled");
    req_.reasoning = model::Reasoning{budget, {}};
  } else if (type.empty()) {
    return bad(kKind, "thinking.type", "required");
  } else if (type != "disabled") {
    return bad(kKind, "thinking.type", "must be \"enabled\" or \"disabled\"");
  }
  return {};
}

Result<void> RequestReader::read_metadata(od::value v) {
  SY_TRY(obj, read_object(v, "metadata", kKind));
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value fv;
    if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
    if (key != "user_id") continue;
    SY_TRY(t, type_of(fv, kKind));
    if (t == od::json_type::null) continue;
    SY_TRY(s, read_string(fv, "metadata.user_id", kKind));
    req_.user.assign(s);
  }
  return {};
}

// Parses `body`, which must have simdjson padding within `capacity`.
Result<void> read_request(const char* body, size_t size, size_t capacity, RequestReader& reader,
                          std::string_view& model_token) {
  od::document doc;
  if (auto ec = request_parser().iterate(body, size, capacity).get(doc)) {
    return malformed(kKind, ec);
  }
  return reader.read(doc, model_token);
}

}  // namespace

Result<model::ChatRequest> AnthropicMessagesCodec::decode_ingress(std::string body) const {
  model::ChatRequest out;
  out.protocol = model::Protocol::AnthropicMessages;
  out.raw_body = std::move(body);
  reserve_padding(out.raw_body);
  model::Request req;
  RequestReader reader(Mode::Ingress, req, &out.messages);
  std::string_view token;
  SY_CHECK(read_request(out.raw_body.data(), out.raw_body.size(), out.raw_body.capacity(), reader,
                        token));
  const size_t begin = static_cast<size_t>(token.data() - out.raw_body.data());
  out.model_token = {begin, begin + trim_json(token).size()};
  out.model = std::move(req.model);
  out.stream = req.stream;
  out.max_tokens = req.max_tokens;
  out.tools = reader.tool_count();
  out.tool_names = reader.tool_names();
  return out;
}

std::string AnthropicMessagesCodec::forward_request(const model::ChatRequest& req,
                                                    std::string_view upstream_model) const {
  const std::string& body = req.raw_body;
  std::string out;
  out.reserve(body.size() + upstream_model.size() + 8);
  out.append(body, 0, req.model_token.begin);
  out += '"';
  json::append_escaped(out, upstream_model);
  out += '"';
  out.append(body, req.model_token.end, std::string::npos);
  return out;
}

Result<model::Request> AnthropicMessagesCodec::decode_request(std::string_view body) const {
  const std::string copy = padded_copy(body);
  model::Request req;
  RequestReader reader(Mode::Translate, req, nullptr);
  std::string_view token;
  SY_CHECK(read_request(copy.data(), copy.size(), copy.capacity(), reader, token));
  // Tool inputs pass through as text: make sure each is a whole JSON object.
  for (size_t t = 0; t < req.turns.size(); ++t) {
    for (const auto& part : req.turns[t].parts) {
      std::string why;
      if (part.kind == Part::Kind::ToolUse && !is_json_object(part.tool_use.arguments, why)) {
        return bad(kKind, "messages: tool_use " + part.tool_use.id + ".input", why);
      }
    }
  }
  return req;
}

std::string AnthropicMessagesCodec::request_path(std::string_view, bool) const {
  return "/v1/messages";
}

}  // namespace sy::protocols
