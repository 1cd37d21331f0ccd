// The Gemini API wire format (POST /v1beta/models/{model}:generateContent and
// :streamGenerateContent?alt=sse): request parsing, the GenerateContentResponse, a stream of
// `data:` events each holding a whole GenerateContentResponse, and the
// {"error":{"code","message","status"}} envelope. The Wire itself is gemini_wire() (wire.h).
// Pure logic, no I/O; thread-safe.
#pragma once

#include <expected>
#include <string_view>

#include "chat_request.h"

namespace sy::sim {

// Parses and validates a generateContent request for `model` (from the URL): `contents` is
// required (turns of role user/model with parts: text, inlineData, functionCall,
// functionResponse, ...); `systemInstruction`, `tools[].functionDeclarations`,
// `toolConfig.functionCallingConfig.mode` and `generationConfig.maxOutputTokens` are read.
// Field names are accepted in lowerCamelCase or snake_case, as the API does; unknown top-level
// fields are refused, as the API does. A turn holding functionResponse parts is a tool result.
std::expected<ChatRequest, ApiError> parse_gemini_request(std::string_view body,
                                                          std::string_view model, bool stream);

// The google.rpc status name for an HTTP status (429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, ...).
std::string_view gemini_status(int status);

}  // namespace sy::sim
