// The Anthropic Messages wire format (POST /v1/messages): request parsing, the whole `message`
// response, the named server-sent events of a stream (message_start, content_block_start, ping,
// content_block_delta, content_block_stop, message_delta, message_stop, error) and the
// {"type":"error","error":{"type","message"}} envelope. The Wire itself is anthropic_wire()
// (wire.h). Pure logic, no I/O; thread-safe.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "chat_request.h"

namespace sy::sim {

// Parses and validates a Messages request: `model`, `max_tokens` (required, >= 1) and
// `messages` (user/assistant turns of a string or content blocks: text, image, tool_use,
// tool_result, ...) are required; `system` (string or text blocks), `tools`, `tool_choice` and
// `stream` are read. A user turn holding tool_result blocks is a tool result.
std::expected<ChatRequest, ApiError> parse_anthropic_request(std::string_view body);

// The error type Anthropic uses for an HTTP status (429 rate_limit_error, 529
// overloaded_error, ...).
std::string_view anthropic_error_type(int status);

}  // namespace sy::sim
