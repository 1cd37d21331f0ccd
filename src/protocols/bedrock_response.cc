// Bedrock Converse responses ⇄ canonical responses, Bedrock's error body and exception
// names, and request signing. Usage: canonical input_tokens is the whole prompt
// (inputTokens + cacheReadInputTokens + cacheWriteInputTokens), cached_input_tokens the
// cache reads; encoding subtracts the cached part again. Converse responses carry no id or
// model; the stop sequence that matched is not reported either.
#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "protocols/bedrock_converse.h"
#include "protocols/bedrock_json.h"
#include "protocols/json_read.h"

namespace sy::protocols {

namespace bedrock {

model::FinishReason finish_from_stop_reason(std::string_view s) {
  if (s == "end_turn") return model::FinishReason::EndTurn;
  if (s == "tool_use") return model::FinishReason::ToolUse;
  if (s == "max_tokens") return model::FinishReason::MaxTokens;
  if (s == "stop_sequence") return model::FinishReason::StopSequence;
  if (s == "guardrail_intervened" || s == "content_filtered")
    return model::FinishReason::ContentFilter;
  return model::FinishReason::Other;  // model_context_window_exceeded, …
}

const char* stop_reason_name(model::FinishReason r) {
  switch (r) {
    case model::FinishReason::ToolUse:
      return "tool_use";
    case model::FinishReason::MaxTokens:
      return "max_tokens";
    case model::FinishReason::StopSequence:
      return "stop_sequence";
    case model::FinishReason::ContentFilter:
      return "content_filtered";
    case model::FinishReason::Unset:
    case model::FinishReason::EndTurn:
    case model::FinishReason::Other:
      return "end_turn";
  }
  return "end_turn";
}

}  // namespace bedrock

namespace {

using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::Part;

constexpr ErrorKind kKind = ErrorKind::UpstreamError;

od::parser& response_parser() {
  thread_local od::parser p;
  return p;
}

Result<void> read_tool_use(od::object obj, const std::string& path, Part& part) {
  part.kind = Part::Kind::ToolUse;
  bool has_input = false;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string fpath = path + "." + std::string(key);
    if (key == "toolUseId" || key == "name") {
      SY_TRY(s, read_string(v, fpath, kKind));
      (key == "name" ? part.tool_use.name : part.tool_use.id).assign(s);
    } else if (key == "input") {
      SY_TRY(raw, object_text(v, fpath, kKind));
      part.tool_use.arguments.assign(raw);
      has_input = true;
    }
  }
  if (part.tool_use.id.empty() || !has_input)
    return bad(kKind, path, "a toolUse block needs toolUseId and input");
  std::string why;
  if (!is_json_object(part.tool_use.arguments, why)) return bad(kKind, path + ".input", why);
  return {};
}

Result<void> read_reasoning(od::object obj, const std::string& path, Part& part) {
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string fpath = path + "." + std::string(key);
    if (key == "redactedContent") {
      SY_TRY(s, read_string(v, fpath, kKind));
      part.kind = Part::Kind::RedactedThinking;
      part.text.assign(s);
    } else if (key == "reasoningText") {
      part.kind = Part::Kind::Thinking;
      SY_TRY(rt, read_object(v, fpath, kKind));
      for (auto tf : rt) {
        std::string_view k;
        if (auto ec = tf.unescaped_key().get(k)) return malformed(kKind, ec);
        od::value tv;
        if (auto ec = tf.value().get(tv)) return malformed(kKind, ec);
        if (k != "text" && k != "signature") continue;
        SY_TRY(s, read_string(tv, fpath + "." + std::string(k), kKind));
        (k == "text" ? part.text : part.signature).assign(s);
      }
    }
  }
  return {};
}

Result<void> read_block(od::object block, const std::string& path, model::Response& resp) {
  Part part;
  bool known = false;
  for (auto field : block) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(kKind, ec);
    const std::string fpath = path + "." + std::string(key);
    if (key == "text") {
      SY_TRY(s, read_string(v, fpath, kKind));
      part = Part::make_text(std::string(s));
      known = true;
    } else if (key == "toolUse" || key == "reasoningContent") {
      SY_TRY(obj, read_object(v, fpath, kKind));
      auto r =
          key == "toolUse" ? read_tool_use(obj, fpath, part) : read_reasoning(obj, fpath, part);
      if (!r) return r;
      known = true;
    } else {
      return bad(kKind, fpath, "a " + std::string(key) + " block cannot be translated");
    }
  }
  if (!known) return bad(kKind, path, "an empty content block");
  resp.content.push_back(std::move(part));
  return {};
}

Result<void> read_message(od::value v, model::Response& resp, bool& has_content) {
  SY_TRY(msg, read_object(v, "output.message", kKind));
  for (auto field : msg) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value mv;
    if (auto ec = field.value().get(mv)) return malformed(kKind, ec);
    if (key != "content") continue;
    has_content = true;
    SY_TRY(arr, read_array(mv, "output.message.content", kKind));
    size_t i = 0;
    for (auto item : arr) {
      const std::string bpath = "output.message.content[" + std::to_string(i++) + "]";
      od::value bv;
      if (auto ec = item.get(bv)) return malformed(kKind, ec);
      SY_TRY(block, read_object(bv, bpath, kKind));
      if (auto r = read_block(block, bpath, resp); !r) return r;
    }
  }
  return {};
}

}  // namespace

namespace bedrock {

Result<void> read_usage(simdjson::ondemand::value v, const std::string& path, model::Usage& usage) {
  SY_TRY(obj, read_object(v, path, kKind));
  uint32_t input = 0, cache_read = 0, cache_write = 0;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(kKind, ec);
    od::value fv;
    if (auto ec = field.value().get(fv)) return malformed(kKind, ec);
    uint32_t* slot = key == "inputTokens"             ? &input
                     : key == "outputTokens"          ? &usage.output_tokens
                     : key == "cacheReadInputTokens"  ? &cache_read
                     : key == "cacheWriteInputTokens" ? &cache_write
                                                      : nullptr;
    if (!slot) continue;  // totalTokens is derived
    SY_TRY(n, read_count(fv, path + "." + std::string(key), kKind));
    *slot = n;
  }
  const uint64_t total = uint64_t{input} + cache_read + cache_write;
  usage.input_tokens = static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX));
  usage.cached_input_tokens = cache_read;
  usage.reported = true;
  return {};
}

void write_usage(json::Writer& w, const model::Usage& usage) {
  const uint32_t cached = std::min(usage.cached_input_tokens, usage.input_tokens);
  w.key("usage").begin_object();
  w.field("inputTokens", static_cast<int64_t>(usage.input_tokens - cached));
  w.field("outputTokens", static_cast<int64_t>(usage.output_tokens));
  w.field("totalTokens", static_cast<int64_t>(usage.input_tokens) + usage.output_tokens);
  if (cached) w.field("cacheReadInputTokens", static_cast<int64_t>(cached));
  w.end_object();
}

Result<void> write_block(json::Writer& w, const model::Part& part, size_t index) {
  using Kind = model::Part::Kind;
  switch (part.kind) {
    case Kind::Text:
      w.begin_object().field("text", part.text).end_object();
      return {};
    case Kind::ToolUse: {
      std::string_view input = trim_json(part.tool_use.arguments);
      std::string why;
      if (input.empty()) {
        input = "{}";
      } else if (!is_json_object(input, why)) {
        return fail(ErrorKind::UpstreamError, "content[" + std::to_string(index) +
                                                  "]: the arguments of tool call " +
                                                  part.tool_use.id + " are " + why);
      }
      w.begin_object().key("toolUse").begin_object().field("toolUseId", part.tool_use.id);
      w.field("name", part.tool_use.name).key("input").raw(input).end_object().end_object();
      return {};
    }
    case Kind::Thinking:
      w.begin_object().key("reasoningContent").begin_object().key("reasoningText").begin_object();
      w.field("text", part.text);
      if (!part.signature.empty()) w.field("signature", part.signature);
      w.end_object().end_object().end_object();
      return {};
    case Kind::RedactedThinking:
      w.begin_object().key("reasoningContent").begin_object();
      w.field("redactedContent", part.text).end_object().end_object();
      return {};
    case Kind::Image:
    case Kind::ToolResult:
      break;
  }
  return fail(ErrorKind::UpstreamError, "content[" + std::to_string(index) +
                                            "]: images and tool results cannot be "
                                            "part of an assistant response in bedrock_converse");
}

}  // namespace bedrock

Result<model::Response> BedrockConverseCodec::decode_response(std::string_view body) const {
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
    if (key == "output") {
      SY_TRY(out, read_object(v, "output", kKind));
      for (auto of : out) {
        std::string_view k;
        if (auto ec = of.unescaped_key().get(k)) return malformed(kKind, ec);
        od::value ov;
        if (auto ec = of.value().get(ov)) return malformed(kKind, ec);
        if (k != "message") continue;
        if (auto r = read_message(ov, resp, has_content); !r) return std::unexpected(r.error());
      }
    } else if (key == "stopReason") {
      SY_TRY(s, read_string(v, "stopReason", kKind));
      resp.finish = bedrock::finish_from_stop_reason(s);
    } else if (key == "usage") {
      if (auto r = bedrock::read_usage(v, "usage", resp.usage); !r)
        return std::unexpected(r.error());
    }
    // metrics, trace, performanceConfig, additionalModelResponseFields: nothing to carry.
  }
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return bad(kKind, "", "unexpected content after the object");
  }
  if (!has_content) return bad(kKind, "output.message.content", "required");
  return resp;
}

Result<std::string> BedrockConverseCodec::encode_response(const model::Response& resp) const {
  std::string out;
  out.reserve(256);
  json::Writer w(out);
  w.begin_object().key("output").begin_object().key("message").begin_object();
  w.field("role", "assistant").key("content").begin_array();
  for (size_t i = 0; i < resp.content.size(); ++i) {
    if (auto r = bedrock::write_block(w, resp.content[i], i); !r) return std::unexpected(r.error());
  }
  w.end_array().end_object().end_object();
  w.field("stopReason", bedrock::stop_reason_name(resp.finish));
  bedrock::write_usage(w, resp.usage);
  w.end_object();
  return out;
}

const char* BedrockConverseCodec::exception_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::MethodNotAllowed:
    case ErrorKind::PayloadTooLarge:
    case ErrorKind::HeadersTooLarge:
      return "ValidationException";
    case ErrorKind::Authentication:
    case ErrorKind::PermissionDenied:
      return "AccessDeniedException";
    case ErrorKind::NotFound:
      return "ResourceNotFoundException";
    case ErrorKind::RateLimited:
      return "ThrottlingException";
    case ErrorKind::RequestTimeout:
    case ErrorKind::UpstreamTimeout:
      return "ModelTimeoutException";
    case ErrorKind::Unavailable:
      return "ServiceUnavailableException";
    case ErrorKind::Internal:
    case ErrorKind::UpstreamError:
      return "InternalServerException";
  }
  return "InternalServerException";
}

ErrorKind BedrockConverseCodec::kind_of_exception(std::string_view name) {
  // The header may carry a namespace suffix ("ThrottlingException:http://…").
  name = name.substr(0, name.find(':'));
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.ends_with("exception")) lower.resize(lower.size() - 9);
  if (lower == "validation") return ErrorKind::InvalidRequest;
  if (lower == "accessdenied") return ErrorKind::PermissionDenied;
  if (lower == "resourcenotfound") return ErrorKind::NotFound;
  if (lower == "throttling" || lower == "servicequotaexceeded") return ErrorKind::RateLimited;
  if (lower == "modeltimeout") return ErrorKind::UpstreamTimeout;
  if (lower == "serviceunavailable" || lower == "modelnotready") return ErrorKind::Unavailable;
  if (lower == "modelstreamerror" || lower == "modelerror") return ErrorKind::UpstreamError;
  return ErrorKind::Internal;
}

std::string BedrockConverseCodec::encode_error(const Error& error) const {
  std::string out;
  out.reserve(16 + error.message.size());
  json::Writer w(out);
  w.begin_object().field("message", error.message).end_object();
  return out;
}

std::string BedrockConverseCodec::decode_error_message(std::string_view body) const {
  return json_read::error_message(body, {"/message", "/Message"});
}

const BedrockConverseCodec& bedrock_converse_codec() {
  static const BedrockConverseCodec codec;
  return codec;
}

namespace aws {

Result<std::vector<HttpHeader>> sign_bedrock(std::string_view method, std::string_view host,
                                             std::string_view path, std::string_view body,
                                             const Credentials& credentials,
                                             std::string_view region,
                                             std::chrono::sys_seconds now) {
  constexpr std::string_view kContentType = "application/json";
  SigningRequest req{.method = method,
                     .host = host,
                     .path = path,
                     .query = {},
                     .headers = {{"content-type", std::string(kContentType)}},
                     .payload = body};
  auto sig = sign(req, credentials, {.region = region, .service = "bedrock"}, now);
  if (!sig) return std::unexpected(sig.error());
  std::vector<HttpHeader> headers;
  headers.push_back({"content-type", std::string(kContentType)});
  headers.push_back({"x-amz-date", sig->amz_date});
  if (!sig->security_token.empty())
    headers.push_back({"x-amz-security-token", sig->security_token});
  headers.push_back({"authorization", sig->authorization});
  return headers;
}

}  // namespace aws

}  // namespace sy::protocols
