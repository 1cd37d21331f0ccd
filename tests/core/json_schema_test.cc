// JsonSchema: keyword by keyword (cases taken from the draft 2020-12 validation and core
// specs), error locations and messages, what compile() rejects, and hostile input.
#include "core/json_schema.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sy {
namespace {

JsonSchema schema(std::string_view text) {
  auto s = JsonSchema::compile(text);
  EXPECT_TRUE(s.has_value()) << text << ": " << (s ? "" : s.error().message);
  if (!s) return *JsonSchema::compile("false");
  return *s;
}

std::string compile_error(std::string_view text) {
  auto s = JsonSchema::compile(text);
  EXPECT_FALSE(s.has_value()) << text << " compiled";
  return s ? std::string() : s.error().message;
}

// The only error of validating `instance`, as "instance_location | keyword_location | message".
std::string only_error(const JsonSchema& s, std::string_view instance) {
  const auto errors = s.validate(instance);
  EXPECT_EQ(errors.size(), 1u) << instance << "\n" << describe(errors);
  if (errors.empty()) return "";
  return errors[0].instance_location + " | " + errors[0].keyword_location + " | " +
         errors[0].message;
}

void expect_valid(const JsonSchema& s, std::string_view instance) {
  EXPECT_TRUE(s.validate(instance).empty()) << instance << "\n" << describe(s.validate(instance));
  EXPECT_TRUE(s.accepts(instance)) << instance;
}

void expect_invalid(const JsonSchema& s, std::string_view instance) {
  EXPECT_FALSE(s.validate(instance).empty()) << instance;
  EXPECT_FALSE(s.accepts(instance)) << instance;
}

TEST(JsonSchemaType, EachTypeAcceptsItsValuesOnly) {
  const auto str = schema(R"({"type":"string"})");
  expect_valid(str, R"("x")");
  EXPECT_EQ(only_error(str, "12.5"), " | /type | expected string, got number 12.5");
  const auto obj = schema(R"({"type":"object"})");
  expect_valid(obj, "{}");
  expect_invalid(obj, "[]");
  const auto arr = schema(R"({"type":"array"})");
  expect_valid(arr, "[1]");
  expect_invalid(arr, "{}");
  const auto boolean = schema(R"({"type":"boolean"})");
  expect_valid(boolean, "false");
  expect_invalid(boolean, "0");
  const auto null = schema(R"({"type":"null"})");
  expect_valid(null, "null");
  expect_invalid(null, "false");
  expect_invalid(null, R"("")");
}

TEST(JsonSchemaType, IntegerIsAnyNumberWithZeroFractionalPart) {
  const auto s = schema(R"({"type":"integer"})");
  expect_valid(s, "1");
  expect_valid(s, "1.0");  // 2020-12: a number with a zero fractional part is an integer
  expect_valid(s, "-7");
  expect_valid(s, "1e2");
  expect_valid(s, "18446744073709551615");
  EXPECT_EQ(only_error(s, "1.5"), " | /type | expected integer, got number 1.5");
  EXPECT_EQ(only_error(s, R"("1")"), R"( | /type | expected integer, got string "1")");
  const auto number = schema(R"({"type":"number"})");
  expect_valid(number, "1");
  expect_valid(number, "-0.5");
  expect_invalid(number, R"("1")");
}

TEST(JsonSchemaType, ArrayOfTypes) {
  const auto s = schema(R"({"type":["string","null"]})");
  expect_valid(s, R"("a")");
  expect_valid(s, "null");
  EXPECT_EQ(only_error(s, "3"), " | /type | expected string or null, got integer 3");
}

TEST(JsonSchemaEnumConst, ComparesJsonValuesNotText) {
  const auto s = schema(R"({"enum":["red", 1, {"a":[1,2]}, null]})");
  expect_valid(s, R"("red")");
  expect_valid(s, "1.0");  // 1 == 1.0
  expect_valid(s, R"({"a":[1.0,2]})");
  expect_valid(s, "null");
  expect_invalid(s, R"({"a":[2,1]})");  // array order matters
  expect_invalid(s, R"({"a":[1,2],"b":1})");
  expect_invalid(s, "true");
  EXPECT_EQ(only_error(s, R"("blue")"),
            R"( | /enum | expected one of "red", 1, {"a":[1,2]}, null, got string "blue")");
  const auto c = schema(R"({"const":{"x":1,"y":"z"}})");
  expect_valid(c, R"({"y":"z","x":1})");  // key order does not matter
  EXPECT_EQ(only_error(c, R"({"x":1})"),
            R"( | /const | expected exactly {"x":1,"y":"z"}, got object)");
  const auto f = schema(R"({"const":false})");
  expect_valid(f, "false");
  expect_invalid(f, "0");  // false is not 0
}

TEST(JsonSchemaObject, PropertiesRequiredAndLocations) {
  const auto s = schema(R"({
    "type":"object",
    "properties":{
      "name":{"type":"string"},
      "items":{"type":"array","items":{"type":"object",
        "properties":{"price":{"type":"number"}},"required":["price"]}}},
    "required":["name","items"]})");
  expect_valid(s, R"({"name":"a","items":[{"price":1},{"price":2.5}]})");
  EXPECT_EQ(only_error(s, R"({"name":"a","items":[{"price":1},{"price":2},{"price":"12.50"}]})"),
            "/items/2/price | /properties/items/items/properties/price/type | "
            R"(expected number, got string "12.50")");
  EXPECT_EQ(only_error(s, R"({"items":[]})"), R"( | /required | missing required property "name")");
  EXPECT_EQ(only_error(s, R"({"name":"a","items":[{}]})"),
            R"(/items/0 | /properties/items/items/required | missing required property "price")");
  // Every error, not just the first.
  EXPECT_EQ(s.validate(R"({"name":1,"items":[{"price":"x"},{}]})").size(), 3u);
}

TEST(JsonSchemaObject, AdditionalPropertiesFalseNamesTheAllowedOnes) {
  const auto s = schema(R"({"properties":{"a":{},"b":{}},"additionalProperties":false})");
  expect_valid(s, R"({"a":1})");
  EXPECT_EQ(only_error(s, R"({"a":1,"c":2})"),
            R"(/c | /additionalProperties | property "c" is not allowed here; allowed: "a", "b")");
  const auto none = schema(R"({"additionalProperties":false})");
  expect_valid(none, "{}");
  EXPECT_EQ(
      only_error(none, R"({"x":1})"),
      R"(/x | /additionalProperties | property "x" is not allowed: this object takes no properties)");
}

TEST(JsonSchemaObject, AdditionalPropertiesSchemaAndPatternProperties) {
  const auto s = schema(R"({"properties":{"id":{"type":"string"}},
    "patternProperties":{"^n_":{"type":"number"}},
    "additionalProperties":{"type":"boolean"}})");
  expect_valid(s, R"({"id":"x","n_a":1,"flag":true})");
  EXPECT_EQ(only_error(s, R"({"n_a":"1"})"),
            R"(/n_a | /patternProperties/^n_/type | expected number, got string "1")");
  EXPECT_EQ(only_error(s, R"({"other":1})"),
            "/other | /additionalProperties/type | expected boolean, got integer 1");
}

TEST(JsonSchemaObject, PointerTokensAreEscaped) {
  const auto s = schema(R"({"properties":{"a/b":{"properties":{"c~d":{"type":"null"}}}}})");
  EXPECT_EQ(only_error(s, R"({"a/b":{"c~d":1}})"),
            "/a~1b/c~0d | /properties/a~1b/properties/c~0d/type | expected null, got integer 1");
}

TEST(JsonSchemaObject, PropertyCountsAndDependencies) {
  const auto s = schema(R"({"minProperties":1,"maxProperties":2,
    "dependentRequired":{"card":["cvv"]},
    "dependentSchemas":{"vip":{"required":["level"]}}})");
  expect_valid(s, R"({"a":1})");
  EXPECT_EQ(only_error(s, "{}"), " | /minProperties | expected at least 1 properties, got 0");
  expect_invalid(s, R"({"a":1,"b":2,"c":3})");
  EXPECT_EQ(only_error(s, R"({"card":1})"),
            R"( | /dependentRequired | missing property "cvv", required when "card" is present)");
  EXPECT_EQ(only_error(s, R"({"vip":true})"),
            R"( | /dependentSchemas/vip/required | missing required property "level")");
  expect_valid(s, R"({"card":1,"cvv":2})");
}

TEST(JsonSchemaArray, ItemsPrefixItemsAndCounts) {
  const auto s = schema(R"({"prefixItems":[{"type":"string"},{"type":"integer"}],
    "items":{"type":"boolean"},"minItems":1,"maxItems":4})");
  expect_valid(s, R"(["a"])");
  expect_valid(s, R"(["a",1,true,false])");
  EXPECT_EQ(only_error(s, R"(["a","b"])"),
            R"(/1 | /prefixItems/1/type | expected integer, got string "b")");
  EXPECT_EQ(only_error(s, R"(["a",1,2])"), "/2 | /items/type | expected boolean, got integer 2");
  EXPECT_EQ(only_error(s, "[]"), " | /minItems | expected at least 1 items, got 0");
  EXPECT_EQ(only_error(s, R"(["a",1,true,true,true])"),
            " | /maxItems | expected at most 4 items, got 5");
  const auto closed = schema(R"({"prefixItems":[{}],"items":false})");
  expect_valid(closed, "[1]");
  EXPECT_EQ(only_error(closed, "[1,2]"), "/1 | /items | no value is allowed here");
}

TEST(JsonSchemaArray, UniqueItemsAndContains) {
  const auto u = schema(R"({"uniqueItems":true})");
  expect_valid(u, R"([1,"1",[1],{"a":1},{"a":2}])");
  EXPECT_EQ(only_error(u, R"([{"a":1,"b":2},3,{"b":2,"a":1}])"),
            " | /uniqueItems | expected unique items, but items 0 and 2 are equal");
  expect_invalid(u, "[1,1.0]");
  const auto c = schema(R"({"contains":{"type":"integer"},"minContains":2,"maxContains":3})");
  expect_valid(c, R"([1,"a",2])");
  EXPECT_EQ(
      only_error(c, R"([1,"a"])"),
      R"( | /contains | expected at least 2 item(s) matching the "contains" schema, found 1)");
  expect_invalid(c, "[1,2,3,4]");
  const auto zero = schema(R"({"contains":{"type":"integer"},"minContains":0})");
  expect_valid(zero, "[]");
}

TEST(JsonSchemaNumber, Bounds) {
  const auto s = schema(R"({"minimum":0,"maximum":10,"exclusiveMaximum":10.5})");
  expect_valid(s, "0");
  expect_valid(s, "10");
  expect_valid(s, "\"not a number\"");  // numeric keywords ignore other types
  EXPECT_EQ(only_error(s, "-1"), " | /minimum | expected a number >= 0, got -1");
  EXPECT_EQ(only_error(s, "10.25"), " | /maximum | expected a number <= 10, got 10.25");
  const auto ex = schema(R"({"exclusiveMinimum":0,"exclusiveMaximum":1})");
  expect_valid(ex, "0.5");
  EXPECT_EQ(only_error(ex, "0"), " | /exclusiveMinimum | expected a number > 0, got 0");
  EXPECT_EQ(only_error(ex, "1"), " | /exclusiveMaximum | expected a number < 1, got 1");
}

TEST(JsonSchemaNumber, MultipleOf) {
  const auto two = schema(R"({"multipleOf":2})");
  expect_valid(two, "10");
  expect_valid(two, "10.0");
  EXPECT_EQ(only_error(two, "7"), " | /multipleOf | expected a multiple of 2, got 7");
  const auto cents = schema(R"({"multipleOf":0.01})");
  expect_valid(cents, "19.99");  // not exact in binary, still a multiple
  expect_valid(cents, "0.3");
  expect_invalid(cents, "0.001");
  const auto small = schema(R"({"multipleOf":0.123456789})");
  expect_invalid(small, "1e308");  // the quotient overflows: not a multiple
}

TEST(JsonSchemaString, LengthsCountCodePoints) {
  const auto s = schema(R"({"minLength":2,"maxLength":3})");
  expect_valid(s, R"("ab")");
  expect_valid(s, R"("été")");                              // 5 bytes, 3 code points
  expect_valid(s, "\"\xF0\x9F\x98\x80\xF0\x9F\x98\x80\"");  // two emoji: 8 bytes, 2 code points
  EXPECT_EQ(only_error(s, R"("é")"),
            " | /minLength | expected a string of at least 2 characters, got 1");
  EXPECT_EQ(only_error(s, R"("abcd")"),
            " | /maxLength | expected a string of at most 3 characters, got 4");
  expect_valid(s, "5");  // string keywords ignore other types
}

TEST(JsonSchemaString, PatternIsAnUnanchoredEcmaRegex) {
  const auto s = schema(R"({"pattern":"\\d{3}-\\d{4}"})");
  expect_valid(s, R"("call 555-1234 now")");  // unanchored
  EXPECT_EQ(
      only_error(s, R"("555-12")"),
      R"( | /pattern | expected a string matching the regular expression \d{3}-\d{4}, got "555-12")");
  expect_invalid(s, "\"\xD9\xA1\xD9\xA2\xD9\xA3-1234\"");  // Arabic-Indic digits are not \d
  const auto anchored = schema(R"({"pattern":"^[a-z]+$"})");
  expect_valid(anchored, R"("abc")");
  expect_invalid(anchored, R"("abc\n")");  // $ is the very end, as in ECMA-262
  const auto unicode = schema(R"({"pattern":"^\\u00e9.$"})");
  expect_valid(unicode, "\"\xC3\xA9\xF0\x9F\x98\x80\"");  // \uXXXX; . is one code point
}

TEST(JsonSchemaString, CatastrophicPatternStopsWithAnError) {
  const auto s = schema(R"({"pattern":"^(a+)+$"})");
  const std::string subject = "\"" + std::string(40, 'a') + "!\"";
  const auto errors = s.validate(subject);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("too complex"), std::string::npos) << errors[0].message;
}

TEST(JsonSchemaCombinators, AllOfAnyOfOneOfNot) {
  const auto all = schema(R"({"allOf":[{"type":"integer"},{"minimum":3}]})");
  expect_valid(all, "3");
  EXPECT_EQ(only_error(all, "2"), " | /allOf/1/minimum | expected a number >= 3, got 2");

  const auto any = schema(R"({"anyOf":[{"type":"string"},{"type":"object","required":["a"]}]})");
  expect_valid(any, R"("x")");
  expect_valid(any, R"({"a":1})");
  EXPECT_EQ(only_error(any, "{}"),
            " | /anyOf | expected a value matching at least one of the anyOf alternatives, but "
            "alternative 0: expected string, got object; alternative 1: missing required "
            "property \"a\"");

  const auto one = schema(R"({"oneOf":[{"type":"integer"},{"minimum":2}]})");
  expect_valid(one, "1");
  expect_valid(one, "2.5");
  EXPECT_EQ(only_error(one, "3"),
            " | /oneOf | expected a value matching exactly one of the oneOf alternatives, but it "
            "matches alternatives 0 and 1");
  expect_invalid(one, "1.5");

  const auto no = schema(R"({"not":{"type":"null"}})");
  expect_valid(no, "0");
  EXPECT_EQ(only_error(no, "null"),
            " | /not | this value is not allowed here (it matches the schema under \"not\")");
}

TEST(JsonSchemaCombinators, IfThenElse) {
  const auto s = schema(R"({"if":{"properties":{"kind":{"const":"card"}}},
    "then":{"required":["number"]},"else":{"required":["iban"]}})");
  expect_valid(s, R"({"kind":"card","number":"4"})");
  expect_valid(s, R"({"kind":"bank","iban":"x"})");
  EXPECT_EQ(only_error(s, R"({"kind":"card"})"),
            R"( | /then/required | missing required property "number")");
  EXPECT_EQ(only_error(s, R"({"kind":"bank"})"),
            R"( | /else/required | missing required property "iban")");
}

TEST(JsonSchemaBoolean, BooleansAreSchemas) {
  expect_valid(schema("true"), R"({"anything":[1,2]})");
  EXPECT_EQ(only_error(schema("false"), "1"), " |  | no value is allowed here");
  const auto s = schema(R"({"properties":{"secret":false}})");
  expect_valid(s, R"({"other":1})");
  EXPECT_EQ(only_error(s, R"({"secret":1})"),
            "/secret | /properties/secret | no value is allowed here");
}

TEST(JsonSchemaRef, LocalRefsToDefsIncludingRecursion) {
  const auto s = schema(R"({
    "$schema":"https://json-schema.org/draft/2020-12/schema",
    "$defs":{
      "price":{"type":"number","minimum":0},
      "node":{"type":"object","properties":{"value":{"$ref":"#/$defs/price"},
              "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},
              "required":["value"]}},
    "$ref":"#/$defs/node"})");
  expect_valid(s, R"({"value":1,"children":[{"value":2,"children":[{"value":3}]}]})");
  EXPECT_EQ(only_error(s, R"({"value":1,"children":[{"value":2,"children":[{"value":-3}]}]})"),
            "/children/0/children/0/value | /$defs/price/minimum | expected a number >= 0, got -3");
  // $ref beside other keywords: both apply (2020-12).
  const auto both = schema(R"({"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":2})");
  expect_valid(both, R"("ab")");
  expect_invalid(both, R"("abc")");
  expect_invalid(both, "1");
  // "#" is the root; definitions (pre-2019 name) and escaped pointers work too.
  const auto root =
      schema(R"({"type":"array","items":{"anyOf":[{"type":"integer"},{"$ref":"#"}]}})");
  expect_valid(root, "[1,[2,[3]]]");
  expect_invalid(root, "[1,[2,[\"x\"]]]");
  const auto esc =
      schema(R"({"definitions":{"a/b c":{"type":"null"}},"$ref":"#/definitions/a~1b%20c"})");
  expect_valid(esc, "null");
  expect_invalid(esc, "0");
}

TEST(JsonSchemaCompile, RejectsWhatItCannotCheckNamingKeywordAndPath) {
  std::string e = compile_error(R"({"properties":{"a":{"unevaluatedProperties":false}}})");
  EXPECT_NE(e.find("\"unevaluatedProperties\""), std::string::npos) << e;
  EXPECT_NE(e.find("/properties/a"), std::string::npos) << e;
  e = compile_error(R"({"properties":{"a":{"typo":1}}})");
  EXPECT_NE(e.find("\"typo\" at /properties/a is not supported"), std::string::npos) << e;
  e = compile_error(R"({"items":{"minLength":"3"}})");
  EXPECT_EQ(e, "invalid JSON schema at /items/minLength: expected a non-negative integer");
  e = compile_error(R"({"type":"float"})");
  EXPECT_NE(e.find("unknown type \"float\""), std::string::npos) << e;
  e = compile_error(R"({"items":[{"type":"string"}]})");
  EXPECT_NE(e.find("prefixItems"), std::string::npos) << e;
  e = compile_error(R"({"pattern":"(unclosed"})");
  EXPECT_NE(e.find("/pattern"), std::string::npos) << e;
  e = compile_error(R"({"$schema":"http://json-schema.org/draft-07/schema#"})");
  EXPECT_NE(e.find("2020-12"), std::string::npos) << e;
  compile_error(R"({"multipleOf":0})");
  compile_error(R"({"anyOf":[]})");
  compile_error(R"({"minLength":-1})");
  compile_error(R"({"required":"a"})");
  compile_error("12");
  compile_error("{");
  compile_error(R"({"properties":{"a":{"$id":"other.json"}}})");
  compile_error(R"({"$anchor":"x"})");
  compile_error(R"({"$dynamicRef":"#x"})");
  compile_error(R"({"propertyNames":{"maxLength":3}})");
  // 2.0 is a valid count; annotations and x- extensions are accepted.
  schema(R"({"minLength":2.0,"title":"t","description":"d","$comment":"c","default":1,
            "examples":[1],"format":"email","deprecated":true,"x-order":3,
            "$id":"https://example.com/s.json"})");
}

TEST(JsonSchemaCompile, RefsMustBeLocalResolvableAndLoopFree) {
  std::string e = compile_error(R"({"$ref":"https://example.com/schema.json"})");
  EXPECT_NE(e.find("not a local reference"), std::string::npos) << e;
  e = compile_error(R"({"$ref":"#/$defs/missing"})");
  EXPECT_NE(e.find("points nowhere"), std::string::npos) << e;
  e = compile_error(R"({"$ref":"#"})");
  EXPECT_NE(e.find("reference loop"), std::string::npos) << e;
  e = compile_error(
      R"({"$defs":{"a":{"anyOf":[{"$ref":"#/$defs/b"}]},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"})");
  EXPECT_NE(e.find("reference loop"), std::string::npos) << e;
  compile_error(R"({"$ref":"#foo"})");  // anchors
}

TEST(JsonSchemaHostile, InvalidJsonInstanceIsOneError) {
  const auto s = schema(R"({"type":"object"})");
  const auto errors = s.validate(R"({"a": )");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "");
  EXPECT_TRUE(errors[0].message.starts_with("not valid JSON")) << errors[0].message;
  EXPECT_EQ(s.validate("").size(), 1u);
  EXPECT_EQ(s.validate("{} {}").size(), 1u);
  EXPECT_FALSE(s.accepts("nope"));
}

TEST(JsonSchemaHostile, DeepDocumentsAreRefusedNotRecursedInto) {
  const auto s = schema(R"({"items":{"$ref":"#"}})");
  const size_t deep = JsonSchema::kMaxInstanceDepth + 10;
  const std::string instance = std::string(deep, '[') + std::string(deep, ']');
  const auto errors = s.validate(instance);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("deeper than"), std::string::npos) << errors[0].message;
  const size_t ok_depth = JsonSchema::kMaxInstanceDepth - 1;
  expect_valid(s, std::string(ok_depth, '[') + std::string(ok_depth, ']'));

  std::string deep_schema;
  for (size_t i = 0; i < 200; ++i) deep_schema += R"({"items":)";
  deep_schema += "true" + std::string(200, '}');
  EXPECT_NE(compile_error(deep_schema).find("nested deeper"), std::string::npos);
}

TEST(JsonSchemaHostile, ExponentialSchemasHitTheWorkBudget) {
  // d0 = anyOf[d1, d1], d1 = anyOf[d2, d2], ..., d30 = false: 2^30 evaluations unbounded.
  std::string defs;
  for (int i = 0; i < 30; ++i) {
    defs += "\"d" + std::to_string(i) + R"(":{"anyOf":[{"$ref":"#/$defs/d)" +
            std::to_string(i + 1) + R"("},{"$ref":"#/$defs/d)" + std::to_string(i + 1) + "\"}]},";
  }
  defs += R"("d30":false)";
  const auto s = schema(R"({"$defs":{)" + defs + R"(},"$ref":"#/$defs/d0"})");
  const auto errors = s.validate("1");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.back().message.find("too expensive"), std::string::npos) << describe(errors);
  EXPECT_FALSE(s.accepts("1"));
}

TEST(JsonSchemaHostile, ErrorCountIsCapped) {
  const auto s = schema(R"({"items":{"type":"string"}})");
  std::string many = "[";
  for (int i = 0; i < 1000; ++i) many += i ? ",1" : "1";
  many += "]";
  EXPECT_EQ(s.validate(many).size(), JsonSchema::kMaxErrors);
}

TEST(JsonSchema, DescribeListsErrorsForAModel) {
  const auto s = schema(R"({"properties":{"total":{"type":"number"}},"required":["id"]})");
  EXPECT_EQ(describe(s.validate(R"({"total":"12"})")),
            "- at the top level: missing required property \"id\"\n"
            "- at /total: expected number, got string \"12\"\n");
}

TEST(JsonSchema, LongStringsAreShortenedInMessages) {
  const auto s = schema(R"({"type":"integer"})");
  const std::string message = only_error(s, "\"" + std::string(500, 'x') + "\"");
  EXPECT_LT(message.size(), 120u) << message;
  EXPECT_TRUE(message.ends_with("...\"")) << message;
}

TEST(JsonSchema, ValidatesFromManyThreadsAtOnce) {
  const auto s = schema(R"({"type":"object","properties":{"id":{"pattern":"^[a-z]{3}-\\d+$"},
    "n":{"type":"integer","minimum":0}},"required":["id","n"]})");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const bool good = (i + t) % 2 == 0;
        const std::string doc =
            good ? R"({"id":"abc-1","n":)" + std::to_string(i) + "}" : R"({"id":"ABC-1","n":-1})";
        if (s.accepts(doc) != good || s.validate(doc).size() != (good ? 0u : 2u)) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace sy
