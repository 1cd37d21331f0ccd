// Translation cost of the Gemini codec (protocols/gemini.h): a ~1 KB request decoded into
// the canonical model and encoded for Gemini (and each half alone: canonical → Gemini is
// the egress half of OpenAI/Anthropic → Gemini), a response, and one stream event each way
// (Gemini SSE chunk → canonical events; canonical text delta → Gemini chunk). The baseline
// is a memcpy of the same bytes, measured in the same run. Run: build/release/gemini_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "protocols/gemini.h"

namespace {

using sy::protocols::GeminiCodec;
namespace model = sy::model;

const GeminiCodec& codec() { return GeminiCodec::instance(); }

// What an OpenAI client's request becomes in the canonical model: a system prompt, a
// ~900-byte user message, one tool, sampling parameters.
model::Request canonical_request() {
  model::Request req;
  req.turns.push_back(
      {model::Role::System,
       {model::Part::make_text("You are a helpful assistant that answers briefly and precisely.")},
       {}});
  std::string user;
  while (user.size() < 900) user += "Please summarise the quarterly report for the board. ";
  req.turns.push_back({model::Role::User, {model::Part::make_text(user)}, {}});
  req.tools.push_back(
      {"lookup_report", "Fetch a report by quarter",
       R"({"type":"object","properties":{"quarter":{"type":"string"}},"required":["quarter"]})",
       false});
  req.temperature = 0.2;
  req.max_tokens = 256;
  return req;
}

std::string gemini_request_body() {
  return *codec().encode_request(canonical_request(), "gemini-2.5-flash");
}

const char* kChunk =
    R"({"candidates": [{"content": {"parts": [{"text": " revenue"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash","responseId": "stream-1"})";

void BM_Baseline_Memcpy(benchmark::State& state) {
  const std::string body = state.range(0) == 0 ? gemini_request_body() : std::string(kChunk);
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_Baseline_Memcpy)->Arg(0)->Arg(1);

void BM_Request_GeminiToCanonicalToGemini(benchmark::State& state) {
  const std::string body = gemini_request_body();
  for (auto _ : state) {
    auto req = codec().decode_request(body);
    auto out = codec().encode_request(*req, "gemini-2.5-flash");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_Request_GeminiToCanonicalToGemini);

void BM_Request_CanonicalToGemini(benchmark::State& state) {
  const model::Request req = canonical_request();
  for (auto _ : state) {
    auto out = codec().encode_request(req, "gemini-2.5-flash");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Request_CanonicalToGemini);

void BM_Request_GeminiToCanonical(benchmark::State& state) {
  const std::string body = gemini_request_body();
  for (auto _ : state) {
    auto req = codec().decode_request(body);
    benchmark::DoNotOptimize(req);
  }
}
BENCHMARK(BM_Request_GeminiToCanonical);

void BM_Response_DecodeEncode(benchmark::State& state) {
  const std::string body =
      R"({"candidates":[{"content":{"parts":[{"text":"The report shows revenue up 12% and costs flat; the board should note the new hires."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":230,"candidatesTokenCount":24,"totalTokenCount":254},"modelVersion":"gemini-2.5-flash","responseId":"r1"})";
  for (auto _ : state) {
    auto resp = codec().decode_response(body);
    auto out = codec().encode_response(*resp);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Response_DecodeEncode);

// One upstream stream event: a Gemini chunk decoded into canonical events.
void BM_StreamEvent_GeminiToCanonical(benchmark::State& state) {
  auto dec = codec().stream_decoder();
  std::vector<model::StreamEvent> events;
  for (auto _ : state) {
    events.clear();
    auto r = dec->decode("", kChunk, events);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StreamEvent_GeminiToCanonical);

// One client stream event: a canonical text delta encoded as a Gemini SSE chunk.
void BM_StreamEvent_CanonicalToGemini(benchmark::State& state) {
  auto enc = codec().stream_encoder({});
  model::StreamEvent start{.kind = model::StreamEvent::Kind::MessageStart};
  start.id = "stream-1";
  start.name = "gemini-2.5-flash";
  std::string out;
  enc->encode(start, out);
  model::StreamEvent delta{.kind = model::StreamEvent::Kind::TextDelta};
  delta.text = " revenue";
  for (auto _ : state) {
    out.clear();
    enc->encode(delta, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StreamEvent_CanonicalToGemini);

}  // namespace
