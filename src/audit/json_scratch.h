// parse_json(): parses one JSON text with this thread's simdjson DOM parser, copying it
// into a reused buffer with the padding simdjson reads past the end of its input. The
// returned element lives until this thread's next parse_json() call. Thread-safe (one
// parser per thread); never use a result across a suspension point.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace sy::audit {

simdjson::simdjson_result<simdjson::dom::element> parse_json(std::string_view text);

}  // namespace sy::audit
