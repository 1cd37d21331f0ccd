// Fuzzes what the gateway reads from an OpenAI-compatible upstream
// (protocols/openai_chat.h): inspect_stream_chunk on the data of one SSE event,
// decode_response_usage on a non-streaming body and decode_error_message on an error
// body. A chunk must inspect the same whether or not it comes with simdjson's padding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/openai_chat.h"

namespace {

namespace oc = sy::protocols::openai_chat;
using sy::model::Usage;

bool same_usage(const Usage& a, const Usage& b) {
  return a.input_tokens == b.input_tokens && a.output_tokens == b.output_tokens &&
         a.cached_input_tokens == b.cached_input_tokens &&
         a.reasoning_tokens == b.reasoning_tokens && a.reported == b.reported;
}

bool zero(const Usage& u) { return same_usage(u, Usage{}); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Padded as an SSE event's data is (http/sse.h: kSsePadding readable bytes follow).
  std::string padded;
  padded.reserve(size + 64);
  padded.assign(bytes);
  auto chunk = oc::inspect_stream_chunk(padded, padded.capacity());
  // Unpadded: the exact bytes, nothing readable after them.
  auto unpadded = oc::inspect_stream_chunk(bytes, size);
  FUZZ_CHECK(chunk.has_value() == unpadded.has_value());
  if (chunk) {
    FUZZ_CHECK(chunk->done == (bytes == "[DONE]"));
    FUZZ_CHECK(!chunk->usage_only || chunk->usage.reported);
    FUZZ_CHECK(!chunk->preamble || !chunk->usage.reported);
    FUZZ_CHECK(chunk->usage.reported || zero(chunk->usage));
    FUZZ_CHECK(chunk->done == unpadded->done && chunk->usage_only == unpadded->usage_only &&
               chunk->is_error == unpadded->is_error && chunk->preamble == unpadded->preamble &&
               same_usage(chunk->usage, unpadded->usage));
  } else {
    FUZZ_CHECK(chunk.error().status == 502 && unpadded.error().message == chunk.error().message);
  }

  if (auto usage = oc::decode_response_usage(bytes)) {
    FUZZ_CHECK(usage->reported || zero(*usage));
  } else {
    FUZZ_CHECK(usage.error().status == 502);
  }

  (void)oc::decode_error_message(bytes);
  return 0;
}
