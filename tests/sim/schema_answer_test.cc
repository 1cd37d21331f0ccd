// The simulator's answers to requests for schema-conforming JSON (schema_answer.h): where
// the schema comes from (response_format, or the workflow engine's prompt), and that the
// generated value keeps to the schema's types, enums, bounds, lengths and item counts.
#include "schema_answer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "responder.h"

namespace sy::sim {
namespace {

using nlohmann::json;

ChatRequest asking(std::string text) {
  ChatRequest request;
  request.model = "sim-small";
  request.messages.push_back({.role = "user", .text = std::move(text)});
  return request;
}

json answer(const json& schema, const std::string& prompt = "p") {
  auto text = answer_for_schema(schema.dump(), "sim-small", prompt);
  EXPECT_TRUE(text);
  return text ? json::parse(*text) : json();
}

TEST(SchemaAnswerTest, FindsTheSchemaInResponseFormatOrAtTheEndOfThePrompt) {
  EXPECT_FALSE(requested_schema(asking("Summarize this.")));
  EXPECT_FALSE(requested_schema(asking("Describe a JSON Schema: what is it?")));
  const auto from_prompt = requested_schema(
      asking("Classify it.\n\nAnswer with only a JSON value that conforms to this JSON "
             "Schema:\n{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}"));
  ASSERT_TRUE(from_prompt);
  EXPECT_EQ(json::parse(*from_prompt)["properties"]["a"]["type"], "integer");

  auto parsed = parse_chat_request(
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],
          "response_format":{"type":"json_schema","json_schema":{"name":"x",
          "schema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}}}})",
      std::nullopt);
  ASSERT_TRUE(parsed);
  const auto from_format = requested_schema(*parsed);
  ASSERT_TRUE(from_format);
  EXPECT_TRUE(json::parse(*answer_for_schema(*from_format, "m", "hi"))["ok"].is_boolean());
}

TEST(SchemaAnswerTest, TheValueKeepsToTheSchema) {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "category": {"enum": ["billing", "technical", "other"]},
      "score": {"type": "integer", "minimum": 3, "maximum": 7},
      "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
      "name": {"type": "string", "minLength": 40, "maxLength": 45},
      "short": {"type": "string", "maxLength": 4},
      "day": {"type": "string", "format": "date"},
      "flag": {"type": "boolean"},
      "maybe": {"type": ["null", "integer"], "minimum": 10},
      "tags": {"type": "array", "minItems": 4, "maxItems": 5, "items": {"type": "string"}},
      "one": {"type": "array", "maxItems": 1, "items": {"$ref": "#/$defs/item"}},
      "fixed": {"const": "v1"}
    },
    "required": ["category", "extra"],
    "$defs": {"item": {"type": "object", "properties": {"n": {"type": "integer", "multipleOf": 5}}}}
  })");
  for (const char* prompt : {"a", "b", "c", "d", "e", "f", "g", "h"}) {
    const json v = answer(schema, prompt);
    ASSERT_TRUE(v.is_object()) << v.dump();
    EXPECT_TRUE(v["category"] == "billing" || v["category"] == "technical" ||
                v["category"] == "other")
        << v.dump();
    ASSERT_TRUE(v["score"].is_number_integer());
    EXPECT_GE(v["score"].get<int>(), 3);
    EXPECT_LE(v["score"].get<int>(), 7);
    EXPECT_GT(v["ratio"].get<double>(), 0.0);
    EXPECT_LE(v["ratio"].get<double>(), 1.0);
    EXPECT_GE(v["name"].get<std::string>().size(), 40u);
    EXPECT_LE(v["name"].get<std::string>().size(), 45u);
    EXPECT_LE(v["short"].get<std::string>().size(), 4u);
    EXPECT_EQ(v["day"].get<std::string>().size(), 10u);
    EXPECT_TRUE(v["flag"].is_boolean());
    ASSERT_TRUE(v["maybe"].is_number_integer());
    EXPECT_GE(v["maybe"].get<int>(), 10);
    EXPECT_GE(v["tags"].size(), 4u);
    EXPECT_LE(v["tags"].size(), 5u);
    ASSERT_EQ(v["one"].size(), 1u);
    EXPECT_EQ(v["one"][0]["n"].get<int>() % 5, 0);
    EXPECT_EQ(v["fixed"], "v1");
    EXPECT_TRUE(v["extra"].is_string());  // required without a schema of its own
  }
}

TEST(SchemaAnswerTest, TheSameRequestGetsTheSameValue) {
  const json schema = {{"type", "object"},
                       {"properties", {{"x", {{"type", "number"}}}, {"s", {{"type", "string"}}}}}};
  EXPECT_EQ(answer(schema, "same"), answer(schema, "same"));
  EXPECT_FALSE(answer_for_schema("not json", "m", "p"));
}

TEST(SchemaAnswerTest, TheResponderAnswersWithTheJsonUnlessAScriptMatches) {
  const std::string prompt =
      "Rate it.\n\nAnswer with only a JSON value that conforms to this JSON Schema:\n"
      R"({"type":"object","properties":{"grade":{"enum":["a","b"]}},"required":["grade"]})";
  ModelConfig model;
  model.name = "sim-small";
  model.output_tokens = 2;  // a JSON answer is not cut to this
  const Reply reply = plan_reply(asking(prompt), model, {}, "call_1");
  const json v = json::parse(reply.content());
  EXPECT_TRUE(v["grade"] == "a" || v["grade"] == "b") << reply.content();
  EXPECT_EQ(reply.finish_reason, "stop");

  const std::vector<ScriptRule> script = {
      ScriptRule{.pattern = "Rate it", .regex = std::regex("Rate it"), .reply = "scripted"}};
  EXPECT_EQ(plan_reply(asking(prompt), model, script, "call_2").content(), "scripted");
}

}  // namespace
}  // namespace sy::sim
