// Pieces shared by the embeddings translators (protocols/embeddings.h), private to
// sy_protocols: reading a provider's vector out of a simdjson DOM with errors that name
// the field, writing floats in their shortest round-trip form, the checks every
// non-OpenAI target makes. Thread-safe (one DOM parser per thread).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json_writer.h"
#include "model/embeddings.h"

namespace sy::protocols::embeddings::detail {

// UpstreamError "<message>".
std::unexpected<Error> upstream(std::string message);

// Parses a provider's answer (copied into padded storage by simdjson) into the calling
// thread's parser; the element is valid until that thread's next parse_answer.
Result<simdjson::dom::element> parse_answer(std::string_view body);

// `param` + "[" + i + "]".
std::string indexed(std::string_view param, size_t i);

// A JSON array of numbers, each within float32 range, appended to `out`.
Result<void> read_vector(simdjson::dom::element e, const std::string& param,
                         std::vector<float>& out);

// [f, f, …]: each float in its shortest round-trip text (std::to_chars), -0 as "-0.0"
// (a reader would take "-0" for the integer 0), null when not finite.
void write_vector(json::Writer& w, const std::vector<float>& v);

// What every target but OpenAI refuses: token-array inputs and unknown top-level keys.
Result<void> check_translatable(const model::EmbeddingRequest& req, std::string_view protocol);

// Fails unless the answer carries `expected` vectors.
Result<void> check_count(size_t got, size_t expected, std::string_view what);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

}  // namespace sy::protocols::embeddings::detail
