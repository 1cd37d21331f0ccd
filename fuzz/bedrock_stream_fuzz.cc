// Fuzzes the Bedrock ConverseStream decoder and encoder (protocols/bedrock_converse.h).
// The input is a sequence of events, one per line: "<event type> <payload>" (an exception
// as "exception:<type> <payload>"). Decoded canonical events are encoded back into
// event-stream frames, de-framed with aws::EventStreamDecoder and decoded again: the
// tool-call argument bytes of every call must come through unchanged and in order.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/aws_eventstream.h"
#include "protocols/bedrock_converse.h"

namespace {

using sy::model::StreamEvent;

// Each tool call's argument text, in the order the calls started.
std::vector<std::string> tool_args(const std::vector<StreamEvent>& events) {
  std::map<uint32_t, size_t> slot;
  std::vector<std::string> args;
  for (const auto& e : events) {
    if (e.kind == StreamEvent::Kind::ToolCallStart) {
      slot[e.index] = args.size();
      args.emplace_back();
    } else if (e.kind == StreamEvent::Kind::ToolCallDelta) {
      args[slot.at(e.index)] += e.text;
    }
  }
  return args;
}

// Frames → decode() calls, as the gateway makes them.
bool decode_frames(std::string_view wire, std::vector<StreamEvent>& out) {
  sy::protocols::aws::EventStreamDecoder frames;
  frames.feed(wire);
  auto decoder = sy::protocols::bedrock_converse_codec().stream_decoder();
  while (true) {
    auto m = frames.next();
    FUZZ_CHECK(m.has_value());  // the encoder writes valid frames
    if (!*m) break;
    std::string event(m->value().string_header(":event-type"));
    if (m->value().string_header(":message-type") == "exception") {
      event = "exception:" + std::string(m->value().string_header(":exception-type"));
    }
    if (!decoder->decode(event, m->value().payload, out)) return false;
  }
  FUZZ_CHECK(frames.buffered() == 0);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoder = sy::protocols::bedrock_converse_codec().stream_decoder();
  std::vector<StreamEvent> events;
  bool failed = false;
  while (!input.empty() && !failed) {
    const size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    const size_t space = line.find(' ');
    std::string_view name = space == std::string_view::npos ? line : line.substr(0, space);
    std::string_view payload =
        space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    auto r = decoder->decode(name, payload, events);
    if (!r) {
      FUZZ_CHECK(r.error().kind == sy::ErrorKind::UpstreamError);
      failed = true;
    }
  }
  if (!failed) (void)decoder->finish(events);

  auto encoder = sy::protocols::bedrock_converse_codec().stream_encoder({});
  std::string wire;
  for (const auto& e : events) encoder->encode(e, wire);
  encoder->finish(wire);
  std::vector<StreamEvent> again;
  FUZZ_CHECK(decode_frames(wire, again));
  FUZZ_CHECK(tool_args(events) == tool_args(again));
  return 0;
}
