// Fuzzes the Gemini response decoder (GeminiCodec::decode_response) and the error-message
// reader on one body. Errors are UpstreamError (502). A response that decodes and encodes
// must decode again, and the second encoding equals the first.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/gemini.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& codec = sy::protocols::GeminiCodec::instance();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(codec.decode_error_message(body).size() <= std::max<size_t>(size, 512));
  auto resp = codec.decode_response(body);
  if (!resp) {
    FUZZ_CHECK(resp.error().kind == sy::ErrorKind::UpstreamError || resp.error().status == 400);
    FUZZ_CHECK(!resp.error().message.empty());
    return 0;
  }
  auto wire = codec.encode_response(*resp);
  if (!wire) return 0;
  auto again = codec.decode_response(*wire);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->content.size() == resp->content.size());
  auto wire2 = codec.encode_response(*again);
  FUZZ_CHECK(wire2.has_value() && *wire2 == *wire);
  return 0;
}
