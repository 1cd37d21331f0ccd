// Fuzzes the AWS event-stream decoder (protocols/aws_eventstream.h). The first bytes choose
// the message size limit and the chunk sizes; the rest is the stream. Fed in those chunks
// (empty feeds included), the decoder must yield exactly the messages and the error that
// one feed of the whole stream yields; every message it yields must encode back to the
// very bytes it was read from.
//
// Input: byte 0 = limit (bits 4-5) and number of chunk-size bytes (bits 0-3), then that
// many chunk sizes (0..255, used in turn), then the stream.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocols/aws_eventstream.h"

namespace {

namespace aws = sy::protocols::aws;

struct Outcome {
  std::vector<aws::EventMessage> messages;
  std::optional<std::string> error;
  std::size_t buffered = 0;
  bool operator==(const Outcome&) const = default;
};

void drain(aws::EventStreamDecoder& decoder, Outcome& out) {
  while (!out.error) {
    auto r = decoder.next();
    if (!r) {
      FUZZ_CHECK(r.error().kind == sy::ErrorKind::UpstreamError);
      FUZZ_CHECK(!r.error().message.empty());
      FUZZ_CHECK(decoder.failed());
      out.error = r.error().message;
      return;
    }
    if (!*r) return;
    out.messages.push_back(std::move(**r));
  }
}

template <class NextChunk>
Outcome run(std::string_view stream, std::size_t limit, NextChunk&& next_chunk) {
  aws::EventStreamDecoder decoder(limit);
  Outcome out;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::size_t n = std::min(next_chunk(), stream.size() - pos);
    decoder.feed(stream.substr(pos, n));
    pos += n;
    drain(decoder, out);
  }
  drain(decoder, out);
  out.buffered = decoder.buffered();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr std::size_t kLimits[] = {64, 1024, 64u << 10, aws::kMaxEventStreamMessage};
  const std::size_t limit = kLimits[(data[0] >> 4) & 3];
  const std::size_t n_sizes = data[0] & 15;
  if (size < 1 + n_sizes) return 0;
  const uint8_t* sizes = data + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1 + n_sizes),
                                size - 1 - n_sizes);

  const Outcome whole = run(stream, limit, [&] { return stream.size(); });

  // What was decoded re-encodes to the bytes it came from, in order.
  std::string reencoded;
  for (const auto& m : whole.messages) {
    auto bytes = aws::encode_message(m.headers, m.payload);
    FUZZ_CHECK(bytes.has_value());
    FUZZ_CHECK(bytes->size() <= limit);
    reencoded += *bytes;
  }
  FUZZ_CHECK(stream.substr(0, reencoded.size()) == reencoded);
  if (!whole.error) {
    FUZZ_CHECK(whole.buffered == stream.size() - reencoded.size());
  } else {
    FUZZ_CHECK(whole.buffered == 0);
  }

  std::size_t next = 0;
  std::size_t empty_in_a_row = 0;
  const Outcome chunked = run(stream, limit, [&]() -> std::size_t {
    if (n_sizes == 0) return 1;  // byte by byte
    std::size_t n = sizes[next++ % n_sizes];
    if (n == 0 && ++empty_in_a_row > n_sizes) n = 1;  // all sizes 0: still make progress
    if (n != 0) empty_in_a_row = 0;
    return n;
  });
  FUZZ_CHECK(chunked == whole);
  return 0;
}
