// Internal to the Bedrock Converse codec: the stop-reason table, usage and response
// content-block reading/writing shared by the response and stream halves. Not a public
// interface. Reads fail with UpstreamError naming the field.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json_writer.h"
#include "model/canonical.h"

namespace sy::protocols::bedrock {

// end_turn, tool_use, max_tokens, stop_sequence; guardrail_intervened and
// content_filtered → ContentFilter; anything else → Other.
model::FinishReason finish_from_stop_reason(std::string_view s);
// The stopReason for a canonical finish ("end_turn" for Unset and Other,
// "content_filtered" for ContentFilter).
const char* stop_reason_name(model::FinishReason r);

// Reads a Converse usage object (inputTokens, outputTokens, cacheReadInputTokens,
// cacheWriteInputTokens) into `usage`; see bedrock_response.cc for the mapping.
Result<void> read_usage(simdjson::ondemand::value v, const std::string& path, model::Usage& usage);
// Writes "usage":{inputTokens, outputTokens, totalTokens, cacheReadInputTokens when non-zero}.
void write_usage(json::Writer& w, const model::Usage& usage);

// Writes one output content block (text, toolUse, reasoningContent). Fails when a tool
// call's arguments are not a JSON object, or for parts a response cannot hold.
Result<void> write_block(json::Writer& w, const model::Part& part, size_t index);

}  // namespace sy::protocols::bedrock
