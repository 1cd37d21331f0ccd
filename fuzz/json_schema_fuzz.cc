// Fuzzes JsonSchema: the input is a schema, then a line "---", then an instance (no such
// line: the input is both). Whatever compiles must validate without crashing, within its
// limits, and consistently: accepts() agrees with validate(), validation is repeatable,
// errors are capped and their locations are JSON Pointers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_schema.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view schema_text = input, instance = input;
  if (const size_t cut = input.find("\n---\n"); cut != std::string_view::npos) {
    schema_text = input.substr(0, cut);
    instance = input.substr(cut + 5);
  }
  auto schema = sy::JsonSchema::compile(schema_text);
  if (!schema) {
    FUZZ_CHECK(!schema.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(schema->source() == schema_text);
  const auto errors = schema->validate(instance);
  FUZZ_CHECK(errors.size() <= sy::JsonSchema::kMaxErrors);
  FUZZ_CHECK(schema->accepts(instance) == errors.empty());
  FUZZ_CHECK(schema->validate(instance) == errors);
  for (const sy::SchemaError& e : errors) {
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK(e.instance_location.empty() || e.instance_location[0] == '/');
    FUZZ_CHECK(e.keyword_location.empty() || e.keyword_location[0] == '/');
  }
  FUZZ_CHECK(!sy::describe(errors).empty() || errors.empty());
  return 0;
}
