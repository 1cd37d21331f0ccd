// Fuzzes the Gemini request decoder (protocols/gemini.h, GeminiCodec::decode_request) on one
// GenerateContentRequest body. Errors are 400s with a message. A request that decodes and
// can be encoded again must decode again, and encoding reaches a fixed point: the second
// encoding equals the first (ids, dialects and wrappers are stable through the codec).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/gemini.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& codec = sy::protocols::GeminiCodec::instance();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto req = codec.decode_request(body);
  if (!req) {
    FUZZ_CHECK(req.error().status == 400 && !req.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!req->turns.empty());
  auto wire = codec.encode_request(*req, "gemini-2.5-flash");
  if (!wire) {
    FUZZ_CHECK(wire.error().status == 400 && !wire.error().message.empty());
    return 0;
  }
  auto again = codec.decode_request(*wire);
  if (!again) {
    // Only a request left with no content (every part an empty text) may not decode.
    FUZZ_CHECK(again.error().status == 400);
    FUZZ_CHECK(again.error().message.find("contents") != std::string::npos);
    return 0;
  }
  FUZZ_CHECK(again->tools.size() == req->tools.size());
  FUZZ_CHECK(again->stop == req->stop && again->max_tokens == req->max_tokens);
  auto wire2 = codec.encode_request(*again, "gemini-2.5-flash");
  FUZZ_CHECK(wire2.has_value());
  FUZZ_CHECK(*wire2 == *wire);
  return 0;
}
