// switchyard-sim speaking the Anthropic Messages format, over HTTP: the whole message, the
// named-event stream (parsed here), tool use with 2-byte input_json_delta fragments, and the
// error envelope for validation, authentication and injected faults.
#include "anthropic_wire.h"

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
using testing::Headers;
using testing::kFormatConfig;
using testing::kToolArguments;
using testing::Response;

const Headers kVersion = {{"anthropic-version", "2023-06-01"}};

json messages_body(std::string_view text, bool stream = false, json extra = json::object()) {
  json body = {{"model", "sim-small"},
               {"max_tokens", 1024},
               {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) body["stream"] = true;
  body.update(extra);
  return body;
}

const json kTools = {{"tools",
                      {{{"name", "get_weather"},
                        {"description", "Weather for a city"},
                        {"input_schema", {{"type", "object"}}}}}}};

struct SseEvent {
  std::string name;
  json data;
};

// Splits a text/event-stream body into `event:` / `data:` pairs; every event must have both.
std::vector<SseEvent> named_events(const std::string& body) {
  std::vector<SseEvent> events;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    const std::string block = body.substr(pos, end - pos);
    const size_t newline = block.find('\n');
    EXPECT_TRUE(block.starts_with("event: ")) << block;
    EXPECT_NE(newline, std::string::npos) << block;
    if (newline == std::string::npos) break;
    const std::string data_line = block.substr(newline + 1);
    EXPECT_TRUE(data_line.starts_with("data: ")) << block;
    events.push_back({block.substr(7, newline - 7), json::parse(data_line.substr(6))});
    pos = end + 2;
  }
  return events;
}

class AnthropicWireTest : public testing::SimHarness {
 protected:
  Response messages(const json& body, Headers headers = kVersion) {
    return post("/v1/messages", body, headers);
  }
};

TEST_F(AnthropicWireTest, WholeMessage) {
  start(kFormatConfig);
  const Response response = messages(messages_body("Say hello", false, {{"system", "Be brief."}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers["content-type"], "application/json");
  const json body = json::parse(response.body);
  EXPECT_TRUE(body["id"].get<std::string>().starts_with("msg_"));
  EXPECT_EQ(body["type"], "message");
  EXPECT_EQ(body["role"], "assistant");
  EXPECT_EQ(body["model"], "sim-small");
  ASSERT_EQ(body["content"].size(), 1u);
  EXPECT_EQ(body["content"][0]["type"], "text");
  EXPECT_EQ(body["content"][0]["text"], generate_words("sim-small", "Say hello", 6));
  EXPECT_EQ(body["stop_reason"], "end_turn");
  EXPECT_TRUE(body["stop_sequence"].is_null());
  EXPECT_EQ(body["usage"]["output_tokens"], 6);
  // "Be brief." + "Say hello" = 18 bytes -> 5, plus 3 per message.
  EXPECT_EQ(body["usage"]["input_tokens"], 5 + 6);

  const json cut =
      json::parse(messages(messages_body("Say hello", false, {{"max_tokens", 2}})).body);
  EXPECT_EQ(cut["stop_reason"], "max_tokens");
  EXPECT_EQ(cut["usage"]["output_tokens"], 2);
}

TEST_F(AnthropicWireTest, StreamOfNamedEvents) {
  start(kFormatConfig);
  const Response response = messages(messages_body("Stream please", true));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.headers["content-type"], "text/event-stream");
  const std::vector<SseEvent> events = named_events(response.body);
  ASSERT_EQ(events.size(), 3u + 6u + 3u);
  for (const SseEvent& event : events) EXPECT_EQ(event.data["type"], event.name);
  EXPECT_EQ(events[0].name, "message_start");
  const json& message = events[0].data["message"];
  EXPECT_TRUE(message["id"].get<std::string>().starts_with("msg_"));
  EXPECT_EQ(message["content"], json::array());
  EXPECT_TRUE(message["stop_reason"].is_null());
  EXPECT_GT(message["usage"]["input_tokens"], 0);
  EXPECT_EQ(events[1].name, "content_block_start");
  EXPECT_EQ(events[1].data["index"], 0);
  EXPECT_EQ(events[1].data["content_block"], (json{{"type", "text"}, {"text", ""}}));
  EXPECT_EQ(events[2].name, "ping");
  std::string text;
  for (size_t i = 3; i < 9; ++i) {
    EXPECT_EQ(events[i].name, "content_block_delta");
    EXPECT_EQ(events[i].data["delta"]["type"], "text_delta");
    text += events[i].data["delta"]["text"].get<std::string>();
  }
  EXPECT_EQ(text, generate_words("sim-small", "Stream please", 6));
  EXPECT_EQ(events[9].name, "content_block_stop");
  EXPECT_EQ(events[10].name, "message_delta");
  EXPECT_EQ(events[10].data["delta"]["stop_reason"], "end_turn");
  EXPECT_EQ(events[10].data["usage"]["output_tokens"], 6);
  EXPECT_EQ(events[11].name, "message_stop");
}

TEST_F(AnthropicWireTest, ToolUseStreamsInputInTwoByteFragments) {
  start(kFormatConfig);
  const Response response = messages(messages_body("weather in Zurich?", true, kTools));
  ASSERT_EQ(response.status, 200);
  const std::vector<SseEvent> events = named_events(response.body);
  ASSERT_GT(events.size(), 6u);
  const json& block = events[1].data["content_block"];
  EXPECT_EQ(block["type"], "tool_use");
  EXPECT_TRUE(block["id"].get<std::string>().starts_with("toolu_"));
  EXPECT_EQ(block["name"], "get_weather");
  EXPECT_EQ(block["input"], json::object());
  std::string input;
  size_t fragments = 0;
  for (const SseEvent& event : events) {
    if (event.name != "content_block_delta") continue;
    EXPECT_EQ(event.data["delta"]["type"], "input_json_delta");
    const std::string part = event.data["delta"]["partial_json"];
    EXPECT_LE(part.size(), 3u);  // two code points; "ü" is two bytes
    input += part;
    ++fragments;
  }
  EXPECT_EQ(input, kToolArguments);
  EXPECT_GE(fragments, kToolArguments.size() / 3);
  EXPECT_EQ(events[events.size() - 2].data["delta"]["stop_reason"], "tool_use");

  const json whole = json::parse(messages(messages_body("weather in Zurich?", false, kTools)).body);
  EXPECT_EQ(whole["stop_reason"], "tool_use");
  EXPECT_EQ(whole["content"][0]["type"], "tool_use");
  EXPECT_EQ(whole["content"][0]["input"], json::parse(kToolArguments));

  // After the tool result comes back, the model answers with text.
  json follow_up = messages_body("weather in Zurich?", false, kTools);
  follow_up["messages"].push_back({{"role", "assistant"},
                                   {"content",
                                    {{{"type", "tool_use"},
                                      {"id", "toolu_1"},
                                      {"name", "get_weather"},
                                      {"input", json::object()}}}}});
  follow_up["messages"].push_back(
      {{"role", "user"},
       {"content", {{{"type", "tool_result"}, {"tool_use_id", "toolu_1"}, {"content", "12C"}}}}});
  EXPECT_EQ(json::parse(messages(follow_up).body)["content"][0]["type"], "text");
}

TEST_F(AnthropicWireTest, ValidationAndAuthenticationErrors) {
  ::setenv("SY_SIM_TEST_API_KEY", "k-ant", 1);
  start(kFormatConfig);
  ::unsetenv("SY_SIM_TEST_API_KEY");
  const Headers good = {{"anthropic-version", "2023-06-01"}, {"x-api-key", "k-ant"}};

  const Response no_key = messages(messages_body("hi"));
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(json::parse(no_key.body)["error"]["type"], "authentication_error");
  EXPECT_EQ(
      messages(messages_body("hi"), {{"anthropic-version", "2023-06-01"}, {"x-api-key", "no"}})
          .status,
      401);
  const Response no_version = messages(messages_body("hi"), {{"x-api-key", "k-ant"}});
  EXPECT_EQ(no_version.status, 400);
  EXPECT_EQ(json::parse(no_version.body)["error"]["message"],
            "anthropic-version: header is required");

  json body = messages_body("hi");
  body.erase("max_tokens");
  const Response missing = messages(body, good);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(
      json::parse(missing.body),
      (json{{"type", "error"},
            {"error",
             {{"type", "invalid_request_error"}, {"message", "max_tokens: Field required"}}}}));
  body = messages_body("hi");
  body["messages"][0]["role"] = "system";
  EXPECT_EQ(messages(body, good).status, 400);

  const Response unknown = messages(messages_body("hi", false, {{"model", "claude-9"}}), good);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"]["type"], "not_found_error");
  EXPECT_EQ(messages(messages_body("hi"), good).status, 200);
}

TEST_F(AnthropicWireTest, InjectedFaults) {
  start(kFormatConfig);
  const Response limited = messages(messages_body("hi [[sim:status=429 retry_after=7]]"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers["retry-after"], "7");
  const json error = json::parse(limited.body);
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"]["type"], "rate_limit_error");

  const Response overloaded = messages(messages_body("hi [[sim:status=529]]"));
  EXPECT_EQ(overloaded.status, 529);
  EXPECT_EQ(json::parse(overloaded.body)["error"]["type"], "overloaded_error");

  // A failure after the stream began: `event: error`, and nothing after it.
  const Response broken = messages(messages_body("hi [[sim:error_after=2]]", true));
  ASSERT_EQ(broken.status, 200);
  const std::vector<SseEvent> events = named_events(broken.body);
  ASSERT_EQ(events.size(), 3u + 2u + 1u);
  EXPECT_EQ(events.back().name, "error");
  EXPECT_EQ(events.back().data,
            (json{{"type", "error"},
                  {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}}));

  testing::Client client(port_);
  client.send(testing::http::verb::post, "/v1/messages", messages_body("hi", true).dump(),
              {{"anthropic-version", "2023-06-01"}, {"x-sim-fault", "cut_after=2"}});
  EXPECT_EQ(client.receive().error, testing::http::error::partial_message);

  const Response malformed = messages(messages_body("hi [[sim:malformed]]"));
  EXPECT_EQ(malformed.status, 200);
  EXPECT_TRUE(json::parse(malformed.body, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace sy::sim
