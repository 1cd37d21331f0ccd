// The seam between the simulator's wire-neutral work (validating, planning the reply, timing,
// faults) and one provider's wire format: how a request body is read, and how a whole answer,
// a stream and an error are written. One implementation per format (openai_wire.h,
// anthropic_wire.h, gemini_wire.h, bedrock_wire.h). Implementations are stateless, pure logic
// with no I/O: thread-safe, and shared as `const Wire&` for the life of the process.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat_request.h"
#include "responder.h"

namespace sy::sim {

// Identity shared by the body or every event of one response.
struct ResponseMeta {
  std::string id;  // the format's response id ("chatcmpl-...", "msg_...", ...)
  int64_t created = 0;
  std::string model;
  bool include_usage = false;  // OpenAI stream_options.include_usage
  int64_t latency_ms = 0;      // time from the request to the answer (Bedrock `metrics`)
};

// An error response as it goes on the wire.
struct ErrorAnswer {
  int status = 400;
  std::vector<std::pair<std::string, std::string>> headers;  // content-type first
  std::string body;
};

class Wire {
 public:
  virtual ~Wire() = default;

  virtual std::string_view name() const = 0;

  // Parses and validates a request body. `path_model` is the model named by the URL (Azure
  // deployment, Gemini model, Bedrock model id); `path_stream` is whether the URL asks for a
  // stream (Gemini, Bedrock), else the body's own field decides.
  virtual std::expected<ChatRequest, ApiError> parse(std::string_view body,
                                                     std::optional<std::string_view> path_model,
                                                     bool path_stream) const = 0;

  virtual std::string_view response_id_prefix() const = 0;  // "" when the format has none
  virtual std::string_view tool_id_prefix() const = 0;

  // The error for a model the simulator does not serve.
  virtual ApiError unknown_model(std::string_view model) const = 0;
  // Renders an error; its type comes from `error.wire_type` when set, else from the status.
  virtual ErrorAnswer error(const ApiError& error) const = 0;

  virtual std::string whole(const ResponseMeta& meta, const Reply& reply) const = 0;
  // A 200 body for the `malformed` fault: the start of an answer, cut off mid-JSON.
  virtual std::string malformed_whole(const ResponseMeta& meta) const = 0;

  // Streams: the head goes out at the first token's time (may be empty), then each piece, then
  // the finish (every closing event). Each returns the bytes of one write.
  virtual std::string_view stream_content_type() const = 0;
  // Number of pieces the stream of `reply` carries (the pace and `cut_after` count them).
  virtual size_t piece_count(const Reply& reply) const { return reply.piece_count(); }
  virtual std::string stream_head(const ResponseMeta& meta, const Reply& reply) const = 0;
  virtual std::string stream_piece(const ResponseMeta& meta, const Reply& reply,
                                   size_t index) const = 0;
  virtual std::string stream_finish(const ResponseMeta& meta, const Reply& reply) const = 0;
  // For the `malformed` fault: an event whose payload is not JSON, then the closing event.
  virtual std::string stream_malformed(const ResponseMeta& meta) const = 0;
  // For the `error_after` fault: the format's in-stream error; the stream ends after it.
  virtual std::string stream_error(const ResponseMeta& meta, const ApiError& error) const = 0;
};

const Wire& openai_wire();
const Wire& anthropic_wire();
const Wire& gemini_wire();
const Wire& bedrock_wire();

}  // namespace sy::sim
