// Fuzzes the OpenAI embeddings request decoder (protocols/embeddings.h): any bytes either
// decode or fail with a 400; a decoded request forwards to a body that decodes again with
// only the model changed, and encodes from its canonical fields (when translatable) to a
// body that decodes to the same fields.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/embeddings.h"

namespace {

namespace oe = sy::protocols::embeddings::openai;
using sy::model::EmbeddingRequest;

bool same_fields(const EmbeddingRequest& a, const EmbeddingRequest& b) {
  return a.inputs == b.inputs && a.token_inputs == b.token_inputs && a.dimensions == b.dimensions &&
         a.encoding_format == b.encoding_format && a.user == b.user;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto req = oe::decode_request(std::string(reinterpret_cast<const char*>(data), size));
  if (!req) {
    FUZZ_CHECK(req.error().status == 400 && !req.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!req->model.empty() && req->input_count() > 0);
  FUZZ_CHECK(req->inputs.empty() || req->token_inputs == 0);

  auto forwarded = oe::decode_request(oe::forward_request(*req, "up/stream \"model\""));
  FUZZ_CHECK(forwarded.has_value());
  FUZZ_CHECK(forwarded->model == "up/stream \"model\"");
  FUZZ_CHECK(same_fields(*req, *forwarded) && forwarded->other_fields == req->other_fields);

  if (auto body = oe::encode_request(*req, "m")) {
    auto again = oe::decode_request(*body);
    FUZZ_CHECK(again.has_value() && again->model == "m" && same_fields(*req, *again));
  } else {
    FUZZ_CHECK(req->token_inputs != 0 || !req->other_fields.empty());
  }
  return 0;
}
