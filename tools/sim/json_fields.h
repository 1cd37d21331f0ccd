// Small JSON helpers every wire format shares: reading optional fields of a parsed request,
// naming a value's JSON type in error messages, and writing response JSON. Pure, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace sy::sim {

// A field that may be absent or null; returns nullptr in both cases.
inline const nlohmann::json* optional_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// "an object", "a string", ... for error messages.
inline std::string describe_json_type(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::null:
      return "null";
    case Type::object:
      return "an object";
    case Type::array:
      return "an array";
    case Type::string:
      return "a string";
    case Type::boolean:
      return "a boolean";
    case Type::number_integer:
    case Type::number_unsigned:
      return "an integer";
    default:
      return "a decimal";
  }
}

// Compact JSON text; invalid UTF-8 is replaced rather than thrown on.
inline std::string dump_json(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// A tool call's arguments text as a JSON value, keeping its key order (so that dumping it gives
// the same text back); an object when the text is not JSON.
inline nlohmann::ordered_json tool_input(const std::string& arguments) {
  auto value = nlohmann::ordered_json::parse(arguments, nullptr, false);
  return value.is_discarded() ? nlohmann::ordered_json::object() : value;
}

}  // namespace sy::sim
