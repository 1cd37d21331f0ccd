// Fuzzes the OpenAI Chat Completions request decoder (protocols/openai_chat.h) on one
// request body. A request that decodes is re-encoded for an upstream (model replaced,
// stream options rewritten) and must decode again to the same request, with the new
// model and usage asked for whenever it streams; encoding that again changes nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocols/openai_chat.h"

namespace {

namespace oc = sy::protocols::openai_chat;
using sy::model::ChatRequest;

// Needs escaping in JSON: a quote, a backslash, a control character and UTF-8.
constexpr std::string_view kUpstreamModel = "up\"stream\\model\n\xc3\xa9";

bool same_messages(const ChatRequest& a, const ChatRequest& b) {
  if (a.messages.size() != b.messages.size()) return false;
  for (size_t i = 0; i < a.messages.size(); ++i) {
    const auto& x = a.messages[i];
    const auto& y = b.messages[i];
    if (x.role != y.role || x.text != y.text || x.image_parts != y.image_parts ||
        x.tool_calls != y.tool_calls) {
      return false;
    }
  }
  return true;
}

bool span_ok(const std::string& body, sy::model::Span s, char open, char close) {
  return s.begin < s.end && s.end <= body.size() && body[s.begin] == open &&
         body[s.end - 1] == close;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto req = oc::decode_request(std::move(body));
  if (!req) {
    FUZZ_CHECK(req.error().status == 400 && !req.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!req->model.empty() && !req->messages.empty());
  FUZZ_CHECK(req->raw_body == std::string_view(reinterpret_cast<const char*>(data), size));
  FUZZ_CHECK(span_ok(req->raw_body, req->model_token, '"', '"'));
  FUZZ_CHECK(req->stream_options_token.empty() ||
             span_ok(req->raw_body, req->stream_options_token, '{', '}'));

  const std::string upstream = oc::encode_request(*req, kUpstreamModel);
  auto again = oc::decode_request(upstream);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->model == kUpstreamModel);
  FUZZ_CHECK(again->stream == req->stream);
  FUZZ_CHECK(again->include_usage == (req->include_usage || req->stream));
  FUZZ_CHECK(again->max_tokens == req->max_tokens);
  FUZZ_CHECK(again->tools == req->tools && again->json_schema == req->json_schema);
  FUZZ_CHECK(same_messages(*again, *req));
  FUZZ_CHECK(oc::encode_request(*again, kUpstreamModel) == upstream);
  return 0;
}
