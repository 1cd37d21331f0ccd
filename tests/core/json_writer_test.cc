#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace sy::json {
namespace {

TEST(JsonWriter, WritesNestedStructuresWithCommas) {
  std::string out;
  Writer w(out);
  w.begin_object().field("a", 1).key("b").begin_array().value("x").value(true).null().end_array();
  w.field("c", 2.5).key("d").begin_object().end_object().end_object();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,null],"c":2.5,"d":{}})");
}

TEST(JsonWriter, EscapesControlCharactersQuotesAndBackslashes) {
  std::string out;
  append_escaped(out, std::string("a\"b\\c\n\t\x01\x1f", 9));
  EXPECT_EQ(out, R"(a\"b\\c\n\t\u0001\u001f)");
}

TEST(JsonWriter, PassesUtf8Through) {
  std::string out;
  Writer(out).value("héllo → 世界");
  EXPECT_EQ(out, "\"héllo → 世界\"");
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
  std::string out;
  Writer(out).begin_array().value(1.0 / 0.0).end_array();
  EXPECT_EQ(out, "[null]");
}

}  // namespace
}  // namespace sy::json
