// Fuzzes the OpenAI codec's stream decoder on a sequence of chunks (the input's lines, each
// the data of one SSE event; the first byte picks include_usage). The events must be well
// formed (tool-call deltas only inside their call, nothing after Stop or Error), and
// encoding them for an OpenAI client and decoding that again must give the same events —
// text and tool-call arguments byte for byte — apart from usage and the message start.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/openai_codec.h"
#include "protocols/openai_wire.h"

namespace {

using sy::model::StreamEvent;
using K = StreamEvent::Kind;

// Checks the canonical sequence rules; returns the events that survive a re-encode.
std::vector<StreamEvent> check_and_filter(const std::vector<StreamEvent>& events) {
  std::vector<uint32_t> open, ended;
  bool stopped = false, errored = false;
  std::vector<StreamEvent> kept;
  auto contains = [](const std::vector<uint32_t>& v, uint32_t x) {
    for (uint32_t y : v)
      if (y == x) return true;
    return false;
  };
  for (const auto& e : events) {
    FUZZ_CHECK(!stopped && !errored);
    switch (e.kind) {
      case K::ToolCallStart:
        FUZZ_CHECK(!e.name.empty() && !contains(open, e.index) && !contains(ended, e.index));
        open.push_back(e.index);
        break;
      case K::ToolCallDelta:
        FUZZ_CHECK(contains(open, e.index) && !e.text.empty());
        break;
      case K::ToolCallEnd:
        FUZZ_CHECK(contains(open, e.index));
        std::erase(open, e.index);
        ended.push_back(e.index);
        break;
      case K::Stop:
        FUZZ_CHECK(open.empty());
        stopped = true;
        break;
      case K::Error:
        errored = true;
        break;
      default:
        break;
    }
    if (e.kind != K::Usage && e.kind != K::MessageStart) kept.push_back(e);
  }
  // Whether the calls an error cut off were ended first depends on where the finish reason
  // fell; the error ends them all either way.
  if (!kept.empty() && kept.back().kind == K::Error) {
    const StreamEvent err = kept.back();
    kept.pop_back();
    while (!kept.empty() && kept.back().kind == K::ToolCallEnd) kept.pop_back();
    kept.push_back(err);
  }
  return kept;
}

std::vector<std::string> split_sse(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    FUZZ_CHECK(end != std::string::npos);  // the encoder writes whole events
    FUZZ_CHECK(text.compare(pos, 6, "data: ") == 0);
    out.push_back(text.substr(pos + 6, end - pos - 6));
    pos = end + 2;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace wire = sy::protocols::openai_wire;
  const auto& codec = sy::protocols::openai_chat_codec();
  if (size == 0) return 0;
  const bool include_usage = data[0] & 1;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto decoder = codec.stream_decoder();
  std::vector<StreamEvent> events;
  bool failed = false;
  size_t pos = 0;
  while (pos <= input.size() && !failed) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    auto r = decoder->decode("", input.substr(pos, end - pos), events);
    if (!r) {
      FUZZ_CHECK(r.error().status == 502);
      failed = true;
    }
    pos = end + 1;
  }
  if (!failed) {
    auto r = decoder->finish(events);
    if (!r) FUZZ_CHECK(r.error().status == 502);
  }
  const auto first = check_and_filter(events);

  auto encoder = codec.stream_encoder(sy::protocols::StreamOptions{include_usage});
  std::string client;
  for (const auto& e : events) encoder->encode(e, client);
  encoder->finish(client);

  auto again = codec.stream_decoder();
  std::vector<StreamEvent> second_events;
  for (const auto& chunk : split_sse(client)) {
    auto r = again->decode("", chunk, second_events);
    FUZZ_CHECK(r.has_value());
  }
  FUZZ_CHECK(again->finish(second_events).has_value());
  auto second = check_and_filter(second_events);

  // A stream cut short (a bad chunk, no end marker) gets an end from the encoder ([DONE]):
  // one more Stop, after the ends of the tool calls that were still open.
  bool first_ended = false;
  for (const auto& e : first) first_ended |= e.kind == K::Stop || e.kind == K::Error;
  if (!first_ended) {
    FUZZ_CHECK(!second.empty() && second.back().kind == K::Stop);
    second.pop_back();
    while (second.size() > first.size() && second.back().kind == K::ToolCallEnd) {
      second.pop_back();
    }
  }
  FUZZ_CHECK(first.size() == second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    const auto& a = first[i];
    const auto& b = second[i];
    FUZZ_CHECK(a.kind == b.kind && a.index == b.index && a.text == b.text);
    if (a.kind == K::ToolCallStart) FUZZ_CHECK(a.id == b.id && a.name == b.name);
    if (a.kind == K::Stop) {
      FUZZ_CHECK(std::string_view(wire::finish_to_wire(a.finish)) ==
                 wire::finish_to_wire(b.finish));
    }
  }
  return 0;
}
