#include "protocols/gemini_wire.h"

#include <simdjson.h>

#include <algorithm>

#include "protocols/codec.h"

namespace sy::protocols::gemini_wire {
namespace {

using namespace gemini_json;  // NOLINT(google-build-using-namespace): the codec's own helpers
using model::Part;

constexpr std::string_view kCanonical = "the canonical model";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(
      suffix.begin(), suffix.end(), s.end() - static_cast<std::ptrdiff_t>(suffix.size()),
      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

// The image media type a file name implies (Gemini's image types), or "".
std::string_view media_type_of(std::string_view uri) {
  const auto q = uri.find_first_of("?#");
  if (q != std::string_view::npos) uri = uri.substr(0, q);
  if (ends_with_ci(uri, ".png")) return "image/png";
  if (ends_with_ci(uri, ".jpg") || ends_with_ci(uri, ".jpeg")) return "image/jpeg";
  if (ends_with_ci(uri, ".webp")) return "image/webp";
  if (ends_with_ci(uri, ".heic")) return "image/heic";
  if (ends_with_ci(uri, ".heif")) return "image/heif";
  return {};
}

od::parser& chunk_parser() {
  thread_local od::parser p;
  return p;
}

Result<void> decode_candidate(const Reader& rd, od::value& v, const std::string& path,
                              size_t& next_call, Chunk& chunk) {
  SY_TRY(obj, rd.object(v, path));
  return rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(path, key);
    if (key == "finishReason") {
      SY_TRY(s, rd.string(f, fp));
      chunk.finish_reason.assign(s);
    } else if (key == "content") {
      SY_TRY(content, rd.object(f, fp));
      return rd.fields(content, [&](std::string_view k, od::value& x) -> Result<void> {
        if (k != "parts") return {};  // role "model"
        const std::string pp = dot(fp, k);
        SY_TRY(parts, rd.array(x, pp));
        return rd.items(parts, [&](size_t i, od::value& pv) -> Result<void> {
          const std::string ip = at(pp, i);
          SY_TRY(po, rd.object(pv, ip));
          Part part;
          bool thought = false, known = false;
          SY_CHECK(rd.fields(po, [&](std::string_view pk, od::value& y) -> Result<void> {
            const std::string yp = dot(ip, pk);
            if (pk == "text") {
              SY_TRY(s, rd.string(y, yp));
              part.kind = Part::Kind::Text;
              part.text.assign(s);
              known = true;
            } else if (pk == "thought") {
              SY_TRY(b, rd.boolean(y, yp));
              thought = b;
            } else if (pk == "thoughtSignature") {
              SY_TRY(s, rd.string(y, yp));
              part.signature.assign(s);
            } else if (pk == "functionCall") {
              SY_TRY(call, decode_function_call(rd, y, yp));
              part.kind = Part::Kind::ToolUse;
              part.tool_use = std::move(call);
              known = true;
            } else if (pk == "inlineData" || pk == "fileData" || pk == "executableCode" ||
                       pk == "codeExecutionResult") {
              return unsupported(yp + " in a response", kCanonical);
            }
            return {};
          }));
          // A part with only a thoughtSignature (Gemini sends one at the end of some
          // streams) carries it on an empty text part.
          if (!known && part.signature.empty()) return {};
          if (thought && part.kind == Part::Kind::Text) part.kind = Part::Kind::Thinking;
          if (part.kind == Part::Kind::ToolUse && part.tool_use.id.empty()) {
            part.tool_use.id = "call_" + std::to_string(next_call);
          }
          if (part.kind == Part::Kind::ToolUse) ++next_call;
          chunk.parts.push_back(std::move(part));
          return {};
        });
      });
    }
    return {};  // safetyRatings, citationMetadata, index, avgLogprobs, …
  });
}

}  // namespace

Result<model::Image> decode_blob(const Reader& rd, od::value& v, const std::string& path,
                                 bool inline_data) {
  SY_TRY(obj, rd.object(v, path));
  model::Image img;
  img.source = inline_data ? model::Image::Source::Base64 : model::Image::Source::Url;
  bool has_payload = false;
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(path, key);
    if (key == "mimeType") {
      SY_TRY(s, rd.string(f, fp));
      img.media_type.assign(s);
    } else if (inline_data && key == "data") {
      SY_TRY(s, rd.string(f, fp));
      img.data.assign(s);
      has_payload = true;
    } else if (!inline_data && key == "fileUri") {
      SY_TRY(s, rd.string(f, fp));
      img.url.assign(s);
      has_payload = true;
    } else if (key != "displayName") {
      return unsupported(fp, kCanonical);
    }
    return {};
  }));
  if (!has_payload) return rd.bad(dot(path, inline_data ? "data" : "fileUri"), "required");
  if (inline_data && img.media_type.empty()) return rd.bad(dot(path, "mimeType"), "required");
  if (!img.media_type.empty() && !starts_with(img.media_type, "image/")) {
    return unsupported(path + " of type " + img.media_type + " (only images)", kCanonical);
  }
  return img;
}

Result<void> encode_image(const model::Image& image, const std::string& path, json::Writer& w) {
  auto inline_blob = [&](std::string_view mime, std::string_view data) {
    w.key("inlineData").begin_object().field("mimeType", mime).field("data", data).end_object();
  };
  if (image.source == model::Image::Source::Base64) {
    if (image.media_type.empty()) {
      return fail(ErrorKind::InvalidRequest, path + ": a base64 image needs a media type", path);
    }
    inline_blob(image.media_type, image.data);
    return {};
  }
  std::string_view url = image.url;
  if (starts_with(url, "data:")) {
    const auto comma = url.find(',');
    const std::string_view meta = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    constexpr std::string_view kBase64 = ";base64";
    if (comma == std::string_view::npos || meta.size() < kBase64.size() ||
        meta.substr(meta.size() - kBase64.size()) != kBase64) {
      return fail(ErrorKind::InvalidRequest, path + ": a data: URL image must be base64", path);
    }
    const std::string_view mime = meta.substr(0, meta.size() - kBase64.size());
    if (mime.empty()) {
      return fail(ErrorKind::InvalidRequest, path + ": the data: URL has no media type", path);
    }
    inline_blob(mime, url.substr(comma + 1));
    return {};
  }
  // fileData takes Cloud Storage and Gemini Files API URIs; Gemini does not fetch
  // arbitrary web URLs for a generateContent part.
  const bool file_uri =
      starts_with(url, "gs://") || starts_with(url, "https://generativelanguage.googleapis.com/");
  if (!file_uri)
    return unsupported(path + ": image URL (other than gs:// or a Files API URI)", "gemini");
  std::string_view mime = image.media_type;
  if (mime.empty()) mime = media_type_of(url);
  if (mime.empty()) {
    return fail(ErrorKind::InvalidRequest,
                path + ": the image's media type is unknown (Gemini's fileData needs one)", path);
  }
  w.key("fileData").begin_object().field("mimeType", mime).field("fileUri", url).end_object();
  return {};
}

Result<model::ToolUse> decode_function_call(const Reader& rd, od::value& v,
                                            const std::string& path) {
  SY_TRY(obj, rd.object(v, path));
  model::ToolUse call;
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    const std::string fp = dot(path, key);
    if (key == "name") {
      SY_TRY(s, rd.string(f, fp));
      call.name.assign(s);
    } else if (key == "id") {
      SY_TRY(s, rd.string(f, fp));
      call.id.assign(s);
    } else if (key == "args") {
      if (rd.is_null(f)) return {};
      SY_TRY(raw, rd.raw_object(f, fp));
      call.arguments.assign(raw);
    }
    return {};
  }));
  if (call.name.empty()) return rd.bad(dot(path, "name"), "required");
  if (call.arguments.empty()) call.arguments = "{}";
  return call;
}

Result<void> write_args(std::string_view arguments, const std::string& path, ErrorKind kind,
                        json::Writer& w) {
  const auto first = arguments.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    w.raw("{}");
    return {};
  }
  if (!is_json_object(arguments)) {
    return fail(kind, path + ": tool arguments are not a JSON object (Gemini needs one)", path);
  }
  w.raw(arguments);
  return {};
}

void write_tool_response(const model::ToolResult& result, json::Writer& w) {
  if (!result.is_error && is_json_object(result.text)) {
    w.raw(result.text);
    return;
  }
  w.begin_object().key(result.is_error ? "error" : "result");
  if (result.is_error && is_json_object(result.text)) {
    w.raw(result.text);
  } else {
    w.value(result.text);
  }
  w.end_object();
}

model::ToolResult tool_result_from_response(std::string tool_use_id, std::string_view response) {
  model::ToolResult r;
  r.tool_use_id = std::move(tool_use_id);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object obj;
  if (!parser.parse(response.data(), response.size(), true).get(root) &&
      !root.get_object().get(obj) && obj.size() == 1) {
    const auto member = *obj.begin();
    if (member.key == "result" || member.key == "error") {
      std::string_view s;
      if (!member.value.get_string().get(s)) {
        r.text.assign(s);
        r.is_error = member.key == "error";
        return r;
      }
      if (member.key == "error" && member.value.is_object()) {
        r.text = simdjson::minify(member.value);
        r.is_error = true;
        return r;
      }
    }
  }
  r.text.assign(response);
  return r;
}

model::FinishReason decode_finish(std::string_view reason, bool has_tool_calls) {
  using model::FinishReason;
  if (reason == "STOP") return has_tool_calls ? FinishReason::ToolUse : FinishReason::EndTurn;
  if (reason == "MAX_TOKENS") return FinishReason::MaxTokens;
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
      reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY") {
    return FinishReason::ContentFilter;
  }
  if (reason.empty() || reason == "FINISH_REASON_UNSPECIFIED") {
    return has_tool_calls ? FinishReason::ToolUse : FinishReason::Unset;
  }
  return FinishReason::Other;
}

const char* encode_finish(model::FinishReason reason) {
  using model::FinishReason;
  switch (reason) {
    case FinishReason::MaxTokens:
      return "MAX_TOKENS";
    case FinishReason::ContentFilter:
      return "SAFETY";
    case FinishReason::Other:
      return "OTHER";
    case FinishReason::Unset:
    case FinishReason::EndTurn:
    case FinishReason::StopSequence:
    case FinishReason::ToolUse:
      return "STOP";
  }
  return "STOP";
}

Result<model::Usage> decode_usage(const Reader& rd, od::value& v, const std::string& path) {
  SY_TRY(obj, rd.object(v, path));
  uint32_t prompt = 0, tool_prompt = 0, candidates = 0, thoughts = 0, cached = 0;
  SY_CHECK(rd.fields(obj, [&](std::string_view key, od::value& f) -> Result<void> {
    uint32_t* slot = key == "promptTokenCount"          ? &prompt
                     : key == "toolUsePromptTokenCount" ? &tool_prompt
                     : key == "candidatesTokenCount"    ? &candidates
                     : key == "thoughtsTokenCount"      ? &thoughts
                     : key == "cachedContentTokenCount" ? &cached
                                                        : nullptr;
    if (!slot) return {};  // totalTokenCount, the per-modality details
    SY_TRY(n, rd.count(f, dot(path, key)));
    *slot = n;
    return {};
  }));
  auto sum = [](uint32_t a, uint32_t b) {  // saturating: counts near 2^32 are garbage anyway
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
  };
  model::Usage u;
  u.input_tokens = sum(prompt, tool_prompt);
  u.output_tokens = sum(candidates, thoughts);  // thoughts are billed as output
  u.cached_input_tokens = cached;
  u.reasoning_tokens = thoughts;
  u.reported = true;
  return u;
}

void write_usage(const model::Usage& u, json::Writer& w) {
  const uint32_t thoughts = std::min(u.reasoning_tokens, u.output_tokens);
  w.begin_object().field("promptTokenCount", static_cast<uint64_t>(u.input_tokens));
  w.field("candidatesTokenCount", static_cast<uint64_t>(u.output_tokens - thoughts));
  if (u.cached_input_tokens)
    w.field("cachedContentTokenCount", static_cast<uint64_t>(u.cached_input_tokens));
  if (thoughts) w.field("thoughtsTokenCount", static_cast<uint64_t>(thoughts));
  w.field("totalTokenCount", static_cast<uint64_t>(u.input_tokens) + u.output_tokens);
  w.end_object();
}

Result<Chunk> decode_chunk(std::string_view body, size_t& next_call) {
  const Reader rd(ErrorKind::UpstreamError);
  const simdjson::padded_string text(body);
  od::document doc;
  SY_TRY(root, rd.root(chunk_parser(), text, doc));
  Chunk chunk;
  SY_CHECK(rd.fields(root, [&](std::string_view key, od::value& v) -> Result<void> {
    const std::string k(key);
    if (key == "candidates") {
      SY_TRY(arr, rd.array(v, k));
      return rd.items(arr, [&](size_t i, od::value& c) -> Result<void> {
        chunk.has_candidates = true;
        if (i > 0) return {};  // one answer is read (candidateCount > 1 is not translated)
        return decode_candidate(rd, c, at(k, i), next_call, chunk);
      });
    }
    if (key == "usageMetadata") {
      SY_TRY(u, decode_usage(rd, v, k));
      chunk.usage = u;
      chunk.has_usage = true;
    } else if (key == "responseId") {
      SY_TRY(s, rd.string(v, k));
      chunk.id.assign(s);
    } else if (key == "modelVersion") {
      SY_TRY(s, rd.string(v, k));
      chunk.model.assign(s);
    } else if (key == "promptFeedback") {
      SY_TRY(pf, rd.object(v, k));
      return rd.fields(pf, [&](std::string_view pk, od::value& x) -> Result<void> {
        if (pk != "blockReason") return {};
        SY_TRY(s, rd.string(x, dot(k, pk)));
        chunk.block_reason.assign(s);
        return {};
      });
    } else if (key == "error") {
      chunk.is_error = true;
      SY_TRY(e, rd.object(v, k));
      return rd.fields(e, [&](std::string_view ek, od::value& x) -> Result<void> {
        if (ek == "message") {
          SY_TRY(s, rd.string(x, dot(k, ek)));
          chunk.error_message.assign(s);
        } else if (ek == "status") {
          SY_TRY(s, rd.string(x, dot(k, ek)));
          chunk.error_status.assign(s);
        }
        return {};
      });
    }
    return {};
  }));
  if (!at_end(doc)) return rd.bad("", "trailing content after the response object");
  return chunk;
}

const char* status_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::MethodNotAllowed:
    case ErrorKind::PayloadTooLarge:
    case ErrorKind::HeadersTooLarge:
      return "INVALID_ARGUMENT";
    case ErrorKind::Authentication:
      return "UNAUTHENTICATED";
    case ErrorKind::PermissionDenied:
      return "PERMISSION_DENIED";
    case ErrorKind::NotFound:
      return "NOT_FOUND";
    case ErrorKind::RateLimited:
      return "RESOURCE_EXHAUSTED";
    case ErrorKind::Internal:
    case ErrorKind::UpstreamError:
      return "INTERNAL";
    case ErrorKind::Unavailable:
      return "UNAVAILABLE";
    case ErrorKind::RequestTimeout:
    case ErrorKind::UpstreamTimeout:
      return "DEADLINE_EXCEEDED";
  }
  return "INTERNAL";
}

}  // namespace sy::protocols::gemini_wire
