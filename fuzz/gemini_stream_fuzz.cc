// Fuzzes the Gemini stream decoder on a sequence of SSE data payloads (the input split at
// blank lines, a leading "data: " dropped). The canonical events it yields must be well
// formed (tool-call deltas inside a started call, nothing after Stop), and encoding them
// with the Gemini stream encoder and decoding that again gives the same events (usage
// aside, which the encoder moves to the final chunk, keeping the last value).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/gemini.h"

namespace {

using sy::model::StreamEvent;
using Kind = StreamEvent::Kind;

struct Outcome {
  std::vector<StreamEvent> events;
  bool finished = false;
};

Outcome run(const std::vector<std::string_view>& payloads) {
  auto dec = sy::protocols::GeminiCodec::instance().stream_decoder();
  Outcome o;
  for (auto p : payloads) {
    auto r = dec->decode("", p, o.events);
    if (!r) {
      FUZZ_CHECK(r.error().kind == sy::ErrorKind::UpstreamError || r.error().status == 400);
      return o;
    }
  }
  o.finished = dec->finish(o.events).has_value();
  return o;
}

std::string key(const StreamEvent& e) {
  return std::to_string(static_cast<int>(e.kind)) + "|" + std::to_string(e.index) + "|" + e.id +
         "|" + e.name + "|" + e.text + "|" + e.signature + "|" +
         std::to_string(static_cast<int>(e.finish));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> payloads;
  for (size_t pos = 0; pos < input.size();) {
    size_t end = input.find("\n\n", pos);
    if (end == std::string_view::npos) end = input.size();
    std::string_view p = input.substr(pos, end - pos);
    if (p.substr(0, 6) == "data: ") p.remove_prefix(6);
    payloads.push_back(p);
    pos = end + 2;
  }
  const Outcome first = run(payloads);

  std::set<uint32_t> open;
  bool stopped = false;
  for (const auto& e : first.events) {
    FUZZ_CHECK(!stopped);
    if (e.kind == Kind::ToolCallStart) FUZZ_CHECK(open.insert(e.index).second);
    if (e.kind == Kind::ToolCallDelta) FUZZ_CHECK(open.count(e.index) == 1);
    if (e.kind == Kind::ToolCallEnd) FUZZ_CHECK(open.erase(e.index) == 1);
    if (e.kind == Kind::Stop || e.kind == Kind::Error) stopped = true;
  }
  if (!first.finished) return 0;

  auto enc = sy::protocols::GeminiCodec::instance().stream_encoder({});
  std::string wire;
  for (const auto& e : first.events) enc->encode(e, wire);
  enc->finish(wire);
  std::vector<std::string_view> again;
  for (size_t pos = 0; pos < wire.size();) {
    const size_t end = wire.find("\n\n", pos);
    FUZZ_CHECK(end != std::string::npos);
    std::string_view p = std::string_view(wire).substr(pos, end - pos);
    FUZZ_CHECK(p.substr(0, 6) == "data: ");
    again.push_back(p.substr(6));
    pos = end + 2;
  }
  const Outcome second = run(again);
  FUZZ_CHECK(second.finished);
  std::vector<std::string> a, b;
  sy::model::Usage ua, ub;
  for (const auto& e : first.events) {
    if (e.kind == Kind::Usage)
      ua = e.usage;
    else
      a.push_back(key(e));
  }
  for (const auto& e : second.events) {
    if (e.kind == Kind::Usage)
      ub = e.usage;
    else
      b.push_back(key(e));
  }
  FUZZ_CHECK(a == b);
  FUZZ_CHECK(ua.input_tokens == ub.input_tokens && ua.output_tokens == ub.output_tokens &&
             ua.cached_input_tokens == ub.cached_input_tokens);
  return 0;
}
