// The OpenAI same-protocol fast paths the gateway takes outside the Codec interface:
// reading usage from a whole response that is forwarded as it came, and SSE framing plus
// chunk inspection of a forwarded stream event. Translation between protocols (and the
// Codec's own same-protocol paths) is codec_pairs_bench. Run: build/release/codec_bench
#include <benchmark/benchmark.h>

#include <string>

#include "http/sse.h"
#include "protocols/openai_chat.h"

namespace {

namespace codec = sy::protocols::openai_chat;

void BM_ResponseUsage(benchmark::State& state) {
  const std::string body =
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The report shows revenue up 12% and costs flat; the board should note the new hires."},"finish_reason":"stop"}],"usage":{"prompt_tokens":230,"completion_tokens":24,"total_tokens":254}})";
  for (auto _ : state) {
    auto u = codec::decode_response_usage(body);
    benchmark::DoNotOptimize(u);
  }
}
BENCHMARK(BM_ResponseUsage);

// One stream event: SSE framing plus chunk inspection, as the dispatch stage does.
void BM_StreamEvent(benchmark::State& state) {
  const std::string event =
      "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
      "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" revenue\"},\"finish_reason\":null}]}\n\n";
  sy::http::SseParser parser;
  for (auto _ : state) {
    parser.feed(event, [](const sy::http::SseEvent& ev) {
      auto c = codec::inspect_stream_chunk(ev.data, ev.data.size() + sy::http::kSsePadding);
      benchmark::DoNotOptimize(c);
    });
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StreamEvent);

}  // namespace
