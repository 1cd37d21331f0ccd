// JsonWriter: appends compact JSON to a caller-owned std::string, with correct string
// escaping. No DOM, no allocation beyond the output buffer. The caller is responsible
// for a well-formed sequence of calls (keys inside objects, values inside arrays);
// commas are inserted automatically. Not thread-safe; one writer per output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sy::json {

// Appends `s` escaped as JSON string content (without the surrounding quotes).
void append_escaped(std::string& out, std::string_view s);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view k);
  Writer& value(std::string_view s);
  Writer& value(const char* s) { return value(std::string_view(s)); }
  Writer& value(bool b);
  Writer& value(int64_t n);
  Writer& value(int n) { return value(static_cast<int64_t>(n)); }
  Writer& value(uint64_t n);
  Writer& value(double d);
  Writer& null();
  // Inserts already-serialised JSON verbatim as one value.
  Writer& raw(std::string_view json);

  template <class T>
  Writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void separate();
  template <class Integer>
  Writer& integer(Integer n);

  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace sy::json
