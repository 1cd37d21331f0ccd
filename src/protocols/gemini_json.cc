#include "protocols/gemini_json.h"

#include <cstdint>

#include "core/json_writer.h"

namespace sy::protocols::gemini_json {
namespace {

od::parser& nested_parser() {
  thread_local od::parser p;
  return p;
}

}  // namespace

std::unexpected<Error> Reader::bad(std::string_view path, std::string_view what) const {
  std::string message;
  if (!path.empty()) {
    message.assign(path);
    message += ": ";
  }
  message += what;
  return fail(kind_, std::move(message), std::string(path));
}

std::unexpected<Error> Reader::malformed(simdjson::error_code ec) const {
  return fail(kind_,
              std::string(kind_ == ErrorKind::InvalidRequest ? "request body" : "upstream body") +
                  " is not valid JSON: " + simdjson::error_message(ec));
}

std::unexpected<Error> Reader::wrong_type(od::value& v, simdjson::error_code ec,
                                          std::string_view path, const char* expected) const {
  if (ec != simdjson::INCORRECT_TYPE && ec != simdjson::NUMBER_ERROR &&
      ec != simdjson::NUMBER_OUT_OF_RANGE) {
    return malformed(ec);
  }
  od::json_type t{};
  if (v.type().get(t)) return malformed(ec);
  return bad(path, std::string("expected ") + expected + ", got " + json_read::type_label(t));
}

Result<od::object> Reader::root(od::parser& parser, const simdjson::padded_string& text,
                                od::document& doc) const {
  if (auto ec = parser.iterate(text).get(doc)) return malformed(ec);
  od::object obj;
  if (auto ec = doc.get_object().get(obj)) {
    if (ec == simdjson::INCORRECT_TYPE) return bad("", "the body must be a JSON object");
    return malformed(ec);
  }
  return obj;
}

bool Reader::is_null(od::value& v) const {
  od::json_type t{};
  return !v.type().get(t) && t == od::json_type::null;
}

Result<od::object> Reader::object(od::value& v, std::string_view path) const {
  od::object o;
  if (auto ec = v.get_object().get(o)) return wrong_type(v, ec, path, "an object");
  return o;
}

Result<od::array> Reader::array(od::value& v, std::string_view path) const {
  od::array a;
  if (auto ec = v.get_array().get(a)) return wrong_type(v, ec, path, "an array");
  return a;
}

Result<std::string_view> Reader::string(od::value& v, std::string_view path) const {
  std::string_view s;
  if (auto ec = v.get_string().get(s)) return wrong_type(v, ec, path, "a string");
  return s;
}

Result<double> Reader::number(od::value& v, std::string_view path) const {
  double d = 0;
  if (auto ec = v.get_double().get(d)) return wrong_type(v, ec, path, "a number");
  return d;
}

Result<int64_t> Reader::integer(od::value& v, std::string_view path) const {
  int64_t n = 0;
  if (auto ec = v.get_int64().get(n)) return wrong_type(v, ec, path, "an integer");
  return n;
}

Result<uint32_t> Reader::count(od::value& v, std::string_view path) const {
  SY_TRY(n, integer(v, path));
  if (n < 0 || n > static_cast<int64_t>(UINT32_MAX)) {
    return bad(path, "must be a non-negative integer below 2^32");
  }
  return static_cast<uint32_t>(n);
}

Result<bool> Reader::boolean(od::value& v, std::string_view path) const {
  bool b = false;
  if (auto ec = v.get_bool().get(b)) return wrong_type(v, ec, path, "a boolean");
  return b;
}

Result<std::string_view> Reader::raw_object(od::value& v, std::string_view path) const {
  SY_TRY(o, object(v, path));
  std::string_view raw;
  if (auto ec = o.raw_json().get(raw)) return malformed(ec);
  // On-demand skips over the values inside without validating them: check the copy.
  if (!is_json_object(raw)) return bad(path, "not a valid JSON object");
  return raw;
}

bool at_end(od::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) != simdjson::SUCCESS;
}

bool is_json_object(std::string_view text) {
  std::string why;
  return json_read::is_json_object(text, why);
}

Result<std::string> strip_schema_keyword(std::string_view schema, ErrorKind kind,
                                         std::string_view path) {
  const Reader rd(kind);
  if (schema.find("\"$schema\"") == std::string_view::npos) {
    if (!is_json_object(schema)) return rd.bad(path, "expected a JSON object schema");
    return std::string(schema);
  }
  const simdjson::padded_string text(schema);
  od::document doc;
  SY_TRY(obj, rd.root(nested_parser(), text, doc));
  std::string out;
  json::Writer w(out);
  w.begin_object();
  auto r = rd.fields(obj, [&](std::string_view key, od::value& v) -> Result<void> {
    std::string_view raw;
    od::json_type t{};
    if (auto ec = v.type().get(t)) return rd.malformed(ec);
    if (t == od::json_type::object) {
      od::object o;
      if (auto ec = v.get_object().get(o)) return rd.malformed(ec);
      if (auto ec = o.raw_json().get(raw)) return rd.malformed(ec);
    } else if (t == od::json_type::array) {
      od::array a;
      if (auto ec = v.get_array().get(a)) return rd.malformed(ec);
      if (auto ec = a.raw_json().get(raw)) return rd.malformed(ec);
    } else {
      raw = v.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                              raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      // Scalars are only validated when consumed: make sure this one is well formed.
      if (t == od::json_type::string) {
        std::string_view s;
        if (auto ec = v.get_string().get(s)) return rd.malformed(ec);
      } else if (t == od::json_type::number) {
        double d;
        if (auto ec = v.get_double().get(d)) return rd.malformed(ec);
      } else if (t == od::json_type::boolean) {
        bool b;
        if (auto ec = v.get_bool().get(b)) return rd.malformed(ec);
      }
    }
    if (key == "$schema") return {};
    w.key(key);
    w.raw(raw);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!at_end(doc)) return rd.bad(path, "trailing content after the schema");
  w.end_object();
  return out;
}

bool openapi_dialect(std::string_view schema) {
  constexpr std::string_view kType = "\"type\"";
  for (size_t pos = schema.find(kType); pos != std::string_view::npos;
       pos = schema.find(kType, pos + 1)) {
    size_t i = pos + kType.size();
    while (i < schema.size() && (schema[i] == ' ' || schema[i] == ':' || schema[i] == '\n' ||
                                 schema[i] == '\t' || schema[i] == '\r')) {
      ++i;
    }
    if (i >= schema.size() || schema[i] != '"') continue;
    size_t j = i + 1;
    while (j < schema.size() && schema[j] >= 'A' && schema[j] <= 'Z') ++j;
    if (j > i + 1 && j < schema.size() && schema[j] == '"') return true;
  }
  return false;
}

}  // namespace sy::protocols::gemini_json
