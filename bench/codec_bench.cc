// Cost of the request path's pure parts: decoding a ~1 KB OpenAI request, encoding it
// for an OpenAI-compatible upstream, reading usage from a response, and parsing and
// inspecting stream events; and translation through the canonical model (OpenAIChatCodec)
// against a copy of the same bytes. Run: build/release/codec_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "http/sse.h"
#include "protocols/openai_chat.h"
#include "protocols/openai_codec.h"

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

// ---- Translation through the canonical model (protocols/openai_codec.h) ----
// OpenAI → canonical → OpenAI, the path a request of another protocol's client takes on
// each side; against a copy of the same bytes (the floor any translation pays).

std::string translation_body() {
  std::string body = request_body(false);
  body.pop_back();
  body += R"(,"tools":[{"type":"function","function":{"name":"lookup_report","description":"Fetch a report by quarter","parameters":{"type":"object","properties":{"quarter":{"type":"string"}},"required":["quarter"]}}}],"tool_choice":"auto"})";
  return body;
}

void BM_CopyRequestBaseline(benchmark::State& state) {
  const std::string body = translation_body();
  std::string copy;
  for (auto _ : state) {
    copy.assign(body);
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_CopyRequestBaseline);

// Arg 0: decode into the canonical model only; 1: decode and encode.
void BM_TranslateRequest(benchmark::State& state) {
  const auto& codec = sy::protocols::openai_chat_codec();
  const std::string body = translation_body();
  const bool encode = state.range(0) != 0;
  for (auto _ : state) {
    auto req = codec.decode_request(body);
    benchmark::DoNotOptimize(req);
    if (encode) {
      auto out = codec.encode_request(*req, "gpt-4o-mini-2024-07-18");
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_TranslateRequest)->Arg(0)->Arg(1);

std::string content_chunk() {
  return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
         "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" revenue\"},\"finish_reason\":null}]}";
}

std::string arguments_chunk() {
  return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
         "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
         "{\"arguments\":\"ter\\\":\\\"Q3\"}}]},\"finish_reason\":null}]}";
}

void BM_CopyStreamEventBaseline(benchmark::State& state) {
  const std::string chunk = content_chunk();
  std::string copy;
  for (auto _ : state) {
    copy.assign("data: ").append(chunk).append("\n\n");
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_CopyStreamEventBaseline);

// One upstream chunk decoded into canonical events and encoded as a client chunk.
// Arg 0: a text delta; 1: a tool-call arguments fragment.
void BM_TranslateStreamEvent(benchmark::State& state) {
  const auto& codec = sy::protocols::openai_chat_codec();
  const bool tool = state.range(0) != 0;
  const std::string chunk = tool ? arguments_chunk() : content_chunk();
  auto decoder = codec.stream_decoder();
  auto encoder = codec.stream_encoder(sy::protocols::StreamOptions{});
  std::vector<sy::model::StreamEvent> events;
  std::string out;
  const std::string start =
      R"({"id":"chatcmpl-1","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"lookup_report","arguments":""}}]}}]})";
  (void)decoder->decode("", start, events);
  for (const auto& e : events) encoder->encode(e, out);
  for (auto _ : state) {
    events.clear();
    out.clear();
    (void)decoder->decode("", chunk, events);
    for (const auto& e : events) encoder->encode(e, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TranslateStreamEvent)->Arg(0)->Arg(1);

}  // namespace
