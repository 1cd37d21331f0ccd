// Cost of the Anthropic Messages codec: a ~1 KB request decoded for ingress and forwarded,
// decoded in full and encoded again (the two halves of any translation through the
// canonical model), and one stream event decoded and re-encoded; each against a memcpy
// of the same bytes measured in the same run. Run: build/release/anthropic_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "protocols/anthropic_messages.h"
#include "protocols/openai_chat.h"

namespace {

const sy::protocols::AnthropicMessagesCodec& codec() {
  return sy::protocols::anthropic_messages_codec();
}

std::string anthropic_body() {
  std::string body = R"({"model":"claude-sonnet-4-5","max_tokens":256,"system":"You are a helpful assistant that answers briefly and precisely.","messages":[{"role":"user","content":")";
  while (body.size() < 950) body += "Please summarise the quarterly report for the board. ";
  body += R"("}],"temperature":0.2})";
  return body;
}

std::string openai_body() {
  std::string body = R"({"model":"auto","messages":[{"role":"system","content":"You are a helpful assistant that answers briefly and precisely."},{"role":"user","content":")";
  while (body.size() < 950) body += "Please summarise the quarterly report for the board. ";
  body += R"("}],"temperature":0.2,"max_tokens":256})";
  return body;
}

void BM_MemcpyRequest(benchmark::State& state) {
  const std::string body = anthropic_body();
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MemcpyRequest);

// Same protocol: decode the pipeline's view, splice the model.
void BM_AnthropicIngressForward(benchmark::State& state) {
  const std::string body = anthropic_body();
  for (auto _ : state) {
    auto r = codec().decode_ingress(body);
    auto out = codec().forward_request(*r, "claude-sonnet-4-5-20250929");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_AnthropicIngressForward);

// The foundation's OpenAI ingress decode + forward, for comparison.
void BM_OpenAIIngressForward(benchmark::State& state) {
  const std::string body = openai_body();
  for (auto _ : state) {
    auto r = sy::protocols::openai_chat::decode_request(body);
    auto out = sy::protocols::openai_chat::encode_request(*r, "gpt-4o-mini");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_OpenAIIngressForward);

// Anthropic → canonical (the client half of Anthropic SDK → OpenAI model).
void BM_AnthropicDecodeRequest(benchmark::State& state) {
  const std::string body = anthropic_body();
  for (auto _ : state) {
    auto r = codec().decode_request(body);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_AnthropicDecodeRequest);

// canonical → Anthropic (the provider half of OpenAI SDK → Claude).
void BM_AnthropicEncodeRequest(benchmark::State& state) {
  auto req = codec().decode_request(anthropic_body());
  for (auto _ : state) {
    auto out = codec().encode_request(*req, "claude-sonnet-4-5-20250929");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_AnthropicEncodeRequest);

constexpr std::string_view kToolDelta =
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}})";

void BM_MemcpyStreamEvent(benchmark::State& state) {
  std::string copy(kToolDelta.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), kToolDelta.data(), kToolDelta.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MemcpyStreamEvent);

// One upstream event → canonical → one client event (Anthropic on both sides; the decode
// half is what an Anthropic upstream costs an OpenAI client, the encode half the reverse).
void BM_AnthropicStreamEvent(benchmark::State& state) {
  auto decoder = codec().stream_decoder();
  auto encoder = codec().stream_encoder({});
  std::vector<sy::model::StreamEvent> events;
  std::string out;
  (void)decoder->decode("message_start",
                        R"({"type":"message_start","message":{"id":"msg_1","model":"c","usage":{"input_tokens":5}}})",
                        events);
  (void)decoder->decode("content_block_start",
                        R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}})",
                        events);
  for (const auto& e : events) encoder->encode(e, out);
  for (auto _ : state) {
    events.clear();
    out.clear();
    (void)decoder->decode("content_block_delta", kToolDelta, events);
    encoder->encode(events.front(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_AnthropicStreamEvent);

}  // namespace
