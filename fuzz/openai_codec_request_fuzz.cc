// Fuzzes the OpenAI codec's full request decode (OpenAIChatCodec::decode_request, the
// translation path) on one body. A body that decodes either lists unportable features, and
// then every encode is refused as unsupported, or encodes to a body that decodes again and
// encodes to exactly the same bytes (the wire form is a fixed point).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/openai_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& codec = sy::protocols::openai_chat_codec();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto req = codec.decode_request(body);
  if (!req) {
    FUZZ_CHECK(req.error().status == 400 && !req.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!req->model.empty());
  auto wire = codec.encode_request(*req, "up\"stream\n");
  if (!req->unportable.empty()) {
    FUZZ_CHECK(!wire && wire.error().code == "unsupported_feature");
    return 0;
  }
  FUZZ_CHECK(wire.has_value());
  auto again = codec.decode_request(*wire);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->model == "up\"stream\n");
  FUZZ_CHECK(again->stream == req->stream && again->include_usage == req->stream);
  FUZZ_CHECK(again->tools.size() == req->tools.size() && again->stop == req->stop);
  FUZZ_CHECK(again->max_tokens == req->max_tokens && again->seed == req->seed);
  for (size_t i = 0; i < req->tools.size(); ++i) {
    FUZZ_CHECK(again->tools[i].parameters == req->tools[i].parameters);
  }
  auto wire2 = codec.encode_request(*again, "up\"stream\n");
  FUZZ_CHECK(wire2.has_value() && *wire2 == *wire);
  return 0;
}
