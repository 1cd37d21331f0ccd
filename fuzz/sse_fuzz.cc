// Fuzzes the incremental SSE parser (http/sse.h). The first bytes choose the event size
// limit and the chunk sizes; the rest is the stream. Fed in those chunks (empty feeds
// included), the parser must yield exactly the events, the overflow and the partial
// event that one feed of the whole stream yields.
//
// Input: byte 0 = limit (bits 0-1) and number of chunk-size bytes (bits 2-5), then that
// many chunk sizes (0..255, used in turn), then the stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "http/sse.h"

namespace {

struct Event {
  std::string event, data, id;
  bool operator==(const Event&) const = default;
};

struct Outcome {
  std::vector<Event> events;
  bool overflow = false;
  bool partial = false;
  bool operator==(const Outcome&) const = default;
};

template <class NextChunk>
Outcome run(std::string_view stream, size_t limit, NextChunk&& next_chunk) {
  sy::http::SseParser parser(limit);
  Outcome out;
  auto on_event = [&](const sy::http::SseEvent& ev) {
    FUZZ_CHECK(ev.event.find_first_of("\r\n") == std::string_view::npos);
    FUZZ_CHECK(ev.id.find_first_of("\r\n") == std::string_view::npos);
    FUZZ_CHECK(ev.data.find('\r') == std::string_view::npos);
    out.events.push_back({std::string(ev.event), std::string(ev.data), std::string(ev.id)});
  };
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t n = std::min(next_chunk(), stream.size() - pos);
    if (!parser.feed(stream.substr(pos, n), on_event)) {
      out.overflow = true;
      return out;
    }
    pos += n;
  }
  out.partial = parser.has_partial_event();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr size_t kLimits[] = {16, 64, 1024, 8u << 20};
  const size_t limit = kLimits[data[0] & 3];
  const size_t n_sizes = (data[0] >> 2) & 15;
  if (size < 1 + n_sizes) return 0;
  const uint8_t* sizes = data + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1 + n_sizes),
                                size - 1 - n_sizes);

  const Outcome whole = run(stream, limit, [&] { return stream.size(); });

  size_t next = 0;
  size_t empty_in_a_row = 0;
  const Outcome chunked = run(stream, limit, [&]() -> size_t {
    if (n_sizes == 0) return 1;  // byte by byte
    size_t n = sizes[next++ % n_sizes];
    if (n == 0 && ++empty_in_a_row > n_sizes) n = 1;  // all sizes 0: still make progress
    if (n != 0) empty_in_a_row = 0;
    return n;
  });
  FUZZ_CHECK(chunked == whole);
  return 0;
}
