// switchyard-sim speaking the Gemini API format, over HTTP: generateContent,
// streamGenerateContent?alt=sse (the `data:` events parsed here), function calls, API keys in
// the header or the query, and the {"error":{code,message,status}} envelope.
#include "gemini_wire.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "responder.h"
#include "sim_harness.h"

namespace sy::sim {
namespace {

using nlohmann::json;
using testing::kFormatConfig;
using testing::kToolArguments;
using testing::Response;

constexpr std::string_view kGenerate = "/v1beta/models/sim-small:generateContent";
constexpr std::string_view kStream = "/v1beta/models/sim-small:streamGenerateContent?alt=sse";

json gemini_body(std::string_view text, json extra = json::object()) {
  json body = {{"contents", {{{"role", "user"}, {"parts", {{{"text", text}}}}}}}};
  body.update(extra);
  return body;
}

const json kTools = {{"tools",
                      {{{"functionDeclarations",
                         {{{"name", "get_weather"}, {"parameters", {{"type", "OBJECT"}}}}}}}}}};

// The JSON payloads of an SSE body whose events end with CRLF CRLF, as Google sends them.
std::vector<json> data_events(const std::string& body) {
  std::vector<json> events;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\r\n\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    const std::string event = body.substr(pos, end - pos);
    EXPECT_TRUE(event.starts_with("data: ")) << event;
    events.push_back(json::parse(event.substr(6)));
    pos = end + 4;
  }
  return events;
}

class GeminiWireTest : public testing::SimHarness {};

TEST_F(GeminiWireTest, GenerateContent) {
  start(kFormatConfig);
  const Response response = post(
      kGenerate,
      gemini_body("Say hello", {{"systemInstruction", {{"parts", {{{"text", "Be brief."}}}}}}}));
  ASSERT_EQ(response.status, 200) << response.body;
  const json body = json::parse(response.body);
  const json& candidate = body["candidates"][0];
  EXPECT_EQ(candidate["content"]["role"], "model");
  EXPECT_EQ(candidate["content"]["parts"][0]["text"], generate_words("sim-small", "Say hello", 6));
  EXPECT_EQ(candidate["finishReason"], "STOP");
  EXPECT_EQ(body["usageMetadata"]["candidatesTokenCount"], 6);
  EXPECT_EQ(body["usageMetadata"]["promptTokenCount"], 5 + 6);
  EXPECT_EQ(body["usageMetadata"]["totalTokenCount"], 17);
  EXPECT_EQ(body["modelVersion"], "sim-small");

  const json cut = json::parse(
      post(kGenerate, gemini_body("Say hello", {{"generationConfig", {{"maxOutputTokens", 2}}}}))
          .body);
  EXPECT_EQ(cut["candidates"][0]["finishReason"], "MAX_TOKENS");
}

TEST_F(GeminiWireTest, StreamOfResponses) {
  start(kFormatConfig);
  const Response response = post(kStream, gemini_body("Stream please"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers["content-type"], "text/event-stream");
  const std::vector<json> events = data_events(response.body);
  ASSERT_EQ(events.size(), 6u + 1u);
  std::string text;
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_FALSE(events[i]["candidates"][0].contains("finishReason"));
    text += events[i]["candidates"][0]["content"]["parts"][0]["text"].get<std::string>();
  }
  EXPECT_EQ(text, generate_words("sim-small", "Stream please", 6));
  EXPECT_EQ(events[6]["candidates"][0]["finishReason"], "STOP");
  EXPECT_EQ(events[6]["usageMetadata"]["candidatesTokenCount"], 6);

  const Response no_sse = post("/v1beta/models/sim-small:streamGenerateContent", gemini_body("hi"));
  EXPECT_EQ(no_sse.status, 400);
  EXPECT_EQ(json::parse(no_sse.body)["error"]["status"], "INVALID_ARGUMENT");
}

TEST_F(GeminiWireTest, FunctionCallsArriveWhole) {
  start(kFormatConfig);
  const json whole = json::parse(post(kGenerate, gemini_body("weather in Zurich?", kTools)).body);
  const json& part = whole["candidates"][0]["content"]["parts"][0];
  EXPECT_EQ(part["functionCall"]["name"], "get_weather");
  EXPECT_EQ(part["functionCall"]["args"].dump(), kToolArguments);
  EXPECT_EQ(whole["candidates"][0]["finishReason"], "STOP");

  // The Gemini API streams a function call in one event, not in argument fragments.
  const std::vector<json> events =
      data_events(post(kStream, gemini_body("weather in Zurich?", kTools)).body);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["candidates"][0]["content"]["parts"][0]["functionCall"]["args"].dump(),
            kToolArguments);

  // With the function's result in the conversation, the model answers with text; mode NONE
  // forbids the call.
  json follow_up = gemini_body("weather in Zurich?", kTools);
  follow_up["contents"].push_back(
      {{"role", "model"},
       {"parts", {{{"functionCall", {{"name", "get_weather"}, {"args", json::object()}}}}}}});
  follow_up["contents"].push_back(
      {{"role", "user"},
       {"parts", {{{"functionResponse", {{"name", "get_weather"}, {"response", {{"t", 12}}}}}}}}});
  EXPECT_TRUE(
      json::parse(post(kGenerate, follow_up).body)["candidates"][0]["content"]["parts"][0].contains(
          "text"));
  json none = gemini_body("weather in Zurich?", kTools);
  none["toolConfig"] = {{"functionCallingConfig", {{"mode", "NONE"}}}};
  EXPECT_TRUE(
      json::parse(post(kGenerate, none).body)["candidates"][0]["content"]["parts"][0].contains(
          "text"));
}

TEST_F(GeminiWireTest, ErrorsAndKeys) {
  ::setenv("SY_SIM_TEST_API_KEY", "k-goog", 1);
  start(kFormatConfig);
  ::unsetenv("SY_SIM_TEST_API_KEY");

  const Response anonymous = post(kGenerate, gemini_body("hi"));
  EXPECT_EQ(anonymous.status, 403);
  EXPECT_EQ(json::parse(anonymous.body)["error"]["status"], "PERMISSION_DENIED");
  const Response wrong = post(kGenerate, gemini_body("hi"), {{"x-goog-api-key", "nope"}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(json::parse(wrong.body)["error"]["message"],
            "API key not valid. Please pass a valid API key.");
  EXPECT_EQ(post(kGenerate, gemini_body("hi"), {{"x-goog-api-key", "k-goog"}}).status, 200);
  EXPECT_EQ(post(std::string(kGenerate) + "?key=k-goog", gemini_body("hi")).status, 200);

  const std::string keyed = std::string(kGenerate) + "?key=k-goog";
  const Response limited = post(keyed, gemini_body("hi [[sim:status=429]]"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers["retry-after"], "1");
  const json error = json::parse(limited.body)["error"];
  EXPECT_EQ(error["code"], 429);
  EXPECT_EQ(error["status"], "RESOURCE_EXHAUSTED");
  EXPECT_TRUE(error["message"].is_string());

  const Response unknown_field = post(keyed, gemini_body("hi", {{"messages", json::array()}}));
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(json::parse(unknown_field.body)["error"]["message"],
            "Invalid JSON payload received. Unknown name \"messages\": Cannot find field.");
  EXPECT_EQ(post(keyed, json::object()).status, 400);
  const Response unknown_model =
      post("/v1beta/models/gemini-9:generateContent?key=k-goog", gemini_body("hi"));
  EXPECT_EQ(unknown_model.status, 404);
  EXPECT_EQ(json::parse(unknown_model.body)["error"]["status"], "NOT_FOUND");

  const Response broken =
      post(std::string(kStream) + "&key=k-goog", gemini_body("hi [[sim:error_after=1]]"));
  ASSERT_EQ(broken.status, 200);
  const std::vector<json> events = data_events(broken.body);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["error"]["code"], 503);
  EXPECT_EQ(events[1]["error"]["status"], "UNAVAILABLE");
}

}  // namespace
}  // namespace sy::sim
