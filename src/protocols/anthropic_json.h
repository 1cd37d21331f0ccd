// Internal to the Anthropic codec: typed reads of simdjson on-demand values that fail
// with an Error naming the field (`messages[2].content[0].type: expected a string`), and
// the writers shared by the request, response and stream halves. `kind` is
// InvalidRequest when reading a client's request, UpstreamError for a provider's answer.
// Not a public interface.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json_writer.h"
#include "model/canonical.h"

namespace sy::protocols::anthropic {

namespace od = simdjson::ondemand;

std::unexpected<Error> bad(ErrorKind kind, const std::string& path, std::string_view what);
std::unexpected<Error> malformed(ErrorKind kind, simdjson::error_code ec);

// The JSON type of `v`, or a syntax error.
Result<od::json_type> type_of(od::value& v, ErrorKind kind);
Result<std::string_view> read_string(od::value v, const std::string& path, ErrorKind kind);
Result<bool> read_bool(od::value v, const std::string& path, ErrorKind kind);
Result<uint32_t> read_count(od::value v, const std::string& path, ErrorKind kind);  // >= 0
Result<double> read_number(od::value v, const std::string& path, ErrorKind kind);
Result<od::object> read_object(od::value v, const std::string& path, ErrorKind kind);
Result<od::array> read_array(od::value v, const std::string& path, ErrorKind kind);
// The object's JSON text, verbatim, without trailing whitespace.
Result<std::string_view> object_text(od::value v, const std::string& path, ErrorKind kind);

// Whether `text` is one complete JSON object (for tool inputs that must be objects).
// On failure, `why` says what is wrong.
bool is_json_object(std::string_view text, std::string& why);
// `text` without leading and trailing JSON whitespace.
std::string_view trim_json(std::string_view text);

// A copy of `text` with simdjson's padding after it.
std::string padded_copy(std::string_view text);

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
