// The OpenAI Chat Completions codec (https://platform.openai.com/docs/api-reference/chat).
// Pure functions, no I/O: decode a client's request into the canonical model, encode
// a canonical request for an OpenAI-compatible upstream, read usage from responses and
// stream chunks, render errors in OpenAI's envelope. Thread-safe (per-thread parsers).
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "model/chat.h"

namespace sy::protocols::openai_chat {

// Decodes and validates a request body. Takes ownership of `body`, which is kept as
// ChatRequest::raw_body for same-protocol forwarding.
Result<model::ChatRequest> decode_request(std::string body);

// The body to send to an OpenAI-compatible upstream for `req`, with the model replaced
// by `upstream_model`. Streaming requests always ask for usage (stream_options), so
// the gateway can meter them; see StreamChunk::usage_only to hide what the client did
// not ask for.
std::string encode_request(const model::ChatRequest& req, std::string_view upstream_model);

// Reads usage from a non-streaming response body and checks it is a JSON object.
Result<model::Usage> decode_response_usage(std::string_view body);

// What the gateway needs to know about one stream chunk (the data of one SSE event).
struct StreamChunk {
  bool done = false;        // the "[DONE]" sentinel
  bool usage_only = false;  // a chunk with no choices that only carries usage
  bool is_error = false;    // an {"error": ...} event from the upstream
  // Carries nothing yet: only the assistant role and/or empty content, no finish
  // reason. A gateway may hold such chunks back until real output arrives, so that a
  // failure right after them can still fall back invisibly.
  bool preamble = false;
  model::Usage usage;       // filled when the chunk carries usage
};
// Validates one chunk. `data` must be followed by readable memory up to `capacity`
// bytes from its start (simdjson padding); pass data.size() + 64 or more.
Result<StreamChunk> inspect_stream_chunk(std::string_view data, size_t capacity);

// OpenAI's error envelope: {"error":{"message","type","param","code"}}.
std::string encode_error(const Error& error);
// The message of an OpenAI-shaped error body, or the body itself (shortened).
std::string decode_error_message(std::string_view body);

}  // namespace sy::protocols::openai_chat
