// Cost of the request path's pure parts: decoding a ~1 KB OpenAI request, encoding it
// for an OpenAI-compatible upstream, reading usage from a response, and parsing and
// inspecting stream events. Run: build/release/codec_bench
#include <benchmark/benchmark.h>

#include <string>

#include "http/sse.h"
#include "protocols/openai_chat.h"

namespace {

namespace codec = sy::protocols::openai_chat;

std::string request_body(bool stream) {
  std::string body = R"({"model":"auto","messages":[{"role":"system","content":"You are a helpful assistant that answers briefly and precisely."},{"role":"user","content":")";
  while (body.size() < 950) body += "Please summarise the quarterly report for the board. ";
  body += R"("}],"temperature":0.2,"max_tokens":256)";
  body += stream ? R"(,"stream":true})" : "}";
  return body;
}

void BM_DecodeRequest(benchmark::State& state) {
  const std::string body = request_body(false);
  for (auto _ : state) {
    auto r = codec::decode_request(body);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_DecodeRequest);

void BM_EncodeForUpstream(benchmark::State& state) {
  auto req = codec::decode_request(request_body(state.range(0) != 0));
  for (auto _ : state) {
    auto out = codec::encode_request(*req, "gpt-4o-mini-2024-07-18");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeForUpstream)->Arg(0)->Arg(1);

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
