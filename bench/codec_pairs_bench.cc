// Translation cost for every pair of wire protocols (OpenAI chat, Anthropic Messages,
// Gemini, Bedrock Converse), through the Codec interface only (protocols/codec.h), doing
// what the gateway does for a client speaking I whose deployment speaks E:
//
//   BM_Request/I->E      the client's ~1 KB request body → the body sent to E
//                        (I == E: forward_request; else decode_request + encode_request,
//                        as gateway/egress.cc). I == E also has I->I(translated).
//   BM_Response/I->E     E's whole response body → the client's I body
//                        (I == E: decode_response only, the body is forwarded).
//   BM_StreamText/I->E   one upstream text-delta event in E's framing (SSE, or an AWS
//   BM_StreamTool/I->E   event-stream frame for Bedrock) → the client's bytes in I's framing,
//                        deframed and fed as gateway/deliver_stream.cc does (I == E: decoded
//                        and forwarded as it came). Tool: a tool-call argument fragment
//                        (Gemini does not stream arguments: a whole functionCall chunk
//                        upstream; for a Gemini client the fragment is held until the call
//                        ends, so nothing is written).
//   BM_Ingress/I         decode_ingress of the client's body (paid on every request,
//                        before any of the above).
//   BM_Memcpy/<case>/P   the baseline: a memcpy of the same input bytes, same run.
//
// Every protocol's body is made by encoding one canonical request (system prompt, four
// turns with a tool call and its result, one tool definition) with that protocol's codec,
// so all four carry the same content. bench/codec_pairs_table.py prints the table from
// --benchmark_format=json. Run: taskset -c 1 build/release/codec_pairs_bench
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "http/sse.h"
#include "protocols/aws_eventstream.h"
#include "protocols/codec.h"

namespace {

namespace model = sy::model;
using sy::protocols::Codec;
using sy::protocols::codec_for;
using Kind = model::StreamEvent::Kind;

constexpr std::array kProtocols = {model::Protocol::OpenAIChat, model::Protocol::AnthropicMessages,
                                   model::Protocol::Gemini, model::Protocol::BedrockConverse};
constexpr const char* kUpstreamModel = "bench-model-2025";

const char* short_name(model::Protocol p) {
  switch (p) {
    case model::Protocol::OpenAIChat: return "openai";
    case model::Protocol::AnthropicMessages: return "anthropic";
    case model::Protocol::Gemini: return "gemini";
    case model::Protocol::BedrockConverse: return "bedrock";
  }
  return "?";
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "codec_pairs_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T must(sy::Result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.error().message);
  return std::move(*r);
}

std::string repeat_to(std::string_view sentence, size_t size) {
  std::string s;
  while (s.size() < size) s += sentence;
  return s;
}

model::Part tool_use_part() {
  model::Part p;
  p.kind = model::Part::Kind::ToolUse;
  p.tool_use = {"call_q3report", "lookup_report", R"({"quarter":"Q3","region":"EMEA"})"};
  return p;
}

// ~1 KB once encoded: a system prompt, a question, the assistant's tool call, the tool's
// answer, a follow-up; one tool definition and the usual sampling parameters.
model::Request canonical_request() {
  model::Request req;
  req.model = kUpstreamModel;
  req.turns.push_back({model::Role::System,
                       {model::Part::make_text("You are a financial analyst. Answer briefly and "
                                               "precisely; cite the figures you use.")},
                       {}});
  req.turns.push_back(
      {model::Role::User,
       {model::Part::make_text(repeat_to("Summarise the quarterly report for the board. ", 280))},
       {}});
  model::Turn call{model::Role::Assistant, {model::Part::make_text("Let me fetch the report.")}, {}};
  call.parts.push_back(tool_use_part());
  req.turns.push_back(std::move(call));
  model::Part result;
  result.kind = model::Part::Kind::ToolResult;
  result.tool_result = {"call_q3report",
                        repeat_to("Revenue 12.4M (+12%), costs 9.1M (flat), 14 new hires. ", 200),
                        false};
  req.turns.push_back({model::Role::Tool, {std::move(result)}, {}});
  req.turns.push_back(
      {model::Role::User,
       {model::Part::make_text("Now write three bullet points for the board, one line each.")},
       {}});
  req.tools.push_back(
      {"lookup_report", "Fetch a quarterly report by quarter and region",
       R"({"type":"object","properties":{"quarter":{"type":"string"},"region":{"type":"string"}},"required":["quarter"]})",
       false});
  req.temperature = 0.2;
  req.max_tokens = 256;
  return req;
}

model::Response canonical_response() {
  model::Response r;
  r.id = "resp_0123456789abcdef";
  r.model = kUpstreamModel;
  r.content.push_back(model::Part::make_text(
      "Revenue rose 12% to 12.4M while costs stayed flat at 9.1M; the 14 new hires are the "
      "main change in headcount. I will check the regional split next."));
  r.content.push_back(tool_use_part());
  r.finish = model::FinishReason::ToolUse;
  r.usage = {412, 58, 0, 0, true};
  return r;
}

// ---- Stream plumbing: an upstream event in E's framing, fed as deliver_stream.cc does ----

struct StreamCase {
  std::string preamble;     // the upstream bytes before the measured event (message start, …)
  std::string event;        // the measured upstream event, framed
  bool whole_call = false;  // `event` is a whole tool call: each one a new call
};

// A stream with a whole tool call per event is started afresh after this many calls (out
// of the timing): the encoders find a call's state by a linear scan, which is right for
// the few calls of a real answer but would make millions of calls in one stream measure
// the scan.
constexpr int64_t kCallsPerStream = 8;

model::StreamEvent event_of(Kind kind, std::string text = {}) {
  model::StreamEvent e;
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

// E's own stream encoder writes the upstream bytes: MessageStart and the block's opening
// as the preamble, then one delta. An encoder that holds a tool call until its end
// (Gemini) writes the whole call as the event.
StreamCase upstream_case(const Codec& egress, bool tool) {
  auto enc = egress.stream_encoder({});
  StreamCase c;
  model::StreamEvent start = event_of(Kind::MessageStart);
  start.id = "msg_0123456789abcdef";
  start.name = kUpstreamModel;
  enc->encode(start, c.preamble);
  if (!tool) {
    enc->encode(event_of(Kind::TextDelta, "The board"), c.preamble);
    enc->encode(event_of(Kind::TextDelta, " should note revenue"), c.event);
    return c;
  }
  model::StreamEvent call = event_of(Kind::ToolCallStart);
  call.id = "call_q3report";
  call.name = "lookup_report";
  enc->encode(call, c.preamble);
  enc->encode(event_of(Kind::ToolCallDelta, R"({"quarter":"Q3",)"), c.preamble);
  enc->encode(event_of(Kind::ToolCallDelta, R"("region":"EMEA"})"), c.event);
  if (c.event.empty()) {
    enc->encode(event_of(Kind::ToolCallEnd), c.event);
    c.whole_call = true;
  }
  if (c.event.empty()) die(std::string(egress.name()) + " wrote no stream event");
  return c;
}

// One response's stream through the gateway: deframing, the egress decoder, and the
// ingress encoder (or, same protocol, the upstream event forwarded as it came).
class StreamPath {
 public:
  StreamPath(const Codec& ingress, const Codec& egress, bool forward)
      : aws_(egress.stream_framing() == sy::protocols::Framing::AwsEventStream),
        forward_(forward),
        decoder_(egress.stream_decoder()),
        encoder_(forward ? nullptr : ingress.stream_encoder({})) {}

  // Feeds upstream bytes; appends what the client gets to `out`.
  void feed(std::string_view bytes, std::string& out) {
    if (!aws_) {
      sse_.feed(bytes, [&](const sy::http::SseEvent& ev) {
        handle(ev.event, ev.data, out);
        if (forward_) append_sse(ev, out);
      });
      return;
    }
    frames_.feed(bytes);
    for (;;) {
      auto message = frames_.next();
      if (!message) die("event stream: " + message.error().message);
      if (!*message) break;
      handle((*message)->string_header(":event-type"), (*message)->payload, out);
      if (forward_) out.append(bytes);  // one frame a feed here
    }
  }

 private:
  static void append_sse(const sy::http::SseEvent& ev, std::string& out) {
    if (!ev.event.empty()) out.append("event: ").append(ev.event).append("\n");
    out.append("data: ").append(ev.data).append("\n\n");
  }

  void handle(std::string_view event, std::string_view data, std::string& out) {
    events_.clear();
    if (auto r = decoder_->decode(event, data, events_); !r) die("decode: " + r.error().message);
    if (encoder_) {
      for (const auto& e : events_) encoder_->encode(e, out);
    }
  }

  bool aws_;
  bool forward_;
  std::unique_ptr<sy::protocols::StreamDecoder> decoder_;
  std::unique_ptr<sy::protocols::StreamEncoder> encoder_;
  sy::http::SseParser sse_;
  sy::protocols::aws::EventStreamDecoder frames_;
  std::vector<model::StreamEvent> events_;
};

// ---- Benchmarks ----

struct Inputs {
  std::array<std::string, 4> request;   // the client's body, per protocol
  std::array<std::string, 4> response;  // the upstream's whole answer, per protocol
  std::array<StreamCase, 4> text;
  std::array<StreamCase, 4> tool;
};

void memcpy_bench(benchmark::State& state, const std::string& bytes) {
  std::string copy(bytes.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), bytes.data(), bytes.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

void ingress_bench(benchmark::State& state, const Codec& ingress, const std::string& body) {
  for (auto _ : state) {
    auto r = ingress.decode_ingress(body);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void request_bench(benchmark::State& state, const Codec& ingress, const Codec& egress,
                   const std::string& body, bool forward) {
  if (forward) {
    const auto chat = must(ingress.decode_ingress(body), "decode_ingress");
    for (auto _ : state) {
      auto out = ingress.forward_request(chat, kUpstreamModel);
      benchmark::DoNotOptimize(out);
    }
  } else {
    must(egress.encode_request(must(ingress.decode_request(body), "decode_request"), kUpstreamModel),
         std::string(egress.name()) + " encode_request");
    for (auto _ : state) {
      auto req = ingress.decode_request(body);
      auto out = egress.encode_request(*req, kUpstreamModel);
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void response_bench(benchmark::State& state, const Codec& ingress, const Codec& egress,
                    const std::string& body, bool forward) {
  must(ingress.encode_response(must(egress.decode_response(body), "decode_response")),
       std::string(ingress.name()) + " encode_response");
  for (auto _ : state) {
    auto resp = egress.decode_response(body);
    benchmark::DoNotOptimize(resp);
    if (!forward) {
      auto out = ingress.encode_response(*resp);
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void stream_bench(benchmark::State& state, const Codec& ingress, const Codec& egress,
                  const StreamCase& input, bool forward) {
  std::unique_ptr<StreamPath> path;
  std::string out;
  int64_t calls = 0;
  for (auto _ : state) {
    if (!path || (input.whole_call && calls++ == kCallsPerStream)) {
      state.PauseTiming();
      path = std::make_unique<StreamPath>(ingress, egress, forward);
      path->feed(input.preamble, out);
      calls = 1;
      state.ResumeTiming();
    }
    out.clear();
    path->feed(input.event, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.event.size()));
}

Inputs make_inputs() {
  Inputs in;
  const model::Request req = canonical_request();
  const model::Response resp = canonical_response();
  for (size_t p = 0; p < kProtocols.size(); ++p) {
    const Codec& codec = codec_for(kProtocols[p]);
    const std::string who(codec.name());
    in.request[p] = must(codec.encode_request(req, kUpstreamModel), who + " encode_request");
    in.response[p] = must(codec.encode_response(resp), who + " encode_response");
    in.text[p] = upstream_case(codec, false);
    in.tool[p] = upstream_case(codec, true);
  }
  return in;
}

void register_all(const Inputs& in) {
  std::array<bool, 4> is_ingress{};  // Bedrock Converse is only spoken to providers
  for (size_t i = 0; i < kProtocols.size(); ++i) {
    is_ingress[i] = codec_for(kProtocols[i]).decode_ingress(in.request[i]).has_value();
  }
  for (size_t i = 0; i < kProtocols.size(); ++i) {
    const std::string ni = short_name(kProtocols[i]);
    benchmark::RegisterBenchmark(("BM_Memcpy/request/" + ni).c_str(), memcpy_bench, in.request[i]);
    benchmark::RegisterBenchmark(("BM_Memcpy/response/" + ni).c_str(), memcpy_bench,
                                 in.response[i]);
    benchmark::RegisterBenchmark(("BM_Memcpy/text/" + ni).c_str(), memcpy_bench, in.text[i].event);
    benchmark::RegisterBenchmark(("BM_Memcpy/tool/" + ni).c_str(), memcpy_bench, in.tool[i].event);
    if (is_ingress[i]) {
      benchmark::RegisterBenchmark(("BM_Ingress/" + ni).c_str(), ingress_bench,
                                   std::cref(codec_for(kProtocols[i])), in.request[i]);
    }
  }
  for (size_t i = 0; i < kProtocols.size(); ++i) {
    for (size_t e = 0; e < kProtocols.size(); ++e) {
      const Codec& ingress = codec_for(kProtocols[i]);
      const Codec& egress = codec_for(kProtocols[e]);
      const std::string pair =
          std::string(short_name(kProtocols[i])) + "->" + short_name(kProtocols[e]);
      // Same protocol: the gateway's fast path, then the full translation for comparison.
      // A protocol that is not an ingress (Bedrock) has no fast path to measure.
      const std::vector<bool> modes =
          i == e && is_ingress[i] ? std::vector<bool>{true, false} : std::vector{false};
      for (const bool forward : modes) {
        const std::string name = pair + (i == e && !forward ? "(translated)" : "");
        benchmark::RegisterBenchmark(("BM_Request/" + name).c_str(), request_bench,
                                     std::cref(ingress), std::cref(egress), in.request[i], forward);
        benchmark::RegisterBenchmark(("BM_Response/" + name).c_str(), response_bench,
                                     std::cref(ingress), std::cref(egress), in.response[e],
                                     forward);
        benchmark::RegisterBenchmark(("BM_StreamText/" + name).c_str(), stream_bench,
                                     std::cref(ingress), std::cref(egress), in.text[e], forward);
        benchmark::RegisterBenchmark(("BM_StreamTool/" + name).c_str(), stream_bench,
                                     std::cref(ingress), std::cref(egress), in.tool[e], forward);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  static const Inputs inputs = make_inputs();
  for (size_t p = 0; p < kProtocols.size(); ++p) {
    std::fprintf(stderr, "%-9s request %zu B, response %zu B, text event %zu B, tool event %zu B\n",
                 short_name(kProtocols[p]), inputs.request[p].size(), inputs.response[p].size(),
                 inputs.text[p].event.size(), inputs.tool[p].event.size());
  }
  register_all(inputs);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
