// Anthropic Messages responses ⇄ canonical responses, and Anthropic's error envelope.
// Usage: canonical input_tokens is the whole prompt (Anthropic's input_tokens +
// cache_read_input_tokens + cache_creation_input_tokens), cached_input_tokens the cache
// reads; encoding subtracts the cached part again.
#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "protocols/anthropic_json.h"
#include "protocols/anthropic_messages.h"

namespace sy::protocols {
namespace {

using namespace anthropic;  // NOLINT(google-build-using-namespace): the codec's own helpers
using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::Part;

constexpr ErrorKind kKind = ErrorKind::UpstreamError;

od::parser& response_parser() {
  thread_local od::parser p;
  return p;
}

Result<void> read_block(od::object block, const std::string& path, model::Response& resp) {
  std::string_view type, text, id, name, thinking, signature, data;
  std::optional<std::string_view> input;
  for (auto field : block) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string fpath = path + "." + std::string(key);
    std::string_view* slot = key == "type"        ? &type
                             : key == "text"      ? &text
                             : key == "id"        ? &id
                             : key == "name"      ? &name
                             : key == "thinking"  ? &thinking
                             : key == "signature" ? &signature
                             : key == "data"      ? &data
                                                  : nullptr;
    if (slot) {
      SY_TRY(s, read_string(v, fpath, kKind));
      *slot = s;
    } else if (key == "input") {
      SY_TRY(raw, object_text(v, fpath, kKind));
      input = raw;
    }
  }
  Part part;
  if (type == "text") {
    part = Part::make_text(std::string(text));
  } else if (type == "tool_use") {
    if (id.empty() || !input) return bad(kKind, path, "a tool_use block needs id and input");
    std::string why;
    if (!is_json_object(*input, why)) return bad(kKind, path + ".input", why);
    part.kind = Part::Kind::ToolUse;
    part.tool_use = {std::string(id), std::string(name), std::string(*input)};
  } else if (type == "thinking") {
    part.kind = Part::Kind::Thinking;
    part.text.assign(thinking);
    part.signature.assign(signature);
  } else if (type == "redacted_thinking") {
    part.kind = Part::Kind::RedactedThinking;
    part.text.assign(data);
  } else {
    return bad(kKind, path + ".type",
               "the content block type \"" + std::string(type) + "\" cannot be translated");
  }
  resp.content.push_back(std::move(part));
  return {};
}

}  // namespace

namespace anthropic {

Result<void> read_usage(od::value v, const std::string& path, model::Usage& usage) {
  SY_TRY(obj, read_object(v, path, kKind));
  uint32_t input = 0, cache_read = 0, cache_creation = 0;
  bool has_input = false;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value fv;
    if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
    uint32_t* slot = key == "input_tokens"                  ? &input
                     : key == "output_tokens"               ? &usage.output_tokens
                     : key == "cache_read_input_tokens"     ? &cache_read
                     : key == "cache_creation_input_tokens" ? &cache_creation
                                                            : nullptr;
    if (!slot) continue;
    SY_TRY(t, type_of(fv, kKind));
    if (t == od::json_type::null) continue;
    SY_TRY(n, read_count(fv, path + "." + std::string(key), kKind));
    *slot = n;
    has_input |= slot != &usage.output_tokens;
  }
  // message_delta carries only output_tokens: keep the input side from message_start.
  if (has_input) {
    usage.input_tokens = input + cache_read + cache_creation;
    usage.cached_input_tokens = cache_read;
  }
  usage.reported = true;
  return {};
}

void write_usage(json::Writer& w, const model::Usage& usage) {
  const uint32_t cached = std::min(usage.cached_input_tokens, usage.input_tokens);
  w.key("usage").begin_object();
  w.field("input_tokens", static_cast<int64_t>(usage.input_tokens - cached));
  w.field("output_tokens", static_cast<int64_t>(usage.output_tokens));
  if (cached) w.field("cache_read_input_tokens", static_cast<int64_t>(cached));
  w.end_object();
}

}  // namespace anthropic

Result<model::Response> AnthropicMessagesCodec::decode_response(std::string_view body) const {
  const std::string copy = padded_copy(body);
  od::document doc;
  if (auto ec = response_parser().iterate(copy.data(), copy.size(), copy.capacity()).get(doc)) {
    return malformed(kKind, ec);
  }
  od::object root;
  if (auto ec = doc.get_object().get(root)) return malformed(kKind, ec);
  model::Response resp;
  bool has_content = false;
  for (auto field : root) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string path(key);
    if (key == "id" || key == "model") {
      SY_TRY(s, read_string(v, path, kKind));
      (key == "id" ? resp.id : resp.model).assign(s);
    } else if (key == "type") {
      SY_TRY(s, read_string(v, path, kKind));
      if (s != "message") return bad(kKind, path, "expected \"message\"");
    } else if (key == "content") {
      has_content = true;
      SY_TRY(arr, read_array(v, path, kKind));
      size_t i = 0;
      for (auto item : arr) {
        const std::string bpath = "content[" + std::to_string(i++) + "]";
        od::value bv;
        if (auto ec = item.get(bv)) return malformed(kKind, ec);
        SY_TRY(block, read_object(bv, bpath, kKind));
        if (auto r = read_block(block, bpath, resp); !r) return std::unexpected(r.error());
      }
    } else if (key == "stop_reason" || key == "stop_sequence") {
      SY_TRY(t, type_of(v, kKind));
      if (t == od::json_type::null) continue;
      SY_TRY(s, read_string(v, path, kKind));
      if (key == "stop_reason") {
        resp.finish = finish_from_stop_reason(s);
      } else {
        resp.stop_sequence.assign(s);
      }
    } else if (key == "usage") {
      if (auto r = read_usage(v, path, resp.usage); !r) return std::unexpected(r.error());
    }
  }
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return bad(kKind, "", "unexpected content after the object");
  }
  if (!has_content) return bad(kKind, "content", "required");
  return resp;
}

Result<std::string> AnthropicMessagesCodec::encode_response(const model::Response& resp) const {
  std::string out;
  out.reserve(256);
  json::Writer w(out);
  w.begin_object().field("id", resp.id.empty() ? new_message_id() : resp.id);
  w.field("type", "message").field("role", "assistant").field("model", resp.model);
  w.key("content").begin_array();
  for (size_t i = 0; i < resp.content.size(); ++i) {
    if (auto r = write_content_block(w, resp.content[i], i); !r) return std::unexpected(r.error());
  }
  w.end_array();
  w.key("stop_reason");
  if (resp.finish == model::FinishReason::Unset) w.null(); else w.value(stop_reason_name(resp.finish));
  w.key("stop_sequence");
  if (resp.stop_sequence.empty()) w.null(); else w.value(resp.stop_sequence);
  write_usage(w, resp.usage);
  w.end_object();
  return out;
}

std::string AnthropicMessagesCodec::stream_error_event(const Error& error) const {
  std::string event = "event: error\ndata: ";
  event += encode_error(error);
  event += "\n\n";
  return event;
}

bool AnthropicMessagesCodec::ends_stream(std::string_view event, std::string_view) const {
  return event == "message_stop";
}

std::string AnthropicMessagesCodec::encode_error(const Error& error) const {
  const char* type = "api_error";
  switch (error.kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::MethodNotAllowed:
    case ErrorKind::RequestTimeout:
    case ErrorKind::HeadersTooLarge: type = "invalid_request_error"; break;
    case ErrorKind::Authentication: type = "authentication_error"; break;
    case ErrorKind::PermissionDenied: type = "permission_error"; break;
    case ErrorKind::NotFound: type = "not_found_error"; break;
    case ErrorKind::PayloadTooLarge: type = "request_too_large"; break;
    case ErrorKind::RateLimited: type = "rate_limit_error"; break;
    case ErrorKind::Unavailable: type = "overloaded_error"; break;
    case ErrorKind::Internal:
    case ErrorKind::UpstreamError:
    case ErrorKind::UpstreamTimeout: type = "api_error"; break;
  }
  std::string out;
  out.reserve(64 + error.message.size());
  json::Writer w(out);
  w.begin_object().field("type", "error").key("error").begin_object();
  w.field("type", type).field("message", error.message).end_object().end_object();
  return out;
}

std::string AnthropicMessagesCodec::decode_error_message(std::string_view body) const {
  return json_read::error_message(body, {"/error/message", "/message"});
}

const AnthropicMessagesCodec& anthropic_messages_codec() {
  static const AnthropicMessagesCodec codec;
  return codec;
}

}  // namespace sy::protocols
