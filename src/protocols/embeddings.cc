// OpenAI embeddings: request decode/forward/encode and response decode/encode.
#include "protocols/embeddings.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/json_writer.h"
#include "protocols/json_read.h"
#include "protocols/codec.h"
#include "protocols/embeddings_json.h"

namespace sy::protocols::embeddings::openai {
namespace {

namespace od = simdjson::ondemand;
using detail::indexed;
using detail::upstream;
using model::EmbeddingEncoding;
using model::EmbeddingRequest;

constexpr size_t kMaxInputs = 2048;  // OpenAI's limit on input arrays

constexpr ErrorKind kInvalid = ErrorKind::InvalidRequest;

od::parser& request_parser() {
  thread_local od::parser p;
  return p;
}

std::unexpected<Error> invalid(std::string message, std::string param = {}) {
  return fail(ErrorKind::InvalidRequest, std::move(message), std::move(param));
}

std::unexpected<Error> malformed(simdjson::error_code ec) {
  return json_read::malformed(ErrorKind::InvalidRequest, ec);
}

// A value of the wrong type is a 400 naming the field; anything else is a syntax error.
std::unexpected<Error> wrong(simdjson::error_code ec, const std::string& param,
                             std::string_view expected) {
  if (ec != simdjson::INCORRECT_TYPE && ec != simdjson::NUMBER_ERROR) return malformed(ec);
  return invalid(param + ": expected " + std::string(expected), param);
}

Result<od::json_type> type_of(od::value& v) {
  return json_read::type_of(v, ErrorKind::InvalidRequest);
}

// One token array: non-negative integers, not empty.
Result<void> read_tokens(od::array arr, const std::string& param) {
  size_t n = 0;
  for (auto item : arr) {
    int64_t token = 0;
    if (auto ec = item.get_int64().get(token)) {
      return wrong(ec, indexed(param, n), "a token id (a non-negative integer)");
    }
    if (token < 0) {
      return invalid(indexed(param, n) + ": expected a token id (a non-negative integer)",
                     indexed(param, n));
    }
    ++n;
  }
  if (n == 0) return invalid(param + ": must not be empty", param);
  return {};
}

// input: a string, an array of strings, an array of tokens or an array of token arrays.
Result<void> decode_input(od::value v, EmbeddingRequest& req) {
  auto t = type_of(v);
  if (!t) return std::unexpected(t.error());
  if (*t == od::json_type::string) {
    std::string_view s;
    if (auto ec = v.get_string().get(s)) return malformed(ec);
    if (s.empty()) return invalid("input: must not be an empty string", "input");
    req.inputs.emplace_back(s);
    return {};
  }
  if (*t != od::json_type::array) {
    return invalid("input: expected a string, an array of strings or an array of token arrays",
                   "input");
  }
  od::array arr;
  if (auto ec = v.get_array().get(arr)) return malformed(ec);
  enum class Shape { Unknown, Strings, Tokens, TokenArrays } shape = Shape::Unknown;
  size_t i = 0;
  for (auto item_result : arr) {
    const std::string param = indexed("input", i);
    od::value item;
    if (auto ec = item_result.get(item)) return malformed(ec);
    auto it = type_of(item);
    if (!it) return std::unexpected(it.error());
    Shape s = *it == od::json_type::string   ? Shape::Strings
              : *it == od::json_type::number ? Shape::Tokens
              : *it == od::json_type::array  ? Shape::TokenArrays
                                             : Shape::Unknown;
    if (s == Shape::Unknown || (shape != Shape::Unknown && s != shape)) {
      return invalid(param +
                         ": input arrays hold only strings, only token ids or only token "
                         "arrays",
                     param);
    }
    shape = s;
    if (s == Shape::Strings) {
      std::string_view text;
      if (auto ec = item.get_string().get(text)) return malformed(ec);
      if (text.empty()) return invalid(param + ": must not be an empty string", param);
      req.inputs.emplace_back(text);
    } else if (s == Shape::Tokens) {
      int64_t token = 0;
      if (auto ec = item.get_int64().get(token)) {
        return wrong(ec, param, "a token id (a non-negative integer)");
      }
      if (token < 0) {
        return invalid(param + ": expected a token id (a non-negative integer)", param);
      }
    } else {
      od::array tokens;
      if (auto ec = item.get_array().get(tokens)) return malformed(ec);
      if (auto r = read_tokens(tokens, param); !r) return r;
      ++req.token_inputs;
    }
    if (++i > kMaxInputs && s != Shape::Tokens) {
      return invalid("input: at most " + std::to_string(kMaxInputs) + " inputs per request",
                     "input");
    }
  }
  if (i == 0) return invalid("input: must not be empty", "input");
  if (shape == Shape::Tokens) req.token_inputs = 1;  // one input given as tokens
  return {};
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

Result<void> decode_field(std::string_view key, od::value v, EmbeddingRequest& req) {
  auto t = type_of(v);
  if (!t) return std::unexpected(t.error());
  const bool null = *t == od::json_type::null;
  if (key == "input") return decode_input(v, req);
  if (key == "dimensions") {
    if (null) return {};
    int64_t n = 0;
    if (auto ec = v.get_int64().get(n)) return wrong(ec, "dimensions", "an integer");
    if (n < 1 || n > UINT32_MAX)
      return invalid("dimensions: must be a positive integer", "dimensions");
    req.dimensions = static_cast<uint32_t>(n);
    return {};
  }
  if (key == "encoding_format") {
    if (null) return {};
    std::string_view f;
    if (auto ec = v.get_string().get(f)) return wrong(ec, "encoding_format", "a string");
    if (f == "float") {
      req.encoding_format = EmbeddingEncoding::Float;
    } else if (f == "base64") {
      req.encoding_format = EmbeddingEncoding::Base64;
    } else {
      return invalid("encoding_format: expected \"float\" or \"base64\"", "encoding_format");
    }
    return {};
  }
  if (key == "user") {
    if (null) return {};
    std::string_view u;
    if (auto ec = v.get_string().get(u)) return wrong(ec, "user", "a string");
    req.user.assign(u);
    return {};
  }
  req.other_fields.emplace_back(key);
  return {};
}

// base64 of the little-endian float32 bytes (OpenAI's encoding_format "base64").
void append_base64(std::string& out, const std::vector<float>& v) {
  std::string bytes(v.size() * 4, '\0');
  if constexpr (std::endian::native == std::endian::little) {
    if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
  } else {
    for (size_t i = 0; i < v.size(); ++i) {
      const auto u = std::bit_cast<uint32_t>(v[i]);
      for (size_t b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((u >> (8 * b)) & 0xff);
    }
  }
  const size_t at = out.size();
  out.resize(at + 4 * ((bytes.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + at),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(at + static_cast<size_t>(n));
}

Result<void> decode_base64(std::string_view text, const std::string& param,
                           std::vector<float>& out) {
  if (text.size() % 4 != 0) return upstream(param + ": invalid base64 float32 data");
  std::string bytes(text.size() / 4 * 3, '\0');
  const int n = text.empty() ? 0
                             : EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                               reinterpret_cast<const unsigned char*>(text.data()),
                                               static_cast<int>(text.size()));
  if (n < 0) return upstream(param + ": invalid base64 float32 data");
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the '=' padding as zero bytes.
  for (size_t pad = 0; pad < 2 && !text.empty() && text[text.size() - 1 - pad] == '='; ++pad) --len;
  if (len % 4 != 0) return upstream(param + ": base64 data is not a whole number of float32s");
  out.reserve(len / 4);
  for (size_t i = 0; i < len; i += 4) {
    uint32_t u = 0;
    for (size_t b = 0; b < 4; ++b)
      u |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + b])) << (8 * b);
    const float f = std::bit_cast<float>(u);
    if (!std::isfinite(f)) return upstream(param + ": base64 data holds a non-finite float");
    out.push_back(f);
  }
  return {};
}

}  // namespace

Result<EmbeddingRequest> decode_request(std::string body) {
  EmbeddingRequest req;
  req.raw_body = std::move(body);
  od::document doc;
  SY_TRY(root, json_read::root_object(request_parser(), req.raw_body, doc, kInvalid));
  bool has_model = false, has_input = false;
  for (auto field : root) {
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
    od::value v;
    if (auto ec = field.value().get(v)) return malformed(ec);
    if ((key == "model" && has_model) || (key == "input" && has_input)) {
      // One value each: an upstream reading the other copy would disagree with us.
      return invalid(std::string(key) + ": given more than once", std::string(key));
    }
    if (key == "model") {
      std::string_view token = v.raw_json_token();
      std::string_view name;
      if (auto ec = v.get_string().get(name)) return wrong(ec, "model", "a string");
      req.model.assign(name);
      req.model_token = span_of(req.raw_body, token);
      has_model = true;
      continue;
    }
    if (key == "input") has_input = true;
    if (auto r = decode_field(key, v, req); !r) return std::unexpected(r.error());
  }
  // simdjson's on-demand parser validates lazily: make sure nothing trails the object.
  if (const char* trailing = nullptr; !doc.current_location().get(trailing)) {
    return invalid("request body is not valid JSON: unexpected content after the object");
  }
  if (!has_model) return invalid("model: required", "model");
  if (req.model.empty()) return invalid("model: must not be empty", "model");
  if (!has_input) return invalid("input: required", "input");
  return req;
}

std::string forward_request(const EmbeddingRequest& req, std::string_view upstream_model) {
  const std::string& body = req.raw_body;
  const auto& m = req.model_token;
  std::string out;
  out.reserve(body.size() + upstream_model.size() + 2);
  out.append(body, 0, m.begin);
  out += '"';
  json::append_escaped(out, upstream_model);
  out += '"';
  out.append(body, m.end, std::string::npos);
  return out;
}

Result<std::string> encode_request(const EmbeddingRequest& req, std::string_view upstream_model) {
  // Token arrays and unknown keys live only in raw_body: forward_request carries them.
  if (req.token_inputs != 0) {
    return invalid("input: token arrays are only forwarded as sent (forward_request)", "input");
  }
  if (!req.other_fields.empty()) {
    return invalid(req.other_fields.front() + ": only forwarded as sent (forward_request)",
                   req.other_fields.front());
  }
  if (req.inputs.empty()) return invalid("input: must not be empty", "input");
  std::string out;
  json::Writer w(out);
  w.begin_object().field("model", upstream_model).key("input").begin_array();
  for (const auto& s : req.inputs) w.value(s);
  w.end_array();
  if (req.dimensions) w.key("dimensions").value(static_cast<uint64_t>(*req.dimensions));
  w.field("encoding_format", req.encoding_format == EmbeddingEncoding::Base64 ? "base64" : "float");
  if (!req.user.empty()) w.field("user", req.user);
  w.end_object();
  return out;
}

Result<model::EmbeddingResponse> decode_response(std::string_view body, size_t expected) {
  auto root = detail::parse_answer(body);
  if (!root) return std::unexpected(root.error());
  model::EmbeddingResponse resp;
  simdjson::dom::array data;
  if ((*root)["data"].get_array().get(data)) return upstream("data: expected an array");
  if (auto r = detail::check_count(data.size(), expected, "embeddings"); !r) {
    return std::unexpected(r.error());
  }
  resp.vectors.resize(data.size());
  std::vector<bool> seen(data.size());
  size_t i = 0;
  for (simdjson::dom::element item : data) {
    const std::string param = indexed("data", i);
    if (!item.is_object()) return upstream(param + ": expected an object");
    size_t index = i;
    simdjson::dom::element e;
    if (!item["index"].get(e)) {
      uint64_t n = 0;
      if (e.get_uint64().get(n) || n >= data.size()) {
        return upstream(param + ".index: expected an integer below " + std::to_string(data.size()));
      }
      index = static_cast<size_t>(n);
    }
    if (seen[index]) return upstream(param + ".index: " + std::to_string(index) + " repeated");
    seen[index] = true;
    if (item["embedding"].get(e)) return upstream(param + ".embedding: required");
    std::string_view text;
    if (!e.get_string().get(text)) {
      if (auto r = decode_base64(text, param + ".embedding", resp.vectors[index]); !r) {
        return std::unexpected(r.error());
      }
    } else if (auto r = detail::read_vector(e, param + ".embedding", resp.vectors[index]); !r) {
      return std::unexpected(r.error());
    }
    ++i;
  }
  std::string_view model;
  if (!(*root)["model"].get_string().get(model)) resp.model.assign(model);
  simdjson::dom::element usage;
  if (!(*root)["usage"].get(usage) && usage.is_object()) {
    uint64_t n = 0;
    if (!usage["prompt_tokens"].get_uint64().get(n) && n <= UINT32_MAX) {
      resp.usage.input_tokens = static_cast<uint32_t>(n);
      resp.usage.reported = true;
    }
  }
  return resp;
}

std::string encode_response(const model::EmbeddingResponse& resp, EmbeddingEncoding encoding) {
  size_t floats = 0;
  for (const auto& v : resp.vectors) floats += v.size();
  std::string out;
  out.reserve(128 + resp.model.size() + resp.vectors.size() * 48 +
              floats * (encoding == EmbeddingEncoding::Base64 ? 6 : 14));
  json::Writer w(out);
  w.begin_object().field("object", "list").key("data").begin_array();
  for (size_t i = 0; i < resp.vectors.size(); ++i) {
    w.begin_object().field("object", "embedding").field("index", static_cast<uint64_t>(i));
    w.key("embedding");
    if (encoding == EmbeddingEncoding::Base64) {
      std::string b64 = "\"";
      append_base64(b64, resp.vectors[i]);
      b64 += '"';
      w.raw(b64);
    } else {
      detail::write_vector(w, resp.vectors[i]);
    }
    w.end_object();
  }
  w.end_array().field("model", resp.model).key("usage").begin_object();
  w.field("prompt_tokens", static_cast<uint64_t>(resp.usage.input_tokens));
  w.field("total_tokens", static_cast<uint64_t>(resp.usage.input_tokens));
  w.end_object().end_object();
  return out;
}

}  // namespace sy::protocols::embeddings::openai
