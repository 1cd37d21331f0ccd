// Internal to the Gemini codec: the pieces of Gemini's wire shapes that requests,
// responses and stream chunks share — blobs and images, function calls and responses,
// finish reasons, usage metadata, and one GenerateContentResponse (a whole response or
// one stream chunk) read into a flat view. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "model/canonical.h"
#include "protocols/gemini_json.h"

namespace sy::protocols::gemini_wire {

// inlineData {mimeType, data} or fileData {mimeType, fileUri} → an Image (base64 or URL).
Result<model::Image> decode_blob(const gemini_json::Reader& rd, gemini_json::od::value& v,
                                 const std::string& path, bool inline_data);
// Writes the "inlineData" or "fileData" member of a part for `image` (base64 and data:
// URLs inline; gs:// and Gemini Files API URIs as fileData); other URLs are unsupported.
Result<void> encode_image(const model::Image& image, const std::string& path, json::Writer& w);

// functionCall {name, args, id?} → ToolUse (arguments verbatim, "{}" when absent; id
// empty when the wire has none).
Result<model::ToolUse> decode_function_call(const gemini_json::Reader& rd,
                                            gemini_json::od::value& v, const std::string& path);
// Writes the args object: `arguments` verbatim ("" → {}); fails (with `kind`) when it is
// not a JSON object.
Result<void> write_args(std::string_view arguments, const std::string& path, ErrorKind kind,
                        json::Writer& w);
// functionResponse.response ⇄ ToolResult: {"result": text} / {"error": text} wrap a text,
// any other object is the text itself.
void write_tool_response(const model::ToolResult& result, json::Writer& w);
model::ToolResult tool_result_from_response(std::string tool_use_id, std::string_view response);

// finishReason ⇄ FinishReason (STOP with function calls is ToolUse).
model::FinishReason decode_finish(std::string_view reason, bool has_tool_calls);
const char* encode_finish(model::FinishReason reason);

Result<model::Usage> decode_usage(const gemini_json::Reader& rd, gemini_json::od::value& v,
                                  const std::string& path);
void write_usage(const model::Usage& usage, json::Writer& w);  // the usageMetadata object

// One GenerateContentResponse: a whole response or one streamed chunk.
struct Chunk {
  std::string id;                  // responseId
  std::string model;               // modelVersion
  std::vector<model::Part> parts;  // candidates[0].content.parts, decoded
  std::string finish_reason;       // candidates[0].finishReason ("" when absent)
  std::string block_reason;        // promptFeedback.blockReason ("" when absent)
  bool has_candidates = false;
  bool has_usage = false;
  model::Usage usage;
  bool is_error = false;  // an {"error": {...}} body
  std::string error_message, error_status;
};
// Reads `body`; function calls without an id get "call_<next_call++>". Errors are
// UpstreamError naming the field.
Result<Chunk> decode_chunk(std::string_view body, size_t& next_call);

// Google's canonical status name for an error kind ("INVALID_ARGUMENT", …).
const char* status_name(ErrorKind kind);

}  // namespace sy::protocols::gemini_wire
