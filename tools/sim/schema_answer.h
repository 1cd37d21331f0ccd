// What the simulator answers when a request asks for JSON conforming to a schema: OpenAI's
// `response_format: {"type": "json_schema", "json_schema": {"schema": …}}`, or a last
// user message ending with "…conforms to this JSON Schema:" followed by the schema (how
// a workflow `llm` step with an `output_schema` asks, docs/workflows.md).
// A real model reads the schema and answers with a value that fits it; the simulator
// generates one: deterministic in (model, prompt), every required and optional property
// present, enum and const values chosen from the schema, numbers inside their bounds,
// arrays within minItems/maxItems, strings of plain words within minLength/maxLength.
// A `pattern` is not solved for: the value is the first of a few common shapes (a date,
// a time stamp, digits, a code, an e-mail address, a URL) that matches it, else words; a
// `format` of date or date-time gets a date. Pure logic, no I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chat_request.h"

namespace sy::sim {

// The schema the request asks its answer to conform to (JSON text), if any.
std::optional<std::string> requested_schema(const ChatRequest& request);

// A JSON text conforming to `schema_json` (see above); nullopt when it is not a JSON
// object or boolean.
std::optional<std::string> answer_for_schema(std::string_view schema_json, std::string_view model,
                                             std::string_view prompt);

}  // namespace sy::sim
