// Fuzzes the Anthropic Messages stream decoder and encoder (protocols/anthropic_messages.h).
// The input is a sequence of events, one per line: "<event name> <data>". Decoded
// canonical events are encoded back to Anthropic SSE and decoded again: the tool-call
// argument bytes of every block must come through unchanged and in order.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/anthropic_messages.h"

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

// Splits encoder output ("event: x\ndata: y\n\n"…) back into events.
bool decode_wire(std::string_view wire, std::vector<StreamEvent>& out) {
  auto decoder = sy::protocols::anthropic_messages_codec().stream_decoder();
  while (!wire.empty()) {
    const size_t end = wire.find("\n\n");
    FUZZ_CHECK(end != std::string_view::npos);
    std::string_view block = wire.substr(0, end);
    wire.remove_prefix(end + 2);
    FUZZ_CHECK(block.starts_with("event: "));
    const size_t nl = block.find('\n');
    FUZZ_CHECK(nl != std::string_view::npos && block.substr(nl + 1).starts_with("data: "));
    if (!decoder->decode(block.substr(7, nl - 7), block.substr(nl + 7), out)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoder = sy::protocols::anthropic_messages_codec().stream_decoder();
  std::vector<StreamEvent> events;
  bool failed = false;
  while (!input.empty() && !failed) {
    const size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    const size_t space = line.find(' ');
    std::string_view name = space == std::string_view::npos ? std::string_view() : line.substr(0, space);
    std::string_view payload = space == std::string_view::npos ? line : line.substr(space + 1);
    auto r = decoder->decode(name, payload, events);
    if (!r) {
      FUZZ_CHECK(r.error().kind == sy::ErrorKind::UpstreamError);
      failed = true;
    }
  }
  if (!failed) (void)decoder->finish(events);

  auto encoder = sy::protocols::anthropic_messages_codec().stream_encoder({});
  std::string wire;
  for (const auto& e : events) encoder->encode(e, wire);
  encoder->finish(wire);
  std::vector<StreamEvent> again;
  FUZZ_CHECK(decode_wire(wire, again));
  // Tool blocks are renumbered in order of opening; compare the argument texts in order.
  FUZZ_CHECK(tool_args(events) == tool_args(again));
  return 0;
}
