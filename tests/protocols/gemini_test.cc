#include "protocols/gemini.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sy::protocols {
namespace {

using model::FinishReason;
using model::Part;
using model::Role;
using model::StreamEvent;
using ::testing::HasSubstr;
using Kind = StreamEvent::Kind;
using json = nlohmann::json;

const GeminiCodec& codec() { return GeminiCodec::instance(); }

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SY_SOURCE_DIR) + "/tests/protocols/fixtures/gemini/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The data of each SSE event ("data: …\n\n").
std::vector<std::string> sse_data(const std::string& wire) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < wire.size()) {
    size_t end = wire.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "an SSE event is not terminated";
    if (end == std::string::npos) break;
    std::string event = wire.substr(pos, end - pos);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    out.push_back(event.substr(6));
    pos = end + 2;
  }
  return out;
}

std::vector<StreamEvent> decode_stream(const std::string& wire, bool finish = true) {
  auto dec = codec().stream_decoder();
  std::vector<StreamEvent> events;
  for (const auto& data : sse_data(wire)) {
    auto r = dec->decode("", data, events);
    EXPECT_TRUE(r) << r.error().message;
  }
  if (finish) {
    auto r = dec->finish(events);
    EXPECT_TRUE(r) << r.error().message;
  }
  return events;
}

Part text(std::string s) { return Part::make_text(std::move(s)); }
Part tool_use(std::string id, std::string name, std::string args) {
  Part p;
  p.kind = Part::Kind::ToolUse;
  p.tool_use = {std::move(id), std::move(name), std::move(args)};
  return p;
}
Part tool_result(std::string id, std::string text, bool error = false) {
  Part p;
  p.kind = Part::Kind::ToolResult;
  p.tool_result = {std::move(id), std::move(text), error};
  return p;
}
Part image_url(std::string url, std::string media_type = {}) {
  Part p;
  p.kind = Part::Kind::Image;
  p.image.url = std::move(url);
  p.image.media_type = std::move(media_type);
  return p;
}

// ---- requests: fixtures ----

TEST(GeminiRequest, DecodesTheBasicFixture) {
  auto r = codec().decode_request(fixture("request_basic.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->turns.size(), 2u);
  EXPECT_EQ(r->turns[0].role, Role::System);
  EXPECT_EQ(r->turns[0].parts[0].text, "You are a terse assistant.");
  EXPECT_EQ(r->turns[1].role, Role::User);
  EXPECT_EQ(r->turns[1].parts[0].text, "List three primes as JSON.");
  EXPECT_EQ(r->temperature, 0.4);
  EXPECT_EQ(r->top_p, 0.9);
  EXPECT_EQ(r->top_k, 40u);
  EXPECT_EQ(r->max_tokens, 256u);
  EXPECT_EQ(r->n, 1u);
  EXPECT_EQ(r->presence_penalty, 0.5);
  EXPECT_EQ(r->frequency_penalty, 0.25);
  EXPECT_EQ(r->seed, 7);
  EXPECT_THAT(r->stop, ::testing::ElementsAre("END", "\n\n"));
  EXPECT_EQ(r->response_format.kind, model::ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(json::parse(r->response_format.schema)["required"][0], "primes");
  ASSERT_TRUE(r->reasoning);
  EXPECT_EQ(r->reasoning->budget_tokens, 1024u);
}

TEST(GeminiRequest, DecodesToolsImagesCallsAndResponses) {
  auto r = codec().decode_request(fixture("request_tools.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->turns.size(), 3u);
  const auto& user = r->turns[0];
  ASSERT_EQ(user.parts.size(), 3u);
  EXPECT_EQ(user.parts[1].kind, Part::Kind::Image);
  EXPECT_EQ(user.parts[1].image.source, model::Image::Source::Base64);
  EXPECT_EQ(user.parts[1].image.media_type, "image/png");
  EXPECT_EQ(user.parts[2].image.source, model::Image::Source::Url);
  EXPECT_EQ(user.parts[2].image.url, "gs://example-bucket/photos/harbour.jpg");
  EXPECT_EQ(user.parts[2].image.media_type, "image/jpeg");

  const auto& model_turn = r->turns[1];
  EXPECT_EQ(model_turn.role, Role::Assistant);
  ASSERT_EQ(model_turn.parts.size(), 2u);
  EXPECT_EQ(model_turn.parts[0].tool_use.id, "call_0");
  EXPECT_EQ(model_turn.parts[0].tool_use.name, "get_weather");
  EXPECT_EQ(model_turn.parts[0].tool_use.arguments, R"({"city": "Paris", "unit": "celsius"})");
  EXPECT_EQ(model_turn.parts[0].signature, "c2lnbmF0dXJlLTE=");
  EXPECT_EQ(model_turn.parts[1].tool_use.id, "call_1");

  const auto& results = r->turns[2];
  EXPECT_EQ(results.role, Role::Tool);
  ASSERT_EQ(results.parts.size(), 2u);
  EXPECT_EQ(results.parts[0].tool_result.tool_use_id, "call_0");
  EXPECT_EQ(results.parts[0].tool_result.text, R"({"temperature": 18, "sky": "clear"})");
  EXPECT_EQ(results.parts[1].tool_result.tool_use_id, "call_1");
  EXPECT_EQ(results.parts[1].tool_result.text, "4 degrees, light snow");
  EXPECT_FALSE(results.parts[1].tool_result.is_error);

  ASSERT_EQ(r->tools.size(), 2u);
  EXPECT_EQ(r->tools[0].name, "get_weather");
  EXPECT_EQ(r->tools[0].description, "Current weather for a city.");
  EXPECT_THAT(r->tools[0].parameters, HasSubstr(R"("additionalProperties": false)"));
  EXPECT_EQ(r->tool_choice.mode, model::ToolChoice::Mode::Named);
  EXPECT_EQ(r->tool_choice.name, "get_weather");
}

// Decoding a fixture and encoding it again gives the fixture back (as parsed JSON).
class GeminiRequestFixture : public ::testing::TestWithParam<const char*> {};
TEST_P(GeminiRequestFixture, ReencodesToTheSameJson) {
  const std::string body = fixture(GetParam());
  auto r = codec().decode_request(body);
  ASSERT_TRUE(r) << r.error().message;
  auto out = codec().encode_request(*r, "gemini-2.5-flash");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(json::parse(*out), json::parse(body)) << *out;
}
INSTANTIATE_TEST_SUITE_P(Fixtures, GeminiRequestFixture,
                         ::testing::Values("request_basic.json", "request_tools.json"));

// ---- requests: encoding from other protocols' shapes ----

model::Request openai_style_request() {
  model::Request req;
  req.turns.push_back({Role::System, {text("Be brief.")}, {}});
  req.turns.push_back({Role::Developer, {text("Use metric units.")}, {}});
  req.turns.push_back({Role::User, {text("Weather in Paris and Oslo?")}, {}});
  req.turns.push_back({Role::Assistant,
                       {text(""), tool_use("call_abc", "get_weather", R"({"city":"Paris"})"),
                        tool_use("call_def", "get_weather", R"({"city":"Oslo"})")},
                       {}});
  req.turns.push_back({Role::Tool, {tool_result("call_abc", R"({"temp":18})")}, {}});
  req.turns.push_back({Role::Tool, {tool_result("call_def", "timeout", true)}, {}});
  req.tools.push_back(
      {"get_weather", "Weather by city",
       R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false})",
       true});
  req.tool_choice.mode = model::ToolChoice::Mode::Auto;
  req.max_tokens = 100;
  return req;
}

TEST(GeminiRequest, EncodesAnOpenAIStyleConversation) {
  auto out = codec().encode_request(openai_style_request(), "gemini-2.5-flash");
  ASSERT_TRUE(out) << out.error().message;
  const json expected = json::parse(R"({
    "contents": [
      {"role": "user", "parts": [{"text": "Weather in Paris and Oslo?"}]},
      {"role": "model", "parts": [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
        {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}]},
      {"role": "user", "parts": [
        {"functionResponse": {"name": "get_weather", "response": {"temp": 18}}},
        {"functionResponse": {"name": "get_weather", "response": {"error": "timeout"}}}]}
    ],
    "systemInstruction": {"parts": [{"text": "Be brief."}, {"text": "Use metric units."}]},
    "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather by city",
      "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}},
                               "additionalProperties": false}}]}],
    "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
    "generationConfig": {"maxOutputTokens": 100}
  })");
  EXPECT_EQ(json::parse(*out), expected) << *out;
  // Verbatim: the arguments' bytes are copied, not re-serialised.
  EXPECT_THAT(*out, HasSubstr(R"("args":{"city":"Paris"})"));
}

TEST(GeminiRequest, AnthropicStyleResultsAndTextShareOneUserContent) {
  model::Request req;
  req.turns.push_back({Role::User, {text("go")}, {}});
  req.turns.push_back({Role::Assistant, {tool_use("toolu_1", "run", R"({"cmd": "ls"})")}, {}});
  req.turns.push_back(
      {Role::User, {tool_result("toolu_1", R"({"code": 2})", true), text("it failed")}, {}});
  auto out = codec().encode_request(req, "m");
  ASSERT_TRUE(out) << out.error().message;
  const auto contents = json::parse(*out)["contents"];
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[2]["role"], "user");
  EXPECT_EQ(contents[2]["parts"][0],
            json::parse(R"({"functionResponse":{"name":"run","response":{"error":{"code":2}}}})"));
  EXPECT_EQ(contents[2]["parts"][1], json::parse(R"({"text":"it failed"})"));
  auto back = codec().decode_request(*out);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->turns.size(), 4u);  // the results become a tool turn, then the user's text
  EXPECT_EQ(back->turns[2].role, Role::Tool);
  EXPECT_TRUE(back->turns[2].parts[0].tool_result.is_error);
  EXPECT_EQ(back->turns[2].parts[0].tool_result.text, R"({"code":2})");
  EXPECT_EQ(back->turns[3].role, Role::User);
}

TEST(GeminiRequest, ToolResultWithoutItsCallFailsClearly) {
  model::Request req;
  req.turns.push_back({Role::User, {text("hi")}, {}});
  req.turns.push_back({Role::Tool, {tool_result("call_missing", "42")}, {}});
  auto out = codec().encode_request(req, "m");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().status, 400);
  EXPECT_THAT(out.error().message, HasSubstr("call_missing"));
  EXPECT_THAT(out.error().message, HasSubstr("function name"));
}

TEST(GeminiRequest, ToolChoiceModes) {
  auto mode_of = [](model::ToolChoice tc) {
    model::Request req;
    req.turns.push_back({Role::User, {text("x")}, {}});
    req.tools.push_back({"f", "", "{}", false});
    req.tool_choice = tc;
    auto out = codec().encode_request(req, "m");
    EXPECT_TRUE(out);
    return json::parse(*out)["toolConfig"]["functionCallingConfig"];
  };
  using Mode = model::ToolChoice::Mode;
  EXPECT_EQ(mode_of({Mode::None, "", {}})["mode"], "NONE");
  EXPECT_EQ(mode_of({Mode::Required, "", {}})["mode"], "ANY");
  const auto named = mode_of({Mode::Named, "f", {}});
  EXPECT_EQ(named["mode"], "ANY");
  EXPECT_EQ(named["allowedFunctionNames"], json::parse(R"(["f"])"));
}

TEST(GeminiRequest, ImagesByDataUrlAndStorageUri) {
  model::Request req;
  req.turns.push_back(
      {Role::User,
       {image_url("data:image/webp;base64,UklGRg=="), image_url("gs://bucket/a/b.PNG"),
        image_url("https://generativelanguage.googleapis.com/v1beta/files/abc", "image/jpeg")},
       {}});
  auto out = codec().encode_request(req, "m");
  ASSERT_TRUE(out) << out.error().message;
  const auto parts = json::parse(*out)["contents"][0]["parts"];
  EXPECT_EQ(parts[0], json::parse(R"({"inlineData":{"mimeType":"image/webp","data":"UklGRg=="}})"));
  EXPECT_EQ(
      parts[1],
      json::parse(R"({"fileData":{"mimeType":"image/png","fileUri":"gs://bucket/a/b.PNG"}})"));
  EXPECT_EQ(parts[2]["fileData"]["mimeType"], "image/jpeg");
}

struct UnsupportedCase {
  const char* what;
  model::Request req;
  const char* message;
};

model::Request with_user(Part p) {
  model::Request req;
  req.turns.push_back({Role::User, {std::move(p)}, {}});
  return req;
}

TEST(GeminiRequest, RejectsWhatGeminiCannotExpress) {
  std::vector<UnsupportedCase> cases;
  cases.push_back(
      {"https image", with_user(image_url("https://example.com/cat.png")), "image URL"});
  {
    auto req = with_user(text("x"));
    req.tool_choice.parallel = false;
    cases.push_back({"parallel off", req, "parallel_tool_calls=false"});
  }
  {
    auto req = with_user(text("x"));
    req.turns[0].name = "alice";
    cases.push_back({"participant name", req, "participant name"});
  }
  {
    auto req = with_user(text("x"));
    Part p;
    p.kind = Part::Kind::RedactedThinking;
    p.text = "opaque";
    req.turns.push_back({Role::Assistant, {p}, {}});
    cases.push_back({"redacted thinking", req, "redacted thinking"});
  }
  {
    model::Request req;
    Part img = image_url("https://example.com/x.png");
    req.turns.push_back({Role::System, {img}, {}});
    req.turns.push_back({Role::User, {text("x")}, {}});
    cases.push_back({"system image", req, "non-text system content"});
  }
  for (const auto& c : cases) {
    auto out = codec().encode_request(c.req, "m");
    ASSERT_FALSE(out) << c.what;
    EXPECT_EQ(out.error().status, 400) << c.what;
    EXPECT_EQ(out.error().code, "unsupported_feature") << c.what;
    EXPECT_THAT(out.error().message, HasSubstr(c.message)) << c.what;
    EXPECT_THAT(out.error().message, HasSubstr("gemini")) << c.what;
  }
}

TEST(GeminiRequest, RejectsArgumentsThatAreNotAnObject) {
  model::Request req = with_user(text("x"));
  req.turns.push_back({Role::Assistant, {tool_use("c1", "f", R"({"a":)")}, {}});
  auto out = codec().encode_request(req, "m");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, HasSubstr("not a JSON object"));
  req.turns[1].parts[0].tool_use.arguments = "[1,2]";
  EXPECT_FALSE(codec().encode_request(req, "m"));
  req.turns[1].parts[0].tool_use.arguments = "";  // no arguments → {}
  auto ok = codec().encode_request(req, "m");
  ASSERT_TRUE(ok);
  EXPECT_EQ(json::parse(*ok)["contents"][1]["parts"][0]["functionCall"]["args"], json::object());
}

struct BadRequest {
  const char* body;
  const char* message;
};
class GeminiRequestRejects : public ::testing::TestWithParam<BadRequest> {};
TEST_P(GeminiRequestRejects, WithTheFieldNamed) {
  auto r = codec().decode_request(GetParam().body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_THAT(r.error().message, HasSubstr(GetParam().message));
}
INSTANTIATE_TEST_SUITE_P(
    BadInput, GeminiRequestRejects,
    ::testing::Values(
        BadRequest{"", "not valid JSON"}, BadRequest{"[]", "must be a JSON object"},
        BadRequest{R"({"contents":[]})", "contents: must contain"},
        BadRequest{R"({"contents":[{"role":"user","parts":[{"text":1}]}]})",
                   "contents[0].parts[0].text: expected a string, got a number"},
        BadRequest{R"({"contents":[{"role":"robot","parts":[{"text":"x"}]}]})",
                   "contents[0].role: unknown role"},
        BadRequest{R"({"contents":[{"role":"user","parts":[{}]}]})",
                   "contents[0].parts[0]: a part needs"},
        BadRequest{R"({"contents":[{"parts":[{"functionResponse":{"name":"f","response":{}}}]}]})",
                   "no earlier functionCall named \"f\""},
        BadRequest{R"({"contents":[{"parts":[{"text":"x"}]}],"safetySettings":[]})",
                   "safetySettings cannot be expressed"},
        BadRequest{R"({"contents":[{"parts":[{"text":"x"}]}],"tools":[{"googleSearch":{}}]})",
                   "tools[0].googleSearch cannot be expressed"},
        BadRequest{R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"topK":-1}})",
                   "generationConfig.topK: must be a non-negative"},
        BadRequest{
            R"({"contents":[{"parts":[{"inlineData":{"mimeType":"audio/wav","data":"AA=="}}]}]})",
            "of type audio/wav"},
        BadRequest{R"({"contents":[{"parts":[{"text":"x"}]}]} trailing)", "not valid JSON"}));

// ---- requests: round trips canonical → Gemini → canonical ----

TEST(GeminiRoundTrip, RequestWithEverythingGeminiCarries) {
  model::Request req = openai_style_request();
  req.tools[0].parameters = R"({"type":"object","properties":{"city":{"type":"string"}}})";
  req.tools[0].strict = false;
  req.turns[3].parts.erase(req.turns[3].parts.begin());  // the empty text part is not sent
  req.turns[2].parts.push_back(image_url("data:image/png;base64,iVBORw0KGgo="));
  req.stop = {"###"};
  req.temperature = 0.7;
  req.top_p = 0.95;
  req.top_k = 20;
  req.presence_penalty = -0.5;
  req.frequency_penalty = 1.5;
  req.seed = -3;
  req.n = 2;
  req.reasoning = model::Reasoning{2048, "high"};
  req.response_format.kind = model::ResponseFormat::Kind::JsonSchema;
  req.response_format.schema = R"({"type":"object","properties":{"a":{"type":"number"}}})";
  Part thinking;
  thinking.kind = Part::Kind::Thinking;
  thinking.text = "considering";
  thinking.signature = "sig==";
  req.turns[3].parts.insert(req.turns[3].parts.begin(), thinking);

  auto wire = codec().encode_request(req, "m");
  ASSERT_TRUE(wire) << wire.error().message;
  auto back = codec().decode_request(*wire);
  ASSERT_TRUE(back) << back.error().message << "\n" << *wire;

  // System and developer turns are hoisted into one system instruction.
  ASSERT_EQ(back->turns.size(), 4u);
  EXPECT_EQ(back->turns[0].role, Role::System);
  ASSERT_EQ(back->turns[0].parts.size(), 2u);
  EXPECT_EQ(back->turns[0].parts[1].text, "Use metric units.");
  EXPECT_EQ(back->turns[1].parts[1].image.media_type, "image/png");
  EXPECT_EQ(back->turns[1].parts[1].image.data, "iVBORw0KGgo=");
  const auto& asst = back->turns[2];
  ASSERT_EQ(asst.parts.size(), 3u);
  EXPECT_EQ(asst.parts[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(asst.parts[0].text, "considering");
  EXPECT_EQ(asst.parts[0].signature, "sig==");
  EXPECT_EQ(asst.parts[1].tool_use.arguments, R"({"city":"Paris"})");
  EXPECT_EQ(asst.parts[2].tool_use.arguments, R"({"city":"Oslo"})");
  // Ids are synthesised on the way back, and results are linked to them in order.
  const auto& results = back->turns[3];
  EXPECT_EQ(results.role, Role::Tool);
  ASSERT_EQ(results.parts.size(), 2u);
  EXPECT_EQ(results.parts[0].tool_result.tool_use_id, asst.parts[1].tool_use.id);
  EXPECT_EQ(results.parts[0].tool_result.text, R"({"temp":18})");
  EXPECT_EQ(results.parts[1].tool_result.tool_use_id, asst.parts[2].tool_use.id);
  EXPECT_EQ(results.parts[1].tool_result.text, "timeout");
  EXPECT_TRUE(results.parts[1].tool_result.is_error);

  ASSERT_EQ(back->tools.size(), 1u);
  EXPECT_EQ(back->tools[0].parameters, req.tools[0].parameters);
  EXPECT_EQ(back->tool_choice.mode, model::ToolChoice::Mode::Auto);
  EXPECT_EQ(back->stop, req.stop);
  EXPECT_EQ(back->temperature, req.temperature);
  EXPECT_EQ(back->top_p, req.top_p);
  EXPECT_EQ(back->top_k, req.top_k);
  EXPECT_EQ(back->presence_penalty, req.presence_penalty);
  EXPECT_EQ(back->frequency_penalty, req.frequency_penalty);
  EXPECT_EQ(back->seed, req.seed);
  EXPECT_EQ(back->n, req.n);
  EXPECT_EQ(back->max_tokens, req.max_tokens);
  ASSERT_TRUE(back->reasoning);
  EXPECT_EQ(back->reasoning->budget_tokens, 2048u);
  EXPECT_EQ(back->reasoning->effort, "high");
  EXPECT_EQ(back->response_format.kind, model::ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(back->response_format.schema, req.response_format.schema);
}

TEST(GeminiRoundTrip, JsonObjectFormatAndNamedToolChoice) {
  model::Request req = with_user(text("hi"));
  req.tools.push_back({"lookup", "", "{}", false});
  req.tool_choice.mode = model::ToolChoice::Mode::Named;
  req.tool_choice.name = "lookup";
  req.response_format.kind = model::ResponseFormat::Kind::JsonObject;
  auto wire = codec().encode_request(req, "m");
  ASSERT_TRUE(wire);
  auto back = codec().decode_request(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->response_format.kind, model::ResponseFormat::Kind::JsonObject);
  EXPECT_EQ(back->tool_choice.mode, model::ToolChoice::Mode::Named);
  EXPECT_EQ(back->tool_choice.name, "lookup");
  EXPECT_EQ(back->tools[0].parameters, "{}");
}

// ---- paths, ingress, forwarding ----

TEST(GeminiCodec, RequestPath) {
  EXPECT_EQ(codec().request_path("gemini-2.5-flash", false),
            "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_EQ(codec().request_path("models/gemini-2.5-pro", true),
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
  EXPECT_EQ(codec().request_path("a b/c?d", false), "/v1beta/models/a%20b%2Fc%3Fd:generateContent");
}

TEST(GeminiCodec, IngressSummaryAndForwarding) {
  const std::string body = fixture("request_tools.json");
  auto r = codec().decode_ingress(body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->protocol, model::Protocol::Gemini);
  ASSERT_EQ(r->messages.size(), 3u);
  EXPECT_EQ(r->messages[0].image_parts, 2u);
  EXPECT_EQ(r->messages[1].tool_calls, 2u);
  EXPECT_EQ(r->tools, 2u);
  EXPECT_THAT(r->tool_names, ::testing::ElementsAre("get_weather", "get_time"));
  EXPECT_EQ(codec().forward_request(*r, "other-model"), body);
  EXPECT_FALSE(codec().decode_ingress("{\"contents\":1}"));
}

TEST(GeminiCodec, IsRegistered) {
  EXPECT_EQ(&codec_for(model::Protocol::Gemini), &codec());
  EXPECT_EQ(codec().name(), "gemini");
}

// ---- responses ----

TEST(GeminiResponse, DecodesTextThoughtsAndUsage) {
  auto r = codec().decode_response(fixture("response_text.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, "mYQmaK3lAuHz7M8P5Y2zsQw");
  EXPECT_EQ(r->model, "gemini-2.5-flash");
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->content[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(r->content[1].kind, Part::Kind::Text);
  EXPECT_EQ(r->content[1].text, R"({"primes": [2, 3, 5]})");
  EXPECT_EQ(r->finish, FinishReason::EndTurn);
  EXPECT_TRUE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 31u);
  EXPECT_EQ(r->usage.output_tokens, 66u);  // candidates + thoughts
  EXPECT_EQ(r->usage.cached_input_tokens, 8u);
  EXPECT_EQ(r->usage.reasoning_tokens, 54u);
}

TEST(GeminiResponse, FunctionCallsGetIdsAndFinishAsToolUse) {
  auto r = codec().decode_response(fixture("response_tool.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->content[0].tool_use.id, "call_0");
  EXPECT_EQ(r->content[0].tool_use.arguments, R"({"city": "Paris", "unit": "celsius"})");
  EXPECT_EQ(r->content[0].signature, "c2lnbmF0dXJlLTE=");
  EXPECT_EQ(r->content[1].tool_use.id, "call_1");
  EXPECT_EQ(r->finish, FinishReason::ToolUse);
}

TEST(GeminiResponse, ABlockedPromptIsAnEmptyContentFilterAnswer) {
  auto r = codec().decode_response(fixture("response_blocked.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->content.empty());
  EXPECT_EQ(r->finish, FinishReason::ContentFilter);
  EXPECT_EQ(r->usage.input_tokens, 14u);
}

TEST(GeminiResponse, FinishReasonTable) {
  const std::pair<const char*, FinishReason> table[] = {
      {"STOP", FinishReason::EndTurn},
      {"MAX_TOKENS", FinishReason::MaxTokens},
      {"SAFETY", FinishReason::ContentFilter},
      {"RECITATION", FinishReason::ContentFilter},
      {"BLOCKLIST", FinishReason::ContentFilter},
      {"PROHIBITED_CONTENT", FinishReason::ContentFilter},
      {"SPII", FinishReason::ContentFilter},
      {"LANGUAGE", FinishReason::Other},
      {"MALFORMED_FUNCTION_CALL", FinishReason::Other},
      {"OTHER", FinishReason::Other}};
  for (const auto& [wire, finish] : table) {
    const std::string body =
        std::string(R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":")") +
        wire + "\"}]}";
    auto r = codec().decode_response(body);
    ASSERT_TRUE(r) << wire;
    EXPECT_EQ(r->finish, finish) << wire;
  }
}

TEST(GeminiResponse, RejectsMalformedUpstreamBodiesAsUpstreamErrors) {
  for (const char* body :
       {"", "{", R"({"candidates":{}})", R"({})",
        R"({"candidates":[{"content":{"parts":[{"functionCall":{"args":{}}}]}}]})",
        R"({"usageMetadata":{"promptTokenCount":"x"},"candidates":[]})"}) {
    auto r = codec().decode_response(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError) << body;
    EXPECT_EQ(r.error().status, 502) << body;
  }
  auto bad_args = codec().decode_response(
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a": P"x"}}}]}}]})");
  ASSERT_FALSE(bad_args);
  EXPECT_THAT(
      bad_args.error().message,
      HasSubstr("candidates[0].content.parts[0].functionCall.args: not a valid JSON object"));
  auto r = codec().decode_response(
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"args":{}}}]}}]})");
  EXPECT_THAT(r.error().message,
              HasSubstr("candidates[0].content.parts[0].functionCall.name: required"));
}

TEST(GeminiRoundTrip, Response) {
  model::Response resp;
  resp.id = "r-1";
  resp.model = "gemini-2.5-pro";
  Part thinking;
  thinking.kind = Part::Kind::Thinking;
  thinking.text = "hmm";
  resp.content = {thinking, text("Here you go."), tool_use("toolu_1", "f", R"({"x": [1, 2]})")};
  resp.finish = FinishReason::ToolUse;
  resp.usage = {100, 40, 10, 15, true};
  auto wire = codec().encode_response(resp);
  ASSERT_TRUE(wire) << wire.error().message;
  auto back = codec().decode_response(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->id, "r-1");
  EXPECT_EQ(back->model, "gemini-2.5-pro");
  ASSERT_EQ(back->content.size(), 3u);
  EXPECT_EQ(back->content[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(back->content[1].text, "Here you go.");
  EXPECT_EQ(back->content[2].tool_use.id, "toolu_1");  // ids given are kept
  EXPECT_EQ(back->content[2].tool_use.arguments, R"({"x": [1, 2]})");
  EXPECT_EQ(back->finish, FinishReason::ToolUse);
  EXPECT_EQ(back->usage.input_tokens, 100u);
  EXPECT_EQ(back->usage.output_tokens, 40u);
  EXPECT_EQ(back->usage.cached_input_tokens, 10u);
  EXPECT_EQ(back->usage.reasoning_tokens, 15u);
  for (auto f : {FinishReason::EndTurn, FinishReason::MaxTokens, FinishReason::ContentFilter,
                 FinishReason::Other}) {
    model::Response r2;
    r2.content = {text("x")};
    r2.finish = f;
    auto w2 = codec().encode_response(r2);
    ASSERT_TRUE(w2);
    EXPECT_EQ(codec().decode_response(*w2)->finish, f);
  }
}

// ---- streams ----

TEST(GeminiStream, DecodesTheTextFixture) {
  auto events = decode_stream(fixture("stream_text.sse"));
  std::vector<Kind> kinds;
  std::string text_out;
  for (const auto& e : events) {
    kinds.push_back(e.kind);
    if (e.kind == Kind::TextDelta) {
      EXPECT_EQ(e.index, 0u);
      text_out += e.text;
    }
  }
  EXPECT_THAT(kinds, ::testing::ElementsAre(Kind::MessageStart, Kind::TextDelta, Kind::Usage,
                                            Kind::TextDelta, Kind::Usage, Kind::TextDelta,
                                            Kind::Usage, Kind::Stop));
  EXPECT_EQ(events[0].id, "stream-1");
  EXPECT_EQ(events[0].name, "gemini-2.5-flash");
  EXPECT_EQ(text_out, "The quarterly report shows revenue up 12% and costs flat.");
  EXPECT_EQ(events[6].usage.output_tokens, 13u);
  EXPECT_EQ(events.back().finish, FinishReason::EndTurn);
}

TEST(GeminiStream, DecodesThoughtsTextAndWholeFunctionCalls) {
  auto events = decode_stream(fixture("stream_tool.sse"));
  ASSERT_EQ(events.size(), 11u);
  EXPECT_EQ(events[1].kind, Kind::ThinkingDelta);
  EXPECT_EQ(events[1].index, 0u);
  EXPECT_EQ(events[2].kind, Kind::TextDelta);
  EXPECT_EQ(events[2].index, 1u);
  EXPECT_EQ(events[3].kind, Kind::ToolCallStart);
  EXPECT_EQ(events[3].index, 2u);
  EXPECT_EQ(events[3].id, "call_0");
  EXPECT_EQ(events[3].name, "get_weather");
  EXPECT_EQ(events[3].signature, "c2lnLTE=");
  EXPECT_EQ(events[4].kind, Kind::ToolCallDelta);
  EXPECT_EQ(events[4].text, R"({"city": "Paris","unit": "celsius"})");
  EXPECT_EQ(events[5].kind, Kind::ToolCallEnd);
  EXPECT_EQ(events[6].kind, Kind::ToolCallStart);
  EXPECT_EQ(events[6].index, 3u);
  EXPECT_EQ(events[6].id, "call_1");
  EXPECT_EQ(events[9].kind, Kind::Usage);
  EXPECT_EQ(events[9].usage.reasoning_tokens, 12u);
  EXPECT_EQ(events[10].kind, Kind::Stop);
  EXPECT_EQ(events[10].finish, FinishReason::ToolUse);
}

TEST(GeminiStream, EndingWithoutAFinishReasonFails) {
  auto dec = codec().stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(
      dec->decode("", R"({"candidates":[{"content":{"parts":[{"text":"Hel"}]}}]})", events));
  auto r = dec->finish(events);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError);
  EXPECT_THAT(r.error().message, HasSubstr("finishReason"));
}

TEST(GeminiStream, BadChunksAndErrorChunks) {
  auto dec = codec().stream_decoder();
  std::vector<StreamEvent> events;
  auto bad = dec->decode("", R"({"candidates":[{"content":{"parts":[{"text":7}]}}]})", events);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message,
              HasSubstr("candidates[0].content.parts[0].text: expected a string"));

  auto dec2 = codec().stream_decoder();
  events.clear();
  ASSERT_TRUE(dec2->decode("", fixture("error.json"), events));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::Error);
  EXPECT_THAT(events[0].text, HasSubstr("API key not valid"));
  EXPECT_EQ(events[0].error_type, "INVALID_ARGUMENT");
  EXPECT_TRUE(dec2->finish(events));
}

TEST(GeminiStream, AnErrorBeforeAnyOutputKeepsTheMessageStart) {
  const std::string wire =
      "data: {\"candidates\":[{\"index\":0}],\"responseId\":\"r9\"}\n\n"
      "data: {\"error\":{\"code\":503,\"message\":\"overloaded\",\"status\":\"UNAVAILABLE\"}}\n\n";
  const auto first = decode_stream(wire);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].kind, Kind::MessageStart);
  EXPECT_EQ(first[1].kind, Kind::Error);
  auto enc = codec().stream_encoder({});
  std::string again;
  for (const auto& e : first) enc->encode(e, again);
  enc->finish(again);
  const auto second = decode_stream(again);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].kind, Kind::MessageStart);
  EXPECT_EQ(second[0].id, "r9");
  EXPECT_EQ(second[1].kind, Kind::Error);
  EXPECT_EQ(second[1].text, "overloaded");
  EXPECT_EQ(second[1].error_type, "UNAVAILABLE");
}

TEST(GeminiStream, ABlockedPromptStopsWithContentFilter) {
  auto dec = codec().stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(
      dec->decode("", R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}})", events));
  ASSERT_TRUE(dec->finish(events));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::Stop);
  EXPECT_EQ(events[1].finish, FinishReason::ContentFilter);
}

std::vector<StreamEvent> tool_call_events(const std::string& args, size_t max_piece) {
  std::vector<StreamEvent> ev;
  StreamEvent start{.kind = Kind::MessageStart};
  start.id = "msg_1";
  start.name = "claude-x";
  ev.push_back(start);
  StreamEvent t{.kind = Kind::TextDelta, .index = 0};
  t.text = "Calling.";
  ev.push_back(t);
  StreamEvent cs{.kind = Kind::ToolCallStart, .index = 1};
  cs.id = "toolu_01";
  cs.name = "search";
  ev.push_back(cs);
  // Fragments of 1..max_piece bytes, cutting through escapes and multi-byte characters.
  size_t pos = 0, step = 0;
  while (pos < args.size()) {
    const size_t n = std::min(args.size() - pos, 1 + (step++ % max_piece));
    StreamEvent d{.kind = Kind::ToolCallDelta, .index = 1};
    d.text = args.substr(pos, n);
    ev.push_back(d);
    pos += n;
  }
  ev.push_back(StreamEvent{.kind = Kind::ToolCallEnd, .index = 1});
  StreamEvent u{.kind = Kind::Usage};
  u.usage = {12, 30, 0, 0, true};
  ev.push_back(u);
  StreamEvent s{.kind = Kind::Stop};
  s.finish = FinishReason::ToolUse;
  ev.push_back(s);
  return ev;
}

TEST(GeminiStream, ArgumentsInTinyDeltasSurviveEncodeAndDecodeByteForByte) {
  const std::string args =
      R"({"query": "caf\u00e9 \"quoted\" \\ back", "limit": 10, "nested": {"a": [1, 2.5, true, null]}, "emoji": "🚀 ünï"})";
  for (size_t max_piece : {1u, 2u, 3u}) {
    auto enc = codec().stream_encoder({});
    std::string wire;
    for (const auto& e : tool_call_events(args, max_piece)) enc->encode(e, wire);
    enc->finish(wire);
    auto back = decode_stream(wire);
    std::string got;
    std::string id, name;
    for (const auto& e : back) {
      if (e.kind == Kind::ToolCallDelta) got += e.text;
      if (e.kind == Kind::ToolCallStart) {
        id = e.id;
        name = e.name;
      }
      EXPECT_NE(e.kind, Kind::Error) << e.text;
    }
    EXPECT_EQ(got, args) << "max piece " << max_piece;
    EXPECT_EQ(id, "toolu_01");
    EXPECT_EQ(name, "search");
    EXPECT_EQ(back.front().kind, Kind::MessageStart);
    EXPECT_EQ(back.front().id, "msg_1");
    EXPECT_EQ(back.back().kind, Kind::Stop);
    EXPECT_EQ(back.back().finish, FinishReason::ToolUse);
  }
}

TEST(GeminiStream, EncoderEmitsWholeSseChunks) {
  auto enc = codec().stream_encoder({});
  std::string wire;
  for (const auto& e : tool_call_events(R"({"q":"x"})", 2)) enc->encode(e, wire);
  enc->finish(wire);
  const auto chunks = sse_data(wire);
  ASSERT_EQ(chunks.size(), 3u);  // text, the whole call, finish + usage
  const auto call = json::parse(chunks[1]);
  EXPECT_EQ(call["candidates"][0]["content"]["parts"][0]["functionCall"],
            json::parse(R"({"id":"toolu_01","name":"search","args":{"q":"x"}})"));
  EXPECT_EQ(call["responseId"], "msg_1");
  const auto last = json::parse(chunks[2]);
  EXPECT_EQ(last["candidates"][0]["finishReason"], "STOP");
  EXPECT_EQ(last["usageMetadata"]["promptTokenCount"], 12);
  EXPECT_EQ(last["usageMetadata"]["candidatesTokenCount"], 30);
}

TEST(GeminiStream, EncoderRejectsArgumentsThatAreNotJson) {
  auto enc = codec().stream_encoder({});
  std::string wire;
  for (const auto& e : tool_call_events(R"({"q":)", 2)) enc->encode(e, wire);
  const auto chunks = sse_data(wire);
  bool saw_error = false;
  for (const auto& c : chunks) {
    const auto j = json::parse(c);
    if (j.contains("error")) {
      saw_error = true;
      EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr("not a JSON object"));
    }
    if (j.contains("candidates") && j["candidates"][0].contains("content")) {
      EXPECT_FALSE(j["candidates"][0]["content"]["parts"][0].contains("functionCall"));
    }
  }
  EXPECT_TRUE(saw_error);
}

TEST(GeminiStream, FixtureRoundTripsThroughTheEncoder) {
  const auto first = decode_stream(fixture("stream_tool.sse"));
  auto enc = codec().stream_encoder({});
  std::string wire;
  for (const auto& e : first) enc->encode(e, wire);
  enc->finish(wire);
  const auto second = decode_stream(wire);
  // Same content events; the usage moves to the final chunk.
  auto content = [](const std::vector<StreamEvent>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) {
      if (e.kind == Kind::Usage) continue;
      out.push_back(std::to_string(static_cast<int>(e.kind)) + "|" + std::to_string(e.index) + "|" +
                    e.id + "|" + e.name + "|" + e.text + "|" + e.signature + "|" +
                    model::finish_reason_name(e.finish));
    }
    return out;
  };
  EXPECT_EQ(content(second), content(first));
}

// ---- errors ----

TEST(GeminiErrors, EncodeWithGoogleStatusNames) {
  const std::pair<ErrorKind, const char*> table[] = {
      {ErrorKind::InvalidRequest, "INVALID_ARGUMENT"},
      {ErrorKind::Authentication, "UNAUTHENTICATED"},
      {ErrorKind::PermissionDenied, "PERMISSION_DENIED"},
      {ErrorKind::NotFound, "NOT_FOUND"},
      {ErrorKind::RateLimited, "RESOURCE_EXHAUSTED"},
      {ErrorKind::Internal, "INTERNAL"},
      {ErrorKind::Unavailable, "UNAVAILABLE"},
      {ErrorKind::UpstreamTimeout, "DEADLINE_EXCEEDED"}};
  for (const auto& [kind, status] : table) {
    const auto body = json::parse(codec().encode_error(Error::make(kind, "boom \"quoted\"")));
    EXPECT_EQ(body["error"]["status"], status);
    EXPECT_EQ(body["error"]["code"], status_for(kind));
    EXPECT_EQ(body["error"]["message"], "boom \"quoted\"");
  }
}

TEST(GeminiErrors, DecodeMessage) {
  EXPECT_EQ(codec().decode_error_message(fixture("error.json")),
            "API key not valid. Please pass a valid API key.");
  EXPECT_EQ(codec().decode_error_message(R"([{"error":{"code":429,"message":"quota"}}])"), "quota");
  EXPECT_EQ(codec().decode_error_message("upstream exploded"), "upstream exploded");
  EXPECT_EQ(codec().decode_error_message(std::string(2000, 'x')).size(), 512u);
  EXPECT_EQ(codec().decode_error_message(""), "(empty body)");
  EXPECT_EQ(codec().decode_error_message(R"({"error":{"message":""}})"),
            R"({"error":{"message":""}})");
  EXPECT_EQ(codec().decode_error_message("bad\ngateway"), "bad gateway");
  const std::string round = codec().encode_error(Error::make(ErrorKind::NotFound, "no such model"));
  EXPECT_EQ(codec().decode_error_message(round), "no such model");
}

}  // namespace
}  // namespace sy::protocols
