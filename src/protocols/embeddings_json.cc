#include "protocols/embeddings_json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "protocols/codec.h"
#include "protocols/json_read.h"

namespace sy::protocols::embeddings::detail {

std::unexpected<Error> upstream(std::string message) {
  return fail(ErrorKind::UpstreamError, std::move(message));
}

Result<simdjson::dom::element> parse_answer(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto ec = parser.parse(body.data(), body.size(), true).get(root)) {
    return upstream(std::string("upstream response is not valid JSON: ") +
                    simdjson::error_message(ec));
  }
  if (!root.is_object()) return upstream("upstream response is not a JSON object");
  return root;
}

std::string indexed(std::string_view param, size_t i) { return json_read::at(param, i); }

Result<void> read_vector(simdjson::dom::element e, const std::string& param,
                         std::vector<float>& out) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) return upstream(param + ": expected an array of numbers");
  out.reserve(out.size() + arr.size());
  size_t i = 0;
  for (simdjson::dom::element x : arr) {
    double d = 0;
    if (x.get_double().get(d)) return upstream(indexed(param, i) + ": expected a number");
    const auto f = static_cast<float>(d);  // rounds to nearest; beyond float32 gives inf
    if (std::isinf(f)) return upstream(indexed(param, i) + ": out of float32 range");
    out.push_back(f);
    ++i;
  }
  return {};
}

void write_vector(json::Writer& w, const std::vector<float>& v) {
  // The whole array is rendered into one buffer and handed to the writer once: a call per
  // number through the writer costs more than the number itself.
  thread_local std::string text;
  constexpr size_t kMaxFloat = 16;  // "-1.17549435e-38" is 15 characters
  text.resize(2 + v.size() * (kMaxFloat + 1));
  char* p = text.data();
  *p++ = '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i != 0) *p++ = ',';
    if (v[i] == 0 && std::signbit(v[i])) {
      std::memcpy(p, "-0.0", 4);  // "-0" would read back as the integer 0
      p += 4;
    } else if (std::isfinite(v[i])) {
      p = std::to_chars(p, p + kMaxFloat, v[i]).ptr;
    } else {
      std::memcpy(p, "null", 4);
      p += 4;
    }
  }
  *p++ = ']';
  w.raw(std::string_view(text.data(), static_cast<size_t>(p - text.data())));
}

Result<void> check_translatable(const model::EmbeddingRequest& req, std::string_view protocol) {
  if (req.token_inputs != 0) return unsupported("input as token arrays", protocol);
  if (!req.other_fields.empty()) return unsupported(req.other_fields.front(), protocol);
  if (req.inputs.empty()) {
    return fail(ErrorKind::InvalidRequest, "input: must not be empty", "input");
  }
  return {};
}

Result<void> check_count(size_t got, size_t expected, std::string_view what) {
  if (got == expected) return {};
  return upstream("upstream returned " + std::to_string(got) + " " + std::string(what) + " for " +
                  std::to_string(expected) + " inputs");
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace sy::protocols::embeddings::detail
