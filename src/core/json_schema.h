// JsonSchema: a compiled JSON Schema (a draft 2020-12 subset, docs/json-schema.md) that
// checks JSON texts, e.g. a model's output against the schema a request or a workflow
// step asked for. Compile once (JsonSchema::compile parses the schema, resolves local
// `$ref`s, compiles every `pattern` with PCRE2 and rejects what it does not support, so
// validation never silently skips a keyword); then validate many.
//
// A JsonSchema is an immutable value: copies share one compiled form, and validate() may
// be called from any number of threads at once. Errors are meant to be read by people and
// by models (they go back to a model as repair instructions): each names where in the
// instance (a JSON Pointer), which schema keyword, and what was expected.
//
// Limits against hostile input: schemas nest at most kMaxSchemaDepth levels, instances at
// most kMaxInstanceDepth; validation does at most a bounded amount of work (anyOf over
// anyOf over ... cannot take exponential time): past it, one error says so.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sy {

namespace json_schema_detail {
struct Compiled;
}

// One reason an instance does not conform.
struct SchemaError {
  std::string instance_location;  // JSON Pointer into the instance: "" (the root), "/items/2/price"
  std::string keyword_location;   // JSON Pointer into the schema document to the failing
                                  // keyword: "/properties/items/items/properties/price/type"
  std::string message;            // "expected number, got string \"12.50\""

  friend bool operator==(const SchemaError&, const SchemaError&) = default;
};

class JsonSchema {
 public:
  static constexpr std::size_t kMaxSchemaDepth = 128;    // JSON nesting of the schema text
  static constexpr std::size_t kMaxInstanceDepth = 256;  // JSON nesting of a validated text
  static constexpr std::size_t kMaxErrors = 64;          // errors reported per validation

  // Parses and compiles `schema_json` (a JSON object or boolean). Fails with an
  // InvalidRequest error naming the schema location and the keyword: invalid JSON, a
  // keyword with a value of the wrong kind, an unsupported keyword, a `$ref` that is not
  // local or points nowhere, a `$ref` loop that consumes no input, a bad `pattern`.
  static Result<JsonSchema> compile(std::string_view schema_json);

  // Every way `instance_json` fails the schema (at most kMaxErrors); empty when it
  // conforms. Text that is not JSON (or nests too deep) is one error at location "".
  std::vector<SchemaError> validate(std::string_view instance_json) const;

  // Whether `instance_json` conforms; stops at the first failure.
  bool accepts(std::string_view instance_json) const;

  // The schema text it was compiled from.
  const std::string& source() const;

 private:
  explicit JsonSchema(std::shared_ptr<const json_schema_detail::Compiled> compiled)
      : compiled_(std::move(compiled)) {}

  std::shared_ptr<const json_schema_detail::Compiled> compiled_;
};

// The errors as a list a model can act on, one per line:
//   "- at /items/2/price: expected number, got string \"12.50\""   ("at the top level" for "").
std::string describe(const std::vector<SchemaError>& errors);

}  // namespace sy
