// Fuzzes the embeddings response decoders (protocols/embeddings.h): OpenAI, Gemini, Titan
// and Cohere answers. Any bytes decode or fail with a 502; what decodes has the expected
// number of finite vectors and survives OpenAI encode → decode bit for bit (float and
// base64).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/embeddings.h"

namespace {

namespace emb = sy::protocols::embeddings;
using sy::model::EmbeddingEncoding;
using sy::model::EmbeddingResponse;

bool same_vectors(const EmbeddingResponse& a, const EmbeddingResponse& b) {
  if (a.vectors.size() != b.vectors.size()) return false;
  for (size_t i = 0; i < a.vectors.size(); ++i) {
    const auto& x = a.vectors[i];
    const auto& y = b.vectors[i];
    if (x.size() != y.size() ||
        (!x.empty() && std::memcmp(x.data(), y.data(), x.size() * 4) != 0)) {
      return false;
    }
  }
  return true;
}

void check(const sy::Result<EmbeddingResponse>& r, size_t expected) {
  if (!r) {
    FUZZ_CHECK(r.error().status == 502 && !r.error().message.empty());
    return;
  }
  FUZZ_CHECK(r->vectors.size() == expected);
  FUZZ_CHECK(r->usage.reported || r->usage.input_tokens == 0);
  for (const auto& v : r->vectors) {
    for (float f : v) FUZZ_CHECK(std::isfinite(f));
  }
  for (auto enc : {EmbeddingEncoding::Float, EmbeddingEncoding::Base64}) {
    auto back = emb::openai::decode_response(emb::openai::encode_response(*r, enc), expected);
    FUZZ_CHECK(back.has_value() && same_vectors(*r, *back) && back->model == r->model);
    FUZZ_CHECK(back->usage.input_tokens == r->usage.input_tokens);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks how many inputs the request had; the rest is the answer.
  if (size == 0) return 0;
  const size_t expected = data[0] % 4;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  check(emb::openai::decode_response(body, expected), expected);
  check(emb::gemini::decode_response(body, expected, "gemini-embedding-001"), expected);
  check(emb::bedrock::cohere_decode_response(body, expected, "cohere.embed-v4:0"), expected);
  if (auto titan = emb::bedrock::titan_decode_response(body)) {
    for (float f : titan->vector) FUZZ_CHECK(std::isfinite(f));
    check(emb::bedrock::titan_assemble({*titan}, 1, "amazon.titan-embed-text-v2:0"), 1);
  } else {
    FUZZ_CHECK(titan.error().status == 502);
  }
  return 0;
}
