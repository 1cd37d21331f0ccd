#include "audit/json_scratch.h"

#include <string>

namespace sy::audit {

simdjson::simdjson_result<simdjson::dom::element> parse_json(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string buffer;
  buffer.assign(text);
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  return parser.parse(buffer.data(), text.size(), false);
}

}  // namespace sy::audit
