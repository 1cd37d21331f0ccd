// The compiled form of a JsonSchema (internal to json_schema*.cc): every subschema of the
// document is one SchemaNode in a flat vector, children referred to by index, `$ref`
// resolved to the index of its target. The parsed schema document is kept alive so that
// `enum` and `const` values are compared in place. Immutable once built; shared by every
// copy of the JsonSchema and read by any number of threads.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ecma_regex.h"

namespace sy::json_schema_detail {

// Instance kinds as bits; an integer-valued number has both Number and Integer.
enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kNumber = 16,
  kInteger = 32,
  kString = 64,
};

constexpr int kNone = -1;  // no subschema for this keyword

struct SchemaNode {
  enum class Kind { True, False, Object };
  Kind kind = Kind::Object;
  std::string location;  // JSON Pointer of this schema in the document ("" = root)

  int ref = kNone;
  uint8_t types = 0;  // 0: any type
  std::optional<simdjson::dom::element> const_value;
  std::optional<std::vector<simdjson::dom::element>> enum_values;

  // Numbers.
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;
  // Strings (lengths in code points).
  std::optional<uint64_t> min_length, max_length;
  int pattern = kNone;  // index into Compiled::regexes
  // Arrays.
  std::vector<int> prefix_items;
  int items = kNone;
  int contains = kNone;
  std::optional<uint64_t> min_contains, max_contains, min_items, max_items;
  bool unique_items = false;
  // Objects.
  std::vector<std::pair<std::string, int>> properties;  // sorted by name
  std::vector<std::pair<int, int>> pattern_properties;  // (regex index, subschema)
  int additional_properties = kNone;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, int>> dependent_schemas;
  std::optional<uint64_t> min_properties, max_properties;
  // Applicators on the same instance.
  std::vector<int> all_of, any_of, one_of;
  int not_schema = kNone;
  int if_schema = kNone, then_schema = kNone, else_schema = kNone;
};

struct Compiled {
  std::string source;
  simdjson::dom::document document;  // owns the tape `enum`/`const` elements point into
  std::vector<SchemaNode> nodes;     // nodes[0] is the root
  std::vector<EcmaRegex> regexes;
};

// Element accessors for an element already known to be of that type. They return by
// value: a range-for over `e.get_array().value_unsafe()` would iterate a dead temporary.
inline simdjson::dom::array as_array(simdjson::dom::element e) {
  simdjson::dom::array a;
  [[maybe_unused]] const auto error = e.get_array().get(a);
  return a;
}
inline simdjson::dom::object as_object(simdjson::dom::element e) {
  simdjson::dom::object o;
  [[maybe_unused]] const auto error = e.get_object().get(o);
  return o;
}
inline std::string_view as_string(simdjson::dom::element e) {
  std::string_view s;
  [[maybe_unused]] const auto error = e.get_string().get(s);
  return s;
}

// The instance kind bits of a JSON value (1.0 is an integer, as the spec says).
uint8_t type_bits(simdjson::dom::element value);

// "object", "array", "string", "number", "integer", "boolean", "null".
const char* kind_name(simdjson::dom::element value);

// `token` escaped for a JSON Pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_token(std::string_view token);

}  // namespace sy::json_schema_detail
