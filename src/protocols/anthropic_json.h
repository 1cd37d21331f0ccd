// Internal to the Anthropic codec: the stop-reason table, usage and content-block
// reading and writing shared by the request, response and stream halves (the typed JSON
// reads they use are protocols/json_read.h). Not a public interface.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json_writer.h"
#include "model/canonical.h"
#include "protocols/json_read.h"

namespace sy::protocols::anthropic {

namespace od = simdjson::ondemand;

// Anthropic's stop_reason for a canonical finish ("end_turn" for Unset and Other).
const char* stop_reason_name(model::FinishReason r);
model::FinishReason finish_from_stop_reason(std::string_view s);

// Writes `content` blocks (text, tool_use, thinking, redacted_thinking) of a response.
// Fails when a tool call's arguments are not a JSON object.
Result<void> write_content_block(json::Writer& w, const model::Part& part, size_t index);

// Reads an Anthropic usage object into `usage` (see anthropic_response.cc for the
// mapping); the input side is kept when the object carries only output_tokens.
Result<void> read_usage(od::value v, const std::string& path, model::Usage& usage);
// Writes "usage":{input_tokens, output_tokens, cache_read_input_tokens when non-zero}.
void write_usage(json::Writer& w, const model::Usage& usage);

// "msg_" + 24 random characters.
std::string new_message_id();

}  // namespace sy::protocols::anthropic
