// Cost of the embeddings translation (protocols/embeddings.h): one 1536-dimension vector
// written as the client's OpenAI answer (float text and base64) and a provider's answer of
// that size decoded, a ~1 KB request decoded and forwarded, and a two-input request encoded
// for Gemini; each against a memcpy of the same bytes in the same run.
// Run: build/release/embeddings_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "protocols/embeddings.h"

namespace {

namespace emb = sy::protocols::embeddings;
using sy::model::EmbeddingEncoding;

constexpr size_t kDims = 1536;

sy::model::EmbeddingResponse response() {
  sy::model::EmbeddingResponse resp;
  resp.model = "text-embedding-3-small";
  std::vector<float> v(kDims);
  uint32_t x = 12345;
  for (auto& f : v) {  // values of the size real embeddings have: about ±0.0x
    x = x * 1664525u + 1013904223u;
    f = (static_cast<float>(x >> 8) / 16777216.0f - 0.5f) * 0.1f;
  }
  resp.vectors.push_back(std::move(v));
  resp.usage = {8, 0, 0, 0, true};
  return resp;
}

std::string request_body() {
  std::string body = R"({"model":"text-embedding-3-small","input":[")";
  while (body.size() < 950) body += "Quarterly revenue grew in every region but one. ";
  body += R"("],"dimensions":1536,"encoding_format":"float"})";
  return body;
}

void memcpy_loop(benchmark::State& state, const std::string& bytes) {
  std::string copy(bytes.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), bytes.data(), bytes.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

void BM_MemcpyResponse(benchmark::State& state) {
  memcpy_loop(state, emb::openai::encode_response(response(), EmbeddingEncoding::Float));
}
BENCHMARK(BM_MemcpyResponse);

void BM_EncodeResponseFloat(benchmark::State& state) {
  const auto resp = response();
  for (auto _ : state) {
    auto out = emb::openai::encode_response(resp, EmbeddingEncoding::Float);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeResponseFloat);

void BM_EncodeResponseBase64(benchmark::State& state) {
  const auto resp = response();
  for (auto _ : state) {
    auto out = emb::openai::encode_response(resp, EmbeddingEncoding::Base64);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeResponseBase64);

void BM_DecodeResponseFloat(benchmark::State& state) {
  const std::string body = emb::openai::encode_response(response(), EmbeddingEncoding::Float);
  for (auto _ : state) {
    auto r = emb::openai::decode_response(body, 1);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_DecodeResponseFloat);

void BM_MemcpyRequest(benchmark::State& state) { memcpy_loop(state, request_body()); }
BENCHMARK(BM_MemcpyRequest);

void BM_DecodeRequestForward(benchmark::State& state) {
  const std::string body = request_body();
  for (auto _ : state) {
    auto req = emb::openai::decode_request(body);
    auto out = emb::openai::forward_request(*req, "text-embedding-3-large");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeRequestForward);

void BM_DecodeRequestEncodeGemini(benchmark::State& state) {
  const std::string body = request_body();
  for (auto _ : state) {
    auto req = emb::openai::decode_request(body);
    auto out = emb::gemini::encode_request(*req, "gemini-embedding-001");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeRequestEncodeGemini);

}  // namespace
