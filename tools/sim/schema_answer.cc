#include "schema_answer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "responder.h"

namespace sy::sim {
namespace {

using nlohmann::json;

constexpr std::string_view kPromptMarker = "JSON Schema:";
constexpr int kMaxDepth = 16;

// Builds one value; `seed` is (model, prompt), `path` tells values apart inside it.
class Generator {
 public:
  Generator(const json& root, std::string_view model, std::string_view prompt)
      : root_(root), model_(model), prompt_(prompt) {}

  json value(const json& schema, const std::string& path, int depth) {
    if (schema.is_boolean() || !schema.is_object() || depth > kMaxDepth) return nullptr;
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const std::string target = ref->get<std::string>();
      if (target == "#") return value(root_, path, depth + 1);
      if (target.starts_with("#/")) {
        const json::json_pointer pointer(target.substr(1));
        if (root_.contains(pointer)) return value(root_.at(pointer), path, depth + 1);
      }
    }
    if (auto c = schema.find("const"); c != schema.end()) return *c;
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array() && !e->empty()) {
      return (*e)[pick(path, e->size())];
    }
    for (const char* any : {"anyOf", "oneOf", "allOf"}) {
      auto a = schema.find(any);
      if (a != schema.end() && a->is_array() && !a->empty() && !schema.contains("type") &&
          !schema.contains("properties")) {
        return value((*a)[0], path, depth + 1);
      }
    }
    const std::string type = type_of(schema);
    if (type == "object") return object(schema, path, depth);
    if (type == "array") return array(schema, path, depth);
    if (type == "integer" || type == "number") return number(schema, path, type == "integer");
    if (type == "boolean") return pick(path, 2) == 1;
    if (type == "null") return nullptr;
    return string(schema, path);
  }

 private:
  uint64_t hash(const std::string& path) const {
    return stable_hash(fmt::format("{}\n{}\n{}", model_, path, prompt_));
  }
  size_t pick(const std::string& path, size_t n) const { return hash(path) % n; }

  static std::string type_of(const json& schema) {
    auto t = schema.find("type");
    if (t != schema.end() && t->is_string()) return t->get<std::string>();
    if (t != schema.end() && t->is_array()) {
      for (const json& name : *t) {
        if (name.is_string() && name != "null") return name.get<std::string>();
      }
      return "null";
    }
    if (schema.contains("properties") || schema.contains("required")) return "object";
    if (schema.contains("items") || schema.contains("prefixItems")) return "array";
    if (schema.contains("minimum") || schema.contains("maximum")) return "number";
    return "string";
  }

  json object(const json& schema, const std::string& path, int depth) {
    json out = json::object();
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
      for (const auto& [name, sub] : props->items()) {
        out[name] = value(sub, path + "/" + name, depth + 1);
      }
    }
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const json& name : *req) {
        if (name.is_string() && !out.contains(name.get<std::string>())) {
          out[name.get<std::string>()] =
              string(json::object(), path + "/" + name.get<std::string>());
        }
      }
    }
    return out;
  }

  json array(const json& schema, const std::string& path, int depth) {
    const auto min_items = schema.value("minItems", uint64_t{0});
    const auto max_items = schema.value("maxItems", uint64_t{1000});
    const uint64_t n = std::clamp<uint64_t>(1 + pick(path + "#n", 3), min_items, max_items);
    json out = json::array();
    const json* prefix = schema.contains("prefixItems") ? &schema["prefixItems"] : nullptr;
    const json items = schema.value("items", json::object());
    for (uint64_t i = 0; i < n; ++i) {
      const std::string at = path + "/" + std::to_string(i);
      if (prefix != nullptr && prefix->is_array() && i < prefix->size()) {
        out.push_back(value((*prefix)[i], at, depth + 1));
      } else {
        out.push_back(value(items, at, depth + 1));
      }
    }
    return out;
  }

  json number(const json& schema, const std::string& path, bool integer) const {
    // Bounds in hundredths (whole units for integers), inclusive.
    const double scale = integer ? 1.0 : 100.0;
    double lo = -INFINITY, hi = INFINITY;
    if (schema.contains("minimum")) lo = std::ceil(schema["minimum"].get<double>() * scale);
    if (schema.contains("exclusiveMinimum")) {
      lo = std::max(lo, std::floor(schema["exclusiveMinimum"].get<double>() * scale) + 1);
    }
    if (schema.contains("maximum")) hi = std::floor(schema["maximum"].get<double>() * scale);
    if (schema.contains("exclusiveMaximum")) {
      hi = std::min(hi, std::ceil(schema["exclusiveMaximum"].get<double>() * scale) - 1);
    }
    if (std::isinf(lo) && std::isinf(hi)) lo = 0;
    if (std::isinf(lo)) lo = hi - 1000 * scale;
    if (std::isinf(hi)) hi = lo + 1000 * scale;
    if (hi < lo) hi = lo;
    auto v = static_cast<int64_t>(lo) +
             static_cast<int64_t>(hash(path) % static_cast<uint64_t>(hi - lo + 1));
    if (integer) {
      const auto step = static_cast<int64_t>(schema.value("multipleOf", 1.0));
      if (step > 1) {
        const int64_t down = v - (v % step + step) % step;
        v = down >= static_cast<int64_t>(lo) ? down : down + step;
      }
      return v;
    }
    return static_cast<double>(v) / scale;
  }

  json string(const json& schema, const std::string& path) const {
    const std::string format = schema.value("format", "");
    if (format == "date" || format == "date-time") {
      const uint64_t h = hash(path);
      std::string date =
          fmt::format("20{:02}-{:02}-{:02}", 20 + h % 6, 1 + (h >> 8) % 12, 1 + (h >> 16) % 28);
      return format == "date" ? date : date + "T09:00:00Z";
    }
    std::string text = generate_words(model_, path + "\n" + std::string(prompt_),
                                      static_cast<int64_t>(3 + pick(path + "#w", 6)));
    text.pop_back();  // the full stop
    const auto min_length = schema.value("minLength", uint64_t{0});
    const auto max_length = schema.value("maxLength", uint64_t{1} << 20);
    while (text.size() < min_length) text += " and more";
    if (text.size() > max_length) text.resize(max_length);  // the words are ASCII
    if (auto pattern = schema.find("pattern"); pattern != schema.end() && pattern->is_string()) {
      return fitting(pattern->get<std::string>(), text);
    }
    return text;
  }

  // No regex solver: the first of a few common shapes that the pattern matches (a date,
  // a time stamp, digits, a code, an e-mail address, a URL), else the words.
  static std::string fitting(const std::string& pattern, const std::string& words) {
    static const std::vector<std::string> kShapes = {
        "2024-03-15",    "2024-03-15T09:00:00Z", "12345", "ABC-123",
        "a@example.com", "https://example.com",  "abc",   "ABC"};
    try {
      const std::regex re(pattern, std::regex::ECMAScript);
      if (std::regex_search(words, re)) return words;
      for (const std::string& shape : kShapes) {
        if (std::regex_search(shape, re)) return shape;
      }
    } catch (const std::regex_error&) {
      // A pattern std::regex does not take: the words, as for any other string.
    }
    return words;
  }

  const json& root_;
  std::string_view model_;
  std::string_view prompt_;
};

}  // namespace

std::optional<std::string> requested_schema(const ChatRequest& request) {
  if (request.response_schema) return request.response_schema;
  // Only the last user message: a follow-up without the schema ("that did not conform,
  // answer again") gets words, like any other prompt.
  const std::string_view text = request.last_user_text();
  const size_t at = text.rfind(kPromptMarker);
  if (at == std::string_view::npos) return std::nullopt;
  const json schema = json::parse(text.substr(at + kPromptMarker.size()), nullptr, false);
  if (schema.is_discarded() || !schema.is_object()) return std::nullopt;
  return schema.dump();
}

std::optional<std::string> answer_for_schema(std::string_view schema_json, std::string_view model,
                                             std::string_view prompt) {
  const json schema = json::parse(schema_json, nullptr, false);
  if (schema.is_discarded() || !(schema.is_object() || schema.is_boolean())) return std::nullopt;
  Generator g(schema, model, prompt);
  return g.value(schema, "", 0).dump();
}

}  // namespace sy::sim
