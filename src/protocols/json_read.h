// Internal to the codecs: the reading helpers every decoder shares over simdjson's
// on-demand API — propagating Result errors (SY_TRY / SY_CHECK), typed reads that fail
// with an Error naming the field (`messages[2].content[0].type: expected a string, got a
// number`), the verbatim text of pass-through objects, the padding simdjson needs after
// a body — and the message of a provider's error body. `kind` is InvalidRequest when
// reading a client's request, UpstreamError for a provider's answer. Free functions,
// thread-safe (the DOM parser is thread-local). Not a public interface.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/error.h"

// Propagates the error of a Result-returning expression, else binds `var` to its value.
#define SY_TRY(var, expr)                                \
  auto var##_r = (expr);                                 \
  if (!var##_r) return std::unexpected(var##_r.error()); \
  auto& var = *var##_r

// Propagates the error of a Result-returning expression.
#define SY_CHECK(expr)                                             \
  do {                                                             \
    if (auto r_ = (expr); !r_) return std::unexpected(r_.error()); \
  } while (0)

namespace sy::protocols::json_read {

namespace od = simdjson::ondemand;

// "an array", "an object", "a number", "a string", "a boolean", "null".
const char* type_label(od::json_type t);

// `kind` error "<path>: <what>" (just `what` when the path is empty); an upstream one is
// prefixed "upstream response: ". A client's error names the path as its param.
std::unexpected<Error> bad(ErrorKind kind, const std::string& path, std::string_view what);
// "request body is not valid JSON: …" / "upstream response is not valid JSON: …".
std::unexpected<Error> malformed(ErrorKind kind, simdjson::error_code ec);

// The JSON type of `v`, or a syntax error.
Result<od::json_type> type_of(od::value& v, ErrorKind kind);
Result<std::string_view> read_string(od::value v, const std::string& path, ErrorKind kind);
Result<bool> read_bool(od::value v, const std::string& path, ErrorKind kind);
Result<uint32_t> read_count(od::value v, const std::string& path, ErrorKind kind);  // >= 0
Result<double> read_number(od::value v, const std::string& path, ErrorKind kind);
Result<od::object> read_object(od::value v, const std::string& path, ErrorKind kind);
Result<od::array> read_array(od::value v, const std::string& path, ErrorKind kind);
// The object's JSON text, verbatim, without surrounding whitespace.
Result<std::string_view> object_text(od::value v, const std::string& path, ErrorKind kind);

// Whether `text` is one complete JSON object (for tool inputs that must be objects).
// On failure, `why` says what is wrong.
bool is_json_object(std::string_view text, std::string& why);
// `text` without leading and trailing JSON whitespace.
std::string_view trim_json(std::string_view text);
// `text` without trailing JSON whitespace.
std::string_view trim_json_end(std::string_view text);

// "<path>[<i>]" and "<path>.<key>": the path of an element or a member.
std::string at(std::string_view path, size_t i);
std::string dot(std::string_view path, std::string_view key);

// A provider's error message, read from its error `body`: the first non-empty string at one
// of the JSON `pointers` (an array body is read from its first element), else the body's
// first `max_raw` bytes with control characters as spaces, else "(empty body)". Never
// empty, so a client always gets a message.
std::string error_message(std::string_view body, std::initializer_list<std::string_view> pointers,
                          size_t max_raw = 200);

// A copy of `text` with simdjson's padding after it.
std::string padded_copy(std::string_view text);
// Makes room for simdjson's padding after `body`'s bytes (in its capacity), so that it can
// be parsed in place; the bytes themselves are unchanged.
void reserve_padding(std::string& body);
// Parses a client's or provider's `body` in place (reserving its padding) into `doc` with
// `parser`, and returns its root, which must be an object: else "request body must be a
// JSON object" (the `kind` error; a syntax error is malformed()). `body` must then stay
// unchanged while the document is read.
Result<od::object> root_object(od::parser& parser, std::string& body, od::document& doc,
                               ErrorKind kind);

}  // namespace sy::protocols::json_read
