// JsonSchema::compile: the schema document to a flat vector of SchemaNodes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

#include "core/json_schema.h"
#include "core/json_schema_compiled.h"

namespace sy {
namespace json_schema_detail {

uint8_t type_bits(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::NULL_VALUE:
      return kNull;
    case element_type::BOOL:
      return kBoolean;
    case element_type::OBJECT:
      return kObject;
    case element_type::ARRAY:
      return kArray;
    case element_type::STRING:
      return kString;
    case element_type::INT64:
    case element_type::UINT64:
      return kNumber | kInteger;
    case element_type::DOUBLE: {
      const double d = value.get_double().value_unsafe();
      return std::isfinite(d) && std::floor(d) == d ? (kNumber | kInteger) : kNumber;
    }
  }
  return 0;
}

const char* kind_name(simdjson::dom::element value) {
  const uint8_t bits = type_bits(value);
  if (bits & kInteger) return "integer";
  if (bits & kNumber) return "number";
  if (bits & kString) return "string";
  if (bits & kObject) return "object";
  if (bits & kArray) return "array";
  if (bits & kBoolean) return "boolean";
  return "null";
}

std::string pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kMetaSchema = "https://json-schema.org/draft/2020-12/schema";

// Keywords that only annotate: accepted anywhere and not checked. `format` is an
// annotation in 2020-12 unless a format-assertion vocabulary is in use, which we do not
// offer; `definitions` is the pre-2019 name of `$defs` (its schemas are compiled too).
constexpr std::string_view kAnnotations[] = {
    "title",    "description", "$comment", "default",         "examples",         "deprecated",
    "readOnly", "writeOnly",   "format",   "contentEncoding", "contentMediaType", "contentSchema"};

bool is_annotation(std::string_view keyword) {
  if (keyword.starts_with("x-")) return true;  // vendor extensions (OpenAPI style)
  return std::find(std::begin(kAnnotations), std::end(kAnnotations), keyword) !=
         std::end(kAnnotations);
}

std::string percent_decode(std::string_view s, bool& ok) {
  std::string out;
  ok = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (i + 2 >= s.size()) {
      ok = false;
      return out;
    }
    const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) {
      ok = false;
      return out;
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

class Compiler {
 public:
  explicit Compiler(json_schema_detail::Compiled& out) : out_(out) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }

  int compile(element schema, const std::string& location, bool root);
  void resolve_refs();
  void check_ref_loops();

 private:
  using Node = json_schema_detail::SchemaNode;

  void bad(const std::string& location, std::string_view what) {
    if (error_) return;
    error_ = Error::make(ErrorKind::InvalidRequest,
                         fmt::format("invalid JSON schema at {}: {}",
                                     location.empty() ? "the root" : location, what),
                         location, "invalid_json_schema");
  }
  void unsupported(const std::string& location, std::string_view keyword, std::string_view why) {
    if (error_) return;
    error_ = Error::make(ErrorKind::InvalidRequest,
                         fmt::format("JSON schema keyword \"{}\" at {} is not supported{}", keyword,
                                     location.empty() ? "the root" : location, why),
                         location, "unsupported_json_schema_keyword");
  }

  void keyword(int n, std::string_view key, element value, const std::string& loc,
               const std::string& where, bool root);
  int subschema(element value, const std::string& where) { return compile(value, where, false); }
  void schema_list(element value, const std::string& where, std::vector<int>& out);
  void schema_map(element value, const std::string& where,
                  std::vector<std::pair<std::string, int>>* out);
  std::optional<double> number(element value, const std::string& where);
  std::optional<uint64_t> count(element value, const std::string& where);
  int regex(std::string_view pattern, const std::string& where);
  uint8_t type_name_bit(std::string_view name, const std::string& where);

  json_schema_detail::Compiled& out_;
  std::optional<Error> error_;
  std::map<std::string, int, std::less<>> by_location_;
  std::vector<std::pair<int, std::string>> refs_;  // (node, "$ref" value) to resolve
  std::vector<std::string> ref_locations_;         // where each of refs_ was written
};

int Compiler::compile(element schema, const std::string& location, bool root) {
  if (error_) return json_schema_detail::kNone;
  const int n = static_cast<int>(out_.nodes.size());
  out_.nodes.emplace_back();
  out_.nodes[n].location = location;
  by_location_.emplace(location, n);
  if (schema.type() == element_type::BOOL) {
    out_.nodes[n].kind = schema.get_bool().value_unsafe() ? Node::Kind::True : Node::Kind::False;
    return n;
  }
  if (schema.type() != element_type::OBJECT) {
    bad(location, fmt::format("a schema must be an object or a boolean, got {}",
                              json_schema_detail::kind_name(schema)));
    return n;
  }
  for (auto [key, value] : as_object(schema)) {
    keyword(n, key, value, location, location + "/" + json_schema_detail::pointer_token(key), root);
    if (error_) break;
  }
  // minContains/maxContains without contains are ignored by the spec; keep that.
  return n;
}

void Compiler::keyword(int n, std::string_view key, element value, const std::string& loc,
                       const std::string& where, bool root) {
  auto node = [&]() -> Node& { return out_.nodes[n]; };  // the vector grows while compiling
  if (key == "type") {
    uint8_t bits = 0;
    if (value.type() == element_type::STRING) {
      bits = type_name_bit(as_string(value), where);
    } else if (value.type() == element_type::ARRAY && as_array(value).size() > 0) {
      for (element t : as_array(value)) {
        if (t.type() != element_type::STRING) return bad(where, "expected type names");
        bits |= type_name_bit(as_string(t), where);
      }
    } else {
      return bad(where, "expected a type name or a non-empty array of type names");
    }
    // "number" admits integers too.
    node().types =
        (bits & json_schema_detail::kNumber) ? (bits | json_schema_detail::kInteger) : bits;
  } else if (key == "enum") {
    if (value.type() != element_type::ARRAY) return bad(where, "expected an array");
    std::vector<element> values;
    for (element v : as_array(value)) values.push_back(v);
    node().enum_values = std::move(values);
  } else if (key == "const") {
    node().const_value = value;
  } else if (key == "properties") {
    std::vector<std::pair<std::string, int>> props;
    schema_map(value, where, &props);
    std::sort(props.begin(), props.end());
    node().properties = std::move(props);
  } else if (key == "patternProperties") {
    if (value.type() != element_type::OBJECT) return bad(where, "expected an object of schemas");
    for (auto [pattern, sub] : as_object(value)) {
      const std::string at = where + "/" + json_schema_detail::pointer_token(pattern);
      const int re = regex(pattern, at);
      const int s = subschema(sub, at);
      if (error_) return;
      node().pattern_properties.emplace_back(re, s);
    }
  } else if (key == "additionalProperties") {
    const int s = subschema(value, where);
    node().additional_properties = s;
  } else if (key == "required") {
    if (value.type() != element_type::ARRAY) return bad(where, "expected an array of strings");
    for (element name : as_array(value)) {
      if (name.type() != element_type::STRING) return bad(where, "expected an array of strings");
      node().required.emplace_back(as_string(name));
    }
  } else if (key == "dependentRequired") {
    if (value.type() != element_type::OBJECT) return bad(where, "expected an object");
    for (auto [prop, names] : as_object(value)) {
      std::vector<std::string> list;
      if (names.type() != element_type::ARRAY) return bad(where, "expected arrays of strings");
      for (element name : as_array(names)) {
        if (name.type() != element_type::STRING) return bad(where, "expected arrays of strings");
        list.emplace_back(as_string(name));
      }
      node().dependent_required.emplace_back(std::string(prop), std::move(list));
    }
  } else if (key == "dependentSchemas") {
    std::vector<std::pair<std::string, int>> deps;
    schema_map(value, where, &deps);
    node().dependent_schemas = std::move(deps);
  } else if (key == "minProperties") {
    node().min_properties = count(value, where);
  } else if (key == "maxProperties") {
    node().max_properties = count(value, where);
  } else if (key == "items") {
    if (value.type() == element_type::ARRAY) {
      return bad(where,
                 "expected a schema (draft 2020-12 replaced the array form of items with "
                 "prefixItems)");
    }
    const int s = subschema(value, where);
    node().items = s;
  } else if (key == "prefixItems") {
    std::vector<int> list;
    schema_list(value, where, list);
    node().prefix_items = std::move(list);
  } else if (key == "contains") {
    const int s = subschema(value, where);
    node().contains = s;
  } else if (key == "minContains") {
    node().min_contains = count(value, where);
  } else if (key == "maxContains") {
    node().max_contains = count(value, where);
  } else if (key == "minItems") {
    node().min_items = count(value, where);
  } else if (key == "maxItems") {
    node().max_items = count(value, where);
  } else if (key == "uniqueItems") {
    if (value.type() != element_type::BOOL) return bad(where, "expected a boolean");
    node().unique_items = value.get_bool().value_unsafe();
  } else if (key == "minLength") {
    node().min_length = count(value, where);
  } else if (key == "maxLength") {
    node().max_length = count(value, where);
  } else if (key == "pattern") {
    if (value.type() != element_type::STRING) return bad(where, "expected a string");
    const int re = regex(as_string(value), where);
    node().pattern = re;
  } else if (key == "minimum") {
    node().minimum = number(value, where);
  } else if (key == "maximum") {
    node().maximum = number(value, where);
  } else if (key == "exclusiveMinimum") {
    node().exclusive_minimum = number(value, where);
  } else if (key == "exclusiveMaximum") {
    node().exclusive_maximum = number(value, where);
  } else if (key == "multipleOf") {
    const auto m = number(value, where);
    if (m && !(*m > 0)) return bad(where, "expected a number greater than 0");
    node().multiple_of = m;
  } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
    std::vector<int> list;
    schema_list(value, where, list);
    if (!error_ && list.empty()) return bad(where, "expected a non-empty array of schemas");
    (key == "allOf"   ? node().all_of
     : key == "anyOf" ? node().any_of
                      : node().one_of) = std::move(list);
  } else if (key == "not") {
    const int s = subschema(value, where);
    node().not_schema = s;
  } else if (key == "if") {
    const int s = subschema(value, where);
    node().if_schema = s;
  } else if (key == "then") {
    const int s = subschema(value, where);
    node().then_schema = s;
  } else if (key == "else") {
    const int s = subschema(value, where);
    node().else_schema = s;
  } else if (key == "$ref") {
    if (value.type() != element_type::STRING) return bad(where, "expected a string");
    refs_.emplace_back(n, std::string(as_string(value)));
    ref_locations_.push_back(where);
  } else if (key == "$defs" || key == "definitions") {
    schema_map(value, where, nullptr);  // compiled for their errors and as $ref targets
  } else if (key == "$schema") {
    if (!root) return unsupported(loc, key, " below the root of a schema");
    if (value.type() != element_type::STRING) return bad(where, "expected a string");
    std::string_view uri = as_string(value);
    if (uri.ends_with('#')) uri.remove_suffix(1);
    if (uri != kMetaSchema) {
      return bad(where, fmt::format("only draft 2020-12 (\"{}\") is supported, not \"{}\"",
                                    kMetaSchema, uri));
    }
  } else if (key == "$id") {
    // A nested $id would start a new resource that "#/..." refs resolve against; only the
    // root may name itself.
    if (!root) return unsupported(loc, key, " below the root (nested schema resources)");
    if (value.type() != element_type::STRING) return bad(where, "expected a string");
  } else if (is_annotation(key)) {
    // accepted, not checked
  } else if (key == "unevaluatedProperties" || key == "unevaluatedItems" || key == "$anchor" ||
             key == "$dynamicRef" || key == "$dynamicAnchor" || key == "$recursiveRef" ||
             key == "$recursiveAnchor" || key == "$vocabulary" || key == "propertyNames" ||
             key == "additionalItems" || key == "dependencies") {
    unsupported(loc, key, "");
  } else {
    unsupported(loc, key, " (unknown keyword; annotations may use an \"x-\" prefix)");
  }
}

uint8_t Compiler::type_name_bit(std::string_view name, const std::string& where) {
  using namespace json_schema_detail;
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "object") return kObject;
  if (name == "array") return kArray;
  if (name == "number") return kNumber;
  if (name == "integer") return kInteger;
  if (name == "string") return kString;
  bad(where, fmt::format("unknown type \"{}\" (expected null, boolean, object, array, number, "
                         "integer or string)",
                         name));
  return 0;
}

void Compiler::schema_list(element value, const std::string& where, std::vector<int>& out) {
  if (value.type() != element_type::ARRAY) return bad(where, "expected an array of schemas");
  size_t i = 0;
  for (element sub : as_array(value)) {
    out.push_back(subschema(sub, fmt::format("{}/{}", where, i++)));
    if (error_) return;
  }
}

void Compiler::schema_map(element value, const std::string& where,
                          std::vector<std::pair<std::string, int>>* out) {
  if (value.type() != element_type::OBJECT) return bad(where, "expected an object of schemas");
  for (auto [name, sub] : as_object(value)) {
    const int s = subschema(sub, where + "/" + json_schema_detail::pointer_token(name));
    if (error_) return;
    if (out) out->emplace_back(std::string(name), s);
  }
}

std::optional<double> Compiler::number(element value, const std::string& where) {
  switch (value.type()) {
    case element_type::INT64:
      return static_cast<double>(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(value.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return value.get_double().value_unsafe();
    default:
      bad(where, fmt::format("expected a number, got {}", json_schema_detail::kind_name(value)));
      return std::nullopt;
  }
}

std::optional<uint64_t> Compiler::count(element value, const std::string& where) {
  switch (value.type()) {
    case element_type::INT64:
      if (value.get_int64().value_unsafe() >= 0) return value.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      return value.get_uint64().value_unsafe();
    case element_type::DOUBLE: {  // 2.0 is a valid count
      const double d = value.get_double().value_unsafe();
      if (d >= 0 && std::floor(d) == d && d < 1.8e19) return static_cast<uint64_t>(d);
      break;
    }
    default:
      break;
  }
  bad(where, "expected a non-negative integer");
  return std::nullopt;
}

int Compiler::regex(std::string_view pattern, const std::string& where) {
  auto re = EcmaRegex::compile(pattern);
  if (!re) {
    bad(where, re.error().message);
    return json_schema_detail::kNone;
  }
  out_.regexes.push_back(std::move(*re));
  return static_cast<int>(out_.regexes.size() - 1);
}

void Compiler::resolve_refs() {
  // Resolving may compile new targets (a ref into a place not compiled yet, e.g. inside
  // an annotation), which may add refs: loop by index.
  for (size_t i = 0; i < refs_.size() && !error_; ++i) {
    const std::string ref = refs_[i].second;
    const std::string where = ref_locations_[i];
    if (!ref.starts_with('#')) {
      return bad(where, fmt::format("\"{}\" is not a local reference; only \"#\" and \"#/...\" "
                                    "(JSON Pointers into this schema) are supported",
                                    ref));
    }
    bool ok = true;
    const std::string pointer = percent_decode(std::string_view(ref).substr(1), ok);
    if (!ok || (!pointer.empty() && pointer[0] != '/')) {
      return bad(where, fmt::format("\"{}\" is not a JSON Pointer reference (anchors are not "
                                    "supported)",
                                    ref));
    }
    int target;
    if (auto it = by_location_.find(pointer); it != by_location_.end()) {
      target = it->second;
    } else {
      auto found = out_.document.root().at_pointer(pointer);
      if (found.error())
        return bad(where, fmt::format("\"{}\" points nowhere in this schema", ref));
      target = compile(found.value_unsafe(), pointer, false);
    }
    out_.nodes[refs_[i].first].ref = target;
  }
}

void Compiler::check_ref_loops() {
  // A cycle through applicators that stay on the same instance location ($ref, allOf, ...)
  // would never end at validation time. Iterative DFS: ref chains may be long.
  const auto& nodes = out_.nodes;
  std::vector<uint8_t> state(nodes.size(), 0);  // 0 new, 1 on the stack, 2 done
  auto in_place = [&](int n) {
    std::vector<int> next;
    const Node& s = nodes[n];
    for (int c : {s.ref, s.not_schema, s.if_schema, s.then_schema, s.else_schema}) {
      if (c != json_schema_detail::kNone) next.push_back(c);
    }
    for (const auto* list : {&s.all_of, &s.any_of, &s.one_of}) {
      next.insert(next.end(), list->begin(), list->end());
    }
    for (const auto& [name, c] : s.dependent_schemas) next.push_back(c);
    return next;
  };
  for (size_t start = 0; start < nodes.size() && !error_; ++start) {
    if (state[start] != 0) continue;
    std::vector<std::pair<int, std::vector<int>>> stack;
    stack.emplace_back(static_cast<int>(start), in_place(static_cast<int>(start)));
    state[start] = 1;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next.empty()) {
        state[n] = 2;
        stack.pop_back();
        continue;
      }
      const int c = next.back();
      next.pop_back();
      if (state[c] == 1) {
        return bad(nodes[n].location,
                   fmt::format("reference loop: the schema at {} applies itself again to the "
                               "same value",
                               nodes[c].location.empty() ? "the root" : nodes[c].location));
      }
      if (state[c] == 0) {
        state[c] = 1;
        stack.emplace_back(c, in_place(c));
      }
    }
  }
}

}  // namespace
}  // namespace json_schema_detail

Result<JsonSchema> JsonSchema::compile(std::string_view schema_json) {
  auto compiled = std::make_shared<json_schema_detail::Compiled>();
  compiled->source = std::string(schema_json);
  simdjson::dom::parser parser;
  if (parser.allocate(compiled->source.size() + 1, kMaxSchemaDepth) != simdjson::SUCCESS) {
    return fail(ErrorKind::InvalidRequest, "JSON schema too large");
  }
  auto root = parser.parse_into_document(compiled->document, compiled->source.data(),
                                         compiled->source.size());
  if (root.error()) {
    const bool deep = root.error() == simdjson::DEPTH_ERROR;
    return fail(
        ErrorKind::InvalidRequest,
        deep ? fmt::format("invalid JSON schema: nested deeper than {} levels", kMaxSchemaDepth)
             : fmt::format("invalid JSON schema: not valid JSON ({})",
                           simdjson::error_message(root.error())),
        "", "invalid_json_schema");
  }
  json_schema_detail::Compiler compiler(*compiled);
  compiler.compile(root.value_unsafe(), "", true);
  if (!compiler.failed()) compiler.resolve_refs();
  if (!compiler.failed()) compiler.check_ref_loops();
  if (compiler.failed()) return std::unexpected(compiler.error());
  return JsonSchema(std::move(compiled));
}

const std::string& JsonSchema::source() const { return compiled_->source; }

}  // namespace sy
