// OpenAIChatCodec requests: the full canonical decode, the encode from canonical, and the
// round trip canonical → wire → canonical.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocols/openai_codec.h"
#include "protocols/openai_codec_test_util.h"

namespace sy::protocols {
namespace {

using model::Part;
using model::Role;
using nlohmann::json;
using ::testing::ElementsAre;
using testing::fixture;
using ::testing::HasSubstr;

const Codec& codec() { return codec_for(model::Protocol::OpenAIChat); }

TEST(OpenAICodec, IsTheRegisteredOpenAIChatCodec) {
  EXPECT_EQ(&codec(), &openai_chat_codec());
  EXPECT_EQ(codec().name(), "openai_chat");
  EXPECT_EQ(codec().protocol(), model::Protocol::OpenAIChat);
  EXPECT_EQ(codec().request_path("gpt-4o", true), "/v1/chat/completions");
  EXPECT_EQ(codec().stream_framing(), Framing::Sse);
}

TEST(OpenAICodecDecodeRequest, ReadsToolsToolCallsAndParameters) {
  const std::string body = fixture("openai_chat/request_tools.json");
  auto r = codec().decode_request(body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "gpt-4o-2024-08-06");
  ASSERT_EQ(r->turns.size(), 5u);
  EXPECT_EQ(r->turns[0].role, Role::Developer);
  EXPECT_EQ(r->turns[1].role, Role::User);
  EXPECT_EQ(r->turns[1].name, "dana");
  ASSERT_EQ(r->turns[1].parts.size(), 1u);
  EXPECT_EQ(r->turns[1].parts[0].text, "What's the weather in Paris and in Lyon, in celsius?");

  const auto& assistant = r->turns[2];
  EXPECT_EQ(assistant.role, Role::Assistant);
  ASSERT_EQ(assistant.parts.size(), 2u);
  EXPECT_EQ(assistant.parts[0].kind, Part::Kind::ToolUse);
  EXPECT_EQ(assistant.parts[0].tool_use.id, "call_PZ1a");
  EXPECT_EQ(assistant.parts[0].tool_use.name, "get_weather");
  EXPECT_EQ(assistant.parts[0].tool_use.arguments, R"({"city":"Paris","unit":"celsius"})");
  // Verbatim, whitespace included: never re-serialised.
  EXPECT_EQ(assistant.parts[1].tool_use.arguments, R"({"city": "Lyon", "unit": "celsius"})");

  EXPECT_EQ(r->turns[3].role, Role::Tool);
  ASSERT_EQ(r->turns[3].parts.size(), 1u);
  EXPECT_EQ(r->turns[3].parts[0].kind, Part::Kind::ToolResult);
  EXPECT_EQ(r->turns[3].parts[0].tool_result.tool_use_id, "call_PZ1a");
  EXPECT_EQ(r->turns[3].parts[0].tool_result.text, R"({"temp":18,"sky":"cloudy"})");
  EXPECT_EQ(r->turns[4].parts[0].tool_result.text, R"({"temp":21,"sky":"clear"})");

  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "get_weather");
  EXPECT_EQ(r->tools[0].description, "Current weather for a city");
  const std::string params =
      R"({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"], "additionalProperties": false})";
  EXPECT_EQ(r->tools[0].parameters, params);
  EXPECT_NE(body.find(params), std::string::npos);
  EXPECT_TRUE(r->tools[0].strict);
  EXPECT_EQ(r->tool_choice.mode, model::ToolChoice::Mode::Named);
  EXPECT_EQ(r->tool_choice.name, "get_weather");
  EXPECT_EQ(r->tool_choice.parallel, true);

  EXPECT_EQ(r->max_tokens, 512u);
  EXPECT_EQ(r->temperature, 0.3);
  EXPECT_EQ(r->top_p, 0.9);
  EXPECT_EQ(r->presence_penalty, 0.5);
  EXPECT_EQ(r->frequency_penalty, -0.25);
  EXPECT_EQ(r->seed, 42);
  EXPECT_THAT(r->stop, ElementsAre("\nEND", "###"));
  EXPECT_EQ(r->user, "user-1234");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_TRUE(r->unportable.empty());  // metadata and store do not change the answer
}

TEST(OpenAICodecDecodeRequest, ReadsImagesAndResponseFormat) {
  auto r = codec().decode_request(fixture("openai_chat/request_images.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->turns.size(), 2u);
  EXPECT_EQ(r->turns[0].role, Role::System);
  const auto& parts = r->turns[1].parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].text, "Compare these two pictures.");
  EXPECT_EQ(parts[1].kind, Part::Kind::Image);
  EXPECT_EQ(parts[1].image.source, model::Image::Source::Url);
  EXPECT_EQ(parts[1].image.url, "https://example.com/images/harbour.jpg");
  EXPECT_EQ(parts[1].image.detail, "high");
  EXPECT_EQ(parts[2].image.source, model::Image::Source::Base64);
  EXPECT_EQ(parts[2].image.media_type, "image/png");
  EXPECT_THAT(parts[2].image.data, ::testing::StartsWith("iVBORw0KGgo"));
  EXPECT_THAT(parts[2].image.data, ::testing::EndsWith("ErkJggg=="));

  EXPECT_EQ(r->response_format.kind, model::ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(r->response_format.name, "comparison");
  EXPECT_TRUE(r->response_format.strict);
  EXPECT_EQ(json::parse(r->response_format.schema)["required"], json({"same_place", "notes"}));
  EXPECT_EQ(r->max_tokens, 300u);
  EXPECT_EQ(r->n, 1u);
  ASSERT_TRUE(r->reasoning);
  EXPECT_EQ(r->reasoning->effort, "low");
  EXPECT_FALSE(r->stream);
}

TEST(OpenAICodecDecodeRequest, RemembersFeaturesOnlyOpenAICanExpress) {
  auto r = codec().decode_request(R"({"model":"m","messages":[
      {"role":"user","content":[{"type":"text","text":"hi"},
                                {"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}}]},
      {"role":"function","name":"f","content":"1"}],
    "logprobs":true,"top_logprobs":3,"logit_bias":{"50256":-100},"modalities":["text","audio"],
    "audio":{"voice":"alloy","format":"mp3"},"prediction":{"type":"content","content":"x"}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_THAT(r->unportable,
              ElementsAre("input_audio content parts",
                          "function messages (the legacy functions API)", "logprobs",
                          "top_logprobs", "logit_bias", "modalities audio", "audio", "prediction"));
  ASSERT_EQ(r->turns.size(), 1u);
  auto e = codec().encode_request(*r, "m");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().status, 400);
  EXPECT_EQ(e.error().code, "unsupported_feature");
  EXPECT_EQ(e.error().message, "input_audio content parts cannot be expressed in openai_chat");
}

TEST(OpenAICodecDecodeRequest, DefaultsAndNullsAreNotUnportable) {
  auto r = codec().decode_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "logprobs":false,"logit_bias":null,"modalities":["text"],"audio":null,"temperature":null,
    "stop":null,"tools":null,"service_tier":"auto"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->unportable.empty());
  EXPECT_FALSE(r->temperature);
  EXPECT_TRUE(r->stop.empty());
}

struct BadRequest {
  const char* body;
  const char* message;
  const char* param;
};

class OpenAICodecDecodeRequestRejects : public ::testing::TestWithParam<BadRequest> {};

TEST_P(OpenAICodecDecodeRequestRejects, NamingTheField) {
  auto r = codec().decode_request(GetParam().body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_THAT(r.error().message, HasSubstr(GetParam().message));
  EXPECT_EQ(r.error().param, GetParam().param);
}

#define MSGS(x) R"({"model":"m","messages":[)" x "]"
INSTANTIATE_TEST_SUITE_P(
    BadInput, OpenAICodecDecodeRequestRejects,
    ::testing::Values(
        BadRequest{"{", "not valid JSON", ""}, BadRequest{"[]", "must be a JSON object", ""},
        // Found by openai_codec_request_fuzz: an image in a system message decoded, then
        // could not be encoded again.
        BadRequest{MSGS(R"({"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]})") "}",
                   "images are allowed in user messages only", "messages[0].content[0]"},
        BadRequest{R"({"messages":[{"role":"user","content":"x"}]})", "model: required", "model"},
        BadRequest{
            MSGS(
                R"({"role":"user","content":"x"},{"role":"user","content":[{"type":"video"}]})") "}",
            "messages[1].content[0].type: unknown content part type \"video\"",
            "messages[1].content[0].type"},
        BadRequest{MSGS(R"({"role":"user","content":[{"text":"x"}]})") "}",
                   "messages[0].content[0].type: required", "messages[0].content[0].type"},
        BadRequest{
            MSGS(
                R"({"role":"user","content":[{"type":"image_url","image_url":{"detail":"low"}}]})") "}",
            "messages[0].content[0].image_url.url: required",
            "messages[0].content[0].image_url.url"},
        BadRequest{
            MSGS(
                R"({"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f"}}]})") "}",
            "messages[0].tool_calls[0].function.arguments: required",
            "messages[0].tool_calls[0].function.arguments"},
        BadRequest{
            MSGS(
                R"({"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{}}}]})") "}",
            "messages[0].tool_calls[0].function.arguments: expected a string, got an object",
            "messages[0].tool_calls[0].function.arguments"},
        BadRequest{MSGS(R"({"role":"tool","content":"x"})") "}",
                   "messages[0].tool_call_id: required", "messages[0].tool_call_id"},
        BadRequest{
            MSGS(
                R"({"role":"tool","tool_call_id":"c","content":[{"type":"image_url","image_url":{"url":"u"}}]})") "}",
            "messages[0].content[0]: a tool message takes text parts only",
            "messages[0].content[0]"},
        BadRequest{
            MSGS(
                R"({"role":"user","content":"x"})") R"(,"tools":[{"type":"function","function":{"description":"d"}}]})",
            "tools[0].function.name: required", "tools[0].function.name"},
        BadRequest{
            MSGS(
                R"({"role":"user","content":"x"})") R"(,"tools":[{"type":"function","function":{"name":"f","parameters":"{}"}}]})",
            "tools[0].function.parameters: expected an object, got a string",
            "tools[0].function.parameters"},
        BadRequest{MSGS(R"({"role":"user","content":"x"})") R"(,"tool_choice":"sometimes"})",
                   "tool_choice: expected", "tool_choice"},
        BadRequest{
            MSGS(R"({"role":"user","content":"x"})") R"(,"response_format":{"type":"yaml"}})",
            "response_format.type: unknown type \"yaml\"", "response_format.type"},
        BadRequest{MSGS(R"({"role":"user","content":"x"})") R"(,"stop":["a",1]})",
                   "stop[1]: expected a string, got a number", "stop[1]"},
        BadRequest{MSGS(R"({"role":"user","content":"x"})") R"(,"frequency_penalty":3})",
                   "frequency_penalty: must be between", "frequency_penalty"},
        BadRequest{MSGS(R"({"role":"user","content":"x"})") R"(,"seed":"x"})",
                   "seed: expected an integer, got a string", "seed"},
        BadRequest{
            MSGS(R"({"role":"user","content":"x"})") R"(,"stream_options":{"include_usage":1}})",
            "stream_options.include_usage: expected a boolean", "stream_options.include_usage"}));
#undef MSGS

// ---- encode_request (canonical → OpenAI) ----

model::Request rich_request() {
  model::Request req;
  req.model = "claude-sonnet";
  model::Turn sys{Role::System, {Part::make_text("Be terse.")}, ""};
  model::Turn user{Role::User, {Part::make_text("Look:")}, ""};
  Part img;
  img.kind = Part::Kind::Image;
  img.image.source = model::Image::Source::Base64;
  img.image.media_type = "image/jpeg";
  img.image.data = "/9j/4AAQSkZJRg==";
  user.parts.push_back(img);
  Part url_img;
  url_img.kind = Part::Kind::Image;
  url_img.image.url = "https://example.com/a.png";
  url_img.image.detail = "low";
  user.parts.push_back(url_img);
  model::Turn assistant{Role::Assistant, {}, ""};
  Part thinking;
  thinking.kind = Part::Kind::Thinking;
  thinking.text = "The user wants the weather.";
  thinking.signature = "sig";
  assistant.parts.push_back(thinking);
  assistant.parts.push_back(Part::make_text("Checking."));
  Part call;
  call.kind = Part::Kind::ToolUse;
  call.tool_use = {"toolu_01", "get_weather", R"({"city": "Paris"})"};
  assistant.parts.push_back(call);
  call.tool_use = {"toolu_02", "get_time", "{}"};
  assistant.parts.push_back(call);
  model::Turn results{Role::Tool, {}, ""};
  Part res;
  res.kind = Part::Kind::ToolResult;
  res.tool_result = {"toolu_01", "18C", false};
  results.parts.push_back(res);
  res.tool_result = {"toolu_02", "clock offline", true};
  results.parts.push_back(res);
  results.parts.push_back(Part::make_text("Now answer."));
  req.turns = {sys, user, assistant, results};
  req.tools.push_back({"get_weather", "Weather by city",
                       R"({"type":"object","properties":{"city":{"type":"string"}}})", true});
  req.tools.push_back({"get_time", "", "{}", false});
  req.tool_choice.mode = model::ToolChoice::Mode::Required;
  req.tool_choice.parallel = false;
  req.response_format.kind = model::ResponseFormat::Kind::JsonSchema;
  req.response_format.name = "answer";
  req.response_format.schema = R"({"type":"object"})";
  req.response_format.strict = true;
  req.stop = {"STOP"};
  req.max_tokens = 1024;
  req.temperature = 0.5;
  req.top_p = 0.75;
  req.presence_penalty = 0.1;
  req.frequency_penalty = 0.2;
  req.seed = -7;
  req.n = 1;
  req.reasoning = model::Reasoning{std::nullopt, "medium"};
  req.user = "u-9";
  req.stream = true;
  return req;
}

TEST(OpenAICodecEncodeRequest, RendersTheCanonicalRequest) {
  auto body = codec().encode_request(rich_request(), "gpt-4.1");
  ASSERT_TRUE(body) << body.error().message;
  const json expected = json::parse(R"({
    "model": "gpt-4.1",
    "messages": [
      {"role": "system", "content": "Be terse."},
      {"role": "user", "content": [
        {"type": "text", "text": "Look:"},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}]},
      {"role": "assistant", "content": "Checking.", "tool_calls": [
        {"id": "toolu_01", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
        {"id": "toolu_02", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
      {"role": "tool", "tool_call_id": "toolu_01", "content": "18C"},
      {"role": "tool", "tool_call_id": "toolu_02", "content": "Error: clock offline"},
      {"role": "user", "content": "Now answer."}
    ],
    "tools": [
      {"type": "function", "function": {"name": "get_weather", "description": "Weather by city",
        "parameters": {"type":"object","properties":{"city":{"type":"string"}}}, "strict": true}},
      {"type": "function", "function": {"name": "get_time", "parameters": {}}}
    ],
    "tool_choice": "required",
    "parallel_tool_calls": false,
    "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type":"object"}, "strict": true}},
    "stop": ["STOP"],
    "max_completion_tokens": 1024,
    "temperature": 0.5,
    "top_p": 0.75,
    "presence_penalty": 0.1,
    "frequency_penalty": 0.2,
    "seed": -7,
    "n": 1,
    "reasoning_effort": "medium",
    "user": "u-9",
    "stream": true,
    "stream_options": {"include_usage": true}
  })");
  EXPECT_EQ(json::parse(*body), expected) << *body;
  // Tool schemas are inserted as their exact text.
  EXPECT_NE(body->find(R"("parameters":{"type":"object","properties":{"city":{"type":"string"}}})"),
            std::string::npos);
}

TEST(OpenAICodecEncodeRequest, RejectsWhatChatCompletionsCannotExpress) {
  auto req = rich_request();
  req.top_k = 40;
  auto r = codec().encode_request(req, "m");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "top_k cannot be expressed in openai_chat");

  req = rich_request();
  req.turns[0].parts.push_back(req.turns[1].parts[1]);  // an image in the system turn
  r = codec().encode_request(req, "m");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("images in system or developer messages"));

  req = rich_request();
  req.unportable = {"cache_control"};
  r = codec().encode_request(req, "m");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cache_control cannot be expressed in openai_chat");
}

TEST(OpenAICodecEncodeRequest, MapsAThinkingBudgetToAnEffort) {
  auto req = rich_request();
  for (auto [budget, effort] : {std::pair<uint32_t, const char*>{1024, "low"},
                                {2048, "low"},
                                {8000, "medium"},
                                {32000, "high"}}) {
    req.reasoning = model::Reasoning{budget, ""};
    auto body = codec().encode_request(req, "o4-mini");
    ASSERT_TRUE(body);
    EXPECT_EQ(json::parse(*body)["reasoning_effort"], effort) << budget;
  }
}

TEST(OpenAICodecEncodeRequest, AnAssistantTurnWithOnlyToolCallsHasNullContent) {
  model::Request req;
  model::Turn t{Role::Assistant, {}, ""};
  Part call;
  call.kind = Part::Kind::ToolUse;
  call.tool_use = {"c1", "f", ""};
  t.parts.push_back(call);
  req.turns.push_back(t);
  auto body = codec().encode_request(req, "m");
  ASSERT_TRUE(body);
  const json j = json::parse(*body);
  EXPECT_TRUE(j["messages"][0]["content"].is_null());
  EXPECT_EQ(j["messages"][0]["tool_calls"][0]["function"]["arguments"], "");
  EXPECT_FALSE(j.contains("stream"));
}

TEST(OpenAICodecEncodeRequest, KeepsEmptyMessages) {
  // Found by fuzzing: a message without content is still a turn; dropping it could leave
  // no messages at all.
  auto r = codec().decode_request(R"({"model":"m","messages":[{"role":"user"}]})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->turns.size(), 1u);
  EXPECT_TRUE(r->turns[0].parts.empty());
  auto body = codec().encode_request(*r, "m");
  ASSERT_TRUE(body);
  EXPECT_EQ(json::parse(*body)["messages"], json::parse(R"([{"role":"user","content":""}])"));
  EXPECT_TRUE(codec().decode_request(*body));

  model::Request thinking_only;
  model::Turn t{Role::Assistant, {}, ""};
  Part p;
  p.kind = Part::Kind::Thinking;
  p.text = "hidden";
  t.parts.push_back(p);
  thinking_only.turns = {model::Turn{Role::User, {Part::make_text("q")}, ""}, t};
  body = codec().encode_request(thinking_only, "m");
  ASSERT_TRUE(body);
  EXPECT_EQ(json::parse(*body)["messages"].size(), 1u);  // reasoning alone is not sent
}

// ---- round trips ----

void expect_same(const model::Request& a, const model::Request& b) {
  ASSERT_EQ(a.turns.size(), b.turns.size());
  for (size_t i = 0; i < a.turns.size(); ++i) {
    SCOPED_TRACE("turn " + std::to_string(i));
    EXPECT_EQ(a.turns[i].role, b.turns[i].role);
    EXPECT_EQ(a.turns[i].name, b.turns[i].name);
    ASSERT_EQ(a.turns[i].parts.size(), b.turns[i].parts.size());
    for (size_t j = 0; j < a.turns[i].parts.size(); ++j) {
      const Part& x = a.turns[i].parts[j];
      const Part& y = b.turns[i].parts[j];
      EXPECT_EQ(x.kind, y.kind);
      EXPECT_EQ(x.text, y.text);
      EXPECT_EQ(x.image.source, y.image.source);
      EXPECT_EQ(x.image.url, y.image.url);
      EXPECT_EQ(x.image.media_type, y.image.media_type);
      EXPECT_EQ(x.image.data, y.image.data);
      EXPECT_EQ(x.image.detail, y.image.detail);
      EXPECT_EQ(x.tool_use.id, y.tool_use.id);
      EXPECT_EQ(x.tool_use.name, y.tool_use.name);
      EXPECT_EQ(x.tool_use.arguments, y.tool_use.arguments);
      EXPECT_EQ(x.tool_result.tool_use_id, y.tool_result.tool_use_id);
      EXPECT_EQ(x.tool_result.text, y.tool_result.text);
    }
  }
  ASSERT_EQ(a.tools.size(), b.tools.size());
  for (size_t i = 0; i < a.tools.size(); ++i) {
    EXPECT_EQ(a.tools[i].name, b.tools[i].name);
    EXPECT_EQ(a.tools[i].description, b.tools[i].description);
    EXPECT_EQ(a.tools[i].parameters, b.tools[i].parameters);
    EXPECT_EQ(a.tools[i].strict, b.tools[i].strict);
  }
  EXPECT_EQ(a.tool_choice.mode, b.tool_choice.mode);
  EXPECT_EQ(a.tool_choice.name, b.tool_choice.name);
  EXPECT_EQ(a.tool_choice.parallel, b.tool_choice.parallel);
  EXPECT_EQ(a.response_format.kind, b.response_format.kind);
  EXPECT_EQ(a.response_format.name, b.response_format.name);
  EXPECT_EQ(a.response_format.schema, b.response_format.schema);
  EXPECT_EQ(a.response_format.strict, b.response_format.strict);
  EXPECT_EQ(a.stop, b.stop);
  EXPECT_EQ(a.max_tokens, b.max_tokens);
  EXPECT_EQ(a.temperature, b.temperature);
  EXPECT_EQ(a.top_p, b.top_p);
  EXPECT_EQ(a.presence_penalty, b.presence_penalty);
  EXPECT_EQ(a.frequency_penalty, b.frequency_penalty);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.reasoning.has_value(), b.reasoning.has_value());
  if (a.reasoning && b.reasoning) {
    EXPECT_EQ(a.reasoning->effort, b.reasoning->effort);
  }
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.stream, b.stream);
  EXPECT_EQ(a.unportable, b.unportable);
}

TEST(OpenAICodecRoundTrip, CanonicalToWireToCanonical) {
  model::Request req = rich_request();
  auto body = codec().encode_request(req, "gpt-4.1");
  ASSERT_TRUE(body);
  auto back = codec().decode_request(*body);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->model, "gpt-4.1");
  EXPECT_TRUE(back->include_usage);  // streams always ask for usage
  // What the wire changes by design: thinking is not sent; tool results become one tool
  // turn each, the error flag becomes a prefix; the text after them a user turn.
  model::Request expected = req;
  expected.turns[2].parts.erase(expected.turns[2].parts.begin());
  model::Turn r1{Role::Tool, {req.turns[3].parts[0]}, ""};
  model::Turn r2{Role::Tool, {req.turns[3].parts[1]}, ""};
  r2.parts[0].tool_result.text = "Error: clock offline";
  model::Turn after{Role::User, {req.turns[3].parts[2]}, ""};
  expected.turns.resize(3);
  expected.turns.push_back(r1);
  expected.turns.push_back(r2);
  expected.turns.push_back(after);
  expect_same(expected, *back);
}

TEST(OpenAICodecRoundTrip, FixturesSurviveDecodeEncodeDecode) {
  for (const char* name : {"openai_chat/request_tools.json", "openai_chat/request_images.json"}) {
    SCOPED_TRACE(name);
    auto first = codec().decode_request(fixture(name));
    ASSERT_TRUE(first) << first.error().message;
    auto body = codec().encode_request(*first, first->model);
    ASSERT_TRUE(body) << body.error().message;
    auto second = codec().decode_request(*body);
    ASSERT_TRUE(second) << second.error().message;
    expect_same(*first, *second);
  }
}

}  // namespace
}  // namespace sy::protocols
