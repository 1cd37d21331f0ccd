// Internal to the Gemini codec: small helpers over simdjson's on-demand API that turn
// every wrong type or syntax error into an Error naming the field
// ("contents[2].parts[0].text: expected a string"), with the kind the caller chose
// (InvalidRequest for client requests, UpstreamError for provider output), and that copy
// JSON values verbatim (raw text, never re-serialised). Not thread-safe per Reader; the
// parsers are thread-local.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "core/error.h"
#include "protocols/json_read.h"

namespace sy::protocols::gemini_json {

namespace od = simdjson::ondemand;

class Reader {
 public:
  explicit Reader(ErrorKind kind) : kind_(kind) {}

  ErrorKind kind() const { return kind_; }
  std::unexpected<Error> bad(std::string_view path, std::string_view what) const;
  std::unexpected<Error> malformed(simdjson::error_code ec) const;

  // The document's root object; `text` must stay alive and unchanged while it is read.
  Result<od::object> root(od::parser& parser, const simdjson::padded_string& text,
                          od::document& doc) const;
  bool is_null(od::value& v) const;
  Result<od::object> object(od::value& v, std::string_view path) const;
  Result<od::array> array(od::value& v, std::string_view path) const;
  Result<std::string_view> string(od::value& v, std::string_view path) const;
  Result<double> number(od::value& v, std::string_view path) const;
  Result<int64_t> integer(od::value& v, std::string_view path) const;
  Result<uint32_t> count(od::value& v, std::string_view path) const;  // 0 … UINT32_MAX
  Result<bool> boolean(od::value& v, std::string_view path) const;
  // The verbatim text of an object value, validated.
  Result<std::string_view> raw_object(od::value& v, std::string_view path) const;

  // Calls f(key, value) for each field; stops at the first error f returns.
  template <class F>
  Result<void> fields(od::object& obj, F&& f) const {
    for (auto field : obj) {
      std::string_view key;
      if (auto ec = field.unescaped_key().get(key)) return malformed(ec);
      od::value v;
      if (auto ec = field.value().get(v)) return malformed(ec);
      if (auto r = f(key, v); !r) return r;
    }
    return {};
  }
  // Calls f(index, value) for each element.
  template <class F>
  Result<void> items(od::array& arr, F&& f) const {
    size_t i = 0;
    for (auto item : arr) {
      od::value v;
      if (auto ec = item.get(v)) return malformed(ec);
      if (auto r = f(i++, v); !r) return r;
    }
    return {};
  }

 private:
  std::unexpected<Error> wrong_type(od::value& v, simdjson::error_code ec, std::string_view path,
                                    const char* expected) const;
  ErrorKind kind_;
};

// Whether the document was read to its end (on-demand validates lazily: this catches
// content trailing the root value).
bool at_end(od::document& doc);

using json_read::at;
using json_read::dot;

// Whether `text` is one JSON object (nothing trailing).
bool is_json_object(std::string_view text);

// The text of a JSON-schema object with its top-level "$schema" member removed (Gemini
// rejects it); other members are copied verbatim. Fails when `schema` is not an object.
Result<std::string> strip_schema_keyword(std::string_view schema, ErrorKind kind,
                                         std::string_view path);

// Whether a schema is written in Gemini's OpenAPI dialect (upper-case type names such as
// "type": "OBJECT"), which goes in `parameters` rather than `parametersJsonSchema`.
bool openapi_dialect(std::string_view schema);

}  // namespace sy::protocols::gemini_json
