// The Amazon Bedrock Converse wire format (POST /model/{modelId}/converse and
// /model/{modelId}/converse-stream): request parsing, the Converse response, a ConverseStream
// as AWS event-stream binary messages (event_stream.h), and errors as {"message"} with the
// error type in the `x-amzn-ErrorType` header (or, inside a stream, an exception message). The
// Wire itself is bedrock_wire() (wire.h). Pure logic, no I/O; thread-safe.
#pragma once

#include <expected>
#include <string_view>

#include "chat_request.h"

namespace sy::sim {

// Parses and validates a Converse request for `model` (from the URL): `messages` is required
// (user/assistant turns, starting with user, whose `content` is a list of blocks: text, image,
// document, toolUse, toolResult, ...); `system`, `inferenceConfig.maxTokens` and
// `toolConfig.tools[].toolSpec` are read. A turn holding toolResult blocks is a tool result.
std::expected<ChatRequest, ApiError> parse_bedrock_request(std::string_view body,
                                                           std::string_view model, bool stream);

// The exception name for an HTTP status (429 ThrottlingException, 400 ValidationException, ...).
std::string_view bedrock_error_type(int status);

}  // namespace sy::sim
