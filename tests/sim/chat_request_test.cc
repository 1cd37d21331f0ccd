#include "chat_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sy::sim {
namespace {

ApiError parse_error(std::string_view body) {
  auto request = parse_chat_request(body, std::nullopt);
  EXPECT_FALSE(request) << body;
  return request ? ApiError{} : request.error();
}

TEST(ChatRequest, ParsesTheFieldsTheSimulatorHonours) {
  auto request = parse_chat_request(R"({
    "model": "sim-small",
    "messages": [
      {"role": "system", "content": "be brief"},
      {"role": "user", "content": [{"type": "text", "text": "hello "},
                                   {"type": "image_url", "image_url": {"url": "x"}},
                                   {"type": "text", "text": "world"}]},
      {"role": "assistant", "content": null, "tool_calls": []},
      {"role": "tool", "tool_call_id": "c1", "content": "42"}
    ],
    "stream": true,
    "stream_options": {"include_usage": true},
    "max_tokens": 50,
    "max_completion_tokens": 10,
    "n": 1,
    "tools": [{"type": "function", "function": {"name": "get_weather"}}],
    "tool_choice": "auto"
  })",
                                    std::nullopt);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->model, "sim-small");
  ASSERT_EQ(request->messages.size(), 4u);
  EXPECT_EQ(request->messages[1].text, "hello world");
  EXPECT_EQ(request->last_user_text(), "hello world");
  EXPECT_TRUE(request->ends_with_tool_result());
  EXPECT_TRUE(request->stream);
  EXPECT_TRUE(request->include_usage);
  EXPECT_EQ(request->max_tokens, 10);  // max_completion_tokens wins
  EXPECT_EQ(request->tool_names, std::vector<std::string>{"get_weather"});
  EXPECT_FALSE(request->tool_choice_none);
}

TEST(ChatRequest, AzureDeploymentNamesTheModel) {
  auto request = parse_chat_request(R"({"messages":[{"role":"user","content":"hi"}]})",
                                    std::string_view("my-deployment"));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->model, "my-deployment");
}

TEST(ChatRequest, RejectsLikeOpenAI) {
  EXPECT_NE(parse_error("{not json").message.find("could not parse the JSON body"),
            std::string::npos);
  EXPECT_EQ(parse_error(R"({"messages":[{"role":"user","content":"x"}]})").message,
            "you must provide a model parameter");

  ApiError missing = parse_error(R"({"model":"m"})");
  EXPECT_EQ(missing.param, "messages");
  EXPECT_EQ(missing.code, "missing_required_parameter");

  ApiError empty = parse_error(R"({"model":"m","messages":[]})");
  EXPECT_EQ(empty.code, "empty_array");

  ApiError role = parse_error(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})");
  EXPECT_EQ(role.status, 400);
  EXPECT_EQ(role.param, "messages[0].role");
  EXPECT_EQ(role.code, "invalid_value");

  ApiError type = parse_error(R"({"model":"m","messages":["hi"]})");
  EXPECT_EQ(type.param, "messages[0]");
  EXPECT_EQ(type.code, "invalid_type");

  ApiError content = parse_error(R"({"model":"m","messages":[{"role":"user"}]})");
  EXPECT_EQ(content.param, "messages[0].content");

  ApiError n = parse_error(R"({"model":"m","n":2,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(n.param, "n");

  ApiError max =
      parse_error(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(max.code, "integer_below_min_value");

  ApiError options = parse_error(
      R"({"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(options.param, "stream_options");

  ApiError stream =
      parse_error(R"({"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(stream.param, "stream");

  ApiError choice = parse_error(
      R"({"model":"m","tool_choice":"auto","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(choice.param, "tool_choice");
}

TEST(ChatRequest, PromptTokenEstimateIsDeterministic) {
  auto request = parse_chat_request(
      R"({"model":"m","messages":[{"role":"system","content":"abcd"},{"role":"user","content":"hello"}]})",
      std::nullopt);
  ASSERT_TRUE(request);
  // ceil(9 bytes / 4) + 3 per message.
  EXPECT_EQ(estimate_prompt_tokens(*request), 3 + 6);
}

TEST(ChatRequest, ErrorEnvelopeHasTheOpenAIShape) {
  const auto body = nlohmann::json::parse(
      error_body(ApiError{.status = 404, .message = "nope", .code = "model_not_found"}));
  EXPECT_EQ(body["error"]["message"], "nope");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_TRUE(body["error"]["param"].is_null());
  EXPECT_EQ(body["error"]["code"], "model_not_found");

  EXPECT_EQ(injected_error(429).code, "rate_limit_exceeded");
  EXPECT_EQ(injected_error(503).type, "server_error");
  EXPECT_EQ(injected_error(400).type, "invalid_request_error");
}

}  // namespace
}  // namespace sy::sim
