// Cost of the Bedrock Converse codec: a ~1 KB request encoded from the canonical form and
// decoded back, the full translation from a client protocol (Anthropic Messages: the
// OpenAI codec is not in this tree yet) to a Converse body, and one ConverseStream tool
// delta decoded and re-encoded for a client (Anthropic SSE) and as Bedrock frames; each
// against a memcpy of the same bytes measured in the same run.
// Run: build/release/bedrock_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "protocols/anthropic_messages.h"
#include "protocols/bedrock_converse.h"

namespace {

const sy::protocols::BedrockConverseCodec& codec() {
  return sy::protocols::bedrock_converse_codec();
}

std::string anthropic_body() {
  std::string body =
      R"({"model":"claude-sonnet-4-5","max_tokens":256,"system":"You are a helpful assistant that answers briefly and precisely.","messages":[{"role":"user","content":")";
  while (body.size() < 950) body += "Please summarise the quarterly report for the board. ";
  body += R"("}],"temperature":0.2})";
  return body;
}

std::string bedrock_body() {
  std::string body =
      R"({"system":[{"text":"You are a helpful assistant that answers briefly and precisely."}],"messages":[{"role":"user","content":[{"text":")";
  while (body.size() < 950) body += "Please summarise the quarterly report for the board. ";
  body += R"("}]}],"inferenceConfig":{"maxTokens":256,"temperature":0.2}})";
  return body;
}

void BM_MemcpyRequest(benchmark::State& state) {
  const std::string body = bedrock_body();
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MemcpyRequest);

// Bedrock → canonical.
void BM_BedrockDecodeRequest(benchmark::State& state) {
  const std::string body = bedrock_body();
  for (auto _ : state) {
    auto r = codec().decode_request(body);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_BedrockDecodeRequest);

// canonical → Bedrock (the provider half of any client → Bedrock translation).
void BM_BedrockEncodeRequest(benchmark::State& state) {
  auto req = codec().decode_request(bedrock_body());
  for (auto _ : state) {
    auto out = codec().encode_request(*req, "anthropic.claude-3-5-sonnet-20241022-v2:0");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_BedrockEncodeRequest);

// The whole translation: Anthropic client body → canonical → Converse body.
void BM_AnthropicToBedrockRequest(benchmark::State& state) {
  const std::string body = anthropic_body();
  const auto& anthropic = sy::protocols::anthropic_messages_codec();
  for (auto _ : state) {
    auto req = anthropic.decode_request(body);
    auto out = codec().encode_request(*req, "anthropic.claude-3-5-sonnet-20241022-v2:0");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_AnthropicToBedrockRequest);

constexpr std::string_view kToolDelta =
    R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"location\": \"San Fra"}},"p":"abcdefghijklmnop"})";

void BM_MemcpyStreamEvent(benchmark::State& state) {
  std::string copy(kToolDelta.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), kToolDelta.data(), kToolDelta.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MemcpyStreamEvent);

// One ConverseStream event (already de-framed) → canonical → one client event.
template <bool kToAnthropic>
void BM_BedrockStreamEvent(benchmark::State& state) {
  auto decoder = codec().stream_decoder();
  auto encoder = kToAnthropic ? sy::protocols::anthropic_messages_codec().stream_encoder({})
                              : codec().stream_encoder({});
  std::vector<sy::model::StreamEvent> events;
  std::string out;
  (void)decoder->decode("messageStart", R"({"role":"assistant"})", events);
  (void)decoder->decode(
      "contentBlockStart",
      R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"f"}}})",
      events);
  for (const auto& e : events) encoder->encode(e, out);
  for (auto _ : state) {
    events.clear();
    out.clear();
    (void)decoder->decode("contentBlockDelta", kToolDelta, events);
    encoder->encode(events.front(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_BedrockStreamEvent<true>)->Name("BM_BedrockToAnthropicStreamEvent");
BENCHMARK(BM_BedrockStreamEvent<false>)->Name("BM_BedrockToBedrockFrameStreamEvent");

}  // namespace
