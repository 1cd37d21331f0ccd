#include "protocols/json_read.h"

namespace sy::protocols::json_read {
namespace {

// A value that could not be read as `expected`: names the type found when the type was
// wrong, a JSON syntax error otherwise.
std::unexpected<Error> unreadable(od::value& v, simdjson::error_code ec, const std::string& path,
                                  const char* expected, ErrorKind kind) {
  if (ec != simdjson::INCORRECT_TYPE && ec != simdjson::NUMBER_ERROR) return malformed(kind, ec);
  od::json_type t{};
  if (v.type().get(t)) return bad(kind, path, std::string("expected ") + expected);
  return bad(kind, path, std::string("expected ") + expected + ", got " + type_label(t));
}

simdjson::dom::parser& dom_parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

}  // namespace

const char* type_label(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "unknown";
}

std::unexpected<Error> bad(ErrorKind kind, const std::string& path, std::string_view what) {
  std::string message = path.empty() ? std::string(what) : path + ": " + std::string(what);
  if (kind == ErrorKind::UpstreamError) message = "upstream response: " + message;
  return fail(kind, std::move(message), kind == ErrorKind::InvalidRequest ? path : std::string());
}

std::unexpected<Error> malformed(ErrorKind kind, simdjson::error_code ec) {
  const char* what = kind == ErrorKind::InvalidRequest ? "request body is not valid JSON: "
                                                       : "upstream response is not valid JSON: ";
  return fail(kind, std::string(what) + simdjson::error_message(ec));
}

Result<od::json_type> type_of(od::value& v, ErrorKind kind) {
  od::json_type t{};
  if (auto ec = v.type().get(t)) return malformed(kind, ec);
  return t;
}

Result<std::string_view> read_string(od::value v, const std::string& path, ErrorKind kind) {
  std::string_view s;
  if (auto ec = v.get_string().get(s)) return unreadable(v, ec, path, "a string", kind);
  return s;
}

Result<bool> read_bool(od::value v, const std::string& path, ErrorKind kind) {
  bool b = false;
  if (auto ec = v.get_bool().get(b)) return unreadable(v, ec, path, "a boolean", kind);
  return b;
}

Result<uint32_t> read_count(od::value v, const std::string& path, ErrorKind kind) {
  int64_t n = 0;
  if (auto ec = v.get_int64().get(n)) return unreadable(v, ec, path, "an integer", kind);
  if (n < 0 || n > UINT32_MAX) return bad(kind, path, "out of range");
  return static_cast<uint32_t>(n);
}

Result<double> read_number(od::value v, const std::string& path, ErrorKind kind) {
  double d = 0;
  if (auto ec = v.get_double().get(d)) return unreadable(v, ec, path, "a number", kind);
  return d;
}

Result<od::object> read_object(od::value v, const std::string& path, ErrorKind kind) {
  od::object o;
  if (auto ec = v.get_object().get(o)) return unreadable(v, ec, path, "an object", kind);
  return o;
}

Result<od::array> read_array(od::value v, const std::string& path, ErrorKind kind) {
  od::array a;
  if (auto ec = v.get_array().get(a)) return unreadable(v, ec, path, "an array", kind);
  return a;
}

Result<std::string_view> object_text(od::value v, const std::string& path, ErrorKind kind) {
  auto o = read_object(v, path, kind);
  if (!o) return std::unexpected(o.error());
  std::string_view raw;
  if (auto ec = o->raw_json().get(raw)) return malformed(kind, ec);
  return trim_json(raw);
}

std::string_view trim_json(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t b = text.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  const size_t e = text.find_last_not_of(kSpace);
  return text.substr(b, e - b + 1);
}

std::string_view trim_json_end(std::string_view text) {
  const size_t e = text.find_last_not_of(" \t\r\n");
  return e == std::string_view::npos ? std::string_view() : text.substr(0, e + 1);
}

bool is_json_object(std::string_view text, std::string& why) {
  simdjson::dom::element root;
  if (auto ec = dom_parser().parse(text.data(), text.size(), true).get(root)) {
    why = std::string("not valid JSON: ") + simdjson::error_message(ec);
    return false;
  }
  if (!root.is_object()) {
    why = "not a JSON object";
    return false;
  }
  return true;
}

std::string error_message(std::string_view body, std::initializer_list<std::string_view> pointers,
                          size_t max_raw) {
  simdjson::dom::element root;
  // An empty body is not parsed: simdjson would copy from its null data pointer.
  if (!body.empty() && !dom_parser().parse(body.data(), body.size(), true).get(root)) {
    simdjson::dom::array arr;
    if (!root.get_array().get(arr) && arr.size() > 0) root = arr.at(0).value_unsafe();
    for (std::string_view pointer : pointers) {
      std::string_view msg;
      if (!root.at_pointer(pointer).get_string().get(msg) && !msg.empty()) return std::string(msg);
    }
  }
  std::string s(body.substr(0, max_raw));
  for (char& ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  }
  return s.empty() ? "(empty body)" : s;
}

std::string at(std::string_view path, size_t i) {
  std::string s(path);
  s += '[';
  s += std::to_string(i);
  s += ']';
  return s;
}

std::string dot(std::string_view path, std::string_view key) {
  std::string s(path);
  s += '.';
  s += key;
  return s;
}

std::string padded_copy(std::string_view text) {
  std::string s;
  s.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  s.assign(text);
  return s;
}

void reserve_padding(std::string& body) {
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  }
}

Result<od::object> root_object(od::parser& parser, std::string& body, od::document& doc,
                               ErrorKind kind) {
  reserve_padding(body);
  if (auto ec = parser.iterate(body.data(), body.size(), body.capacity()).get(doc)) {
    return malformed(kind, ec);
  }
  od::object root;
  if (auto ec = doc.get_object().get(root)) {
    if (ec == simdjson::INCORRECT_TYPE) return bad(kind, "", "request body must be a JSON object");
    return malformed(kind, ec);
  }
  return root;
}

}  // namespace sy::protocols::json_read
