// Internal to the OpenAI codec (protocols/openai_codec.h): the pieces its translation files
// share — finish-reason and usage mapping — and the entry points each file implements.
// Not a public header: include only from src/protocols/openai_*.cc. Thread-safe.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json_writer.h"
#include "model/canonical.h"
#include "protocols/codec.h"

namespace sy::protocols::openai_wire {

inline constexpr std::string_view kProtocol = "openai_chat";

// "stop" → EndTurn, "length" → MaxTokens, "tool_calls"/"function_call" → ToolUse,
// "content_filter" → ContentFilter, anything else → Other.
model::FinishReason finish_from_wire(std::string_view reason);
// The inverse; EndTurn, StopSequence, Other and Unset all render as "stop".
const char* finish_to_wire(model::FinishReason reason);

// Reads an OpenAI usage object (prompt/completion tokens and their details).
void read_usage(simdjson::dom::element usage, model::Usage& out);
// Writes `"usage":{…}` with total_tokens and the cached/reasoning details.
void write_usage(json::Writer& w, const model::Usage& usage);

// openai_request.cc / openai_request_encode.cc
Result<model::Request> decode_request(std::string_view body);
Result<std::string> encode_request(const model::Request& req, std::string_view upstream_model);
// openai_response.cc
Result<model::Response> decode_response(std::string_view body);
std::string encode_response(const model::Response& resp);
// openai_stream.cc
std::unique_ptr<StreamDecoder> make_stream_decoder();
std::unique_ptr<StreamEncoder> make_stream_encoder(const StreamOptions& options);

}  // namespace sy::protocols::openai_wire
