#include "responder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "openai_wire.h"

namespace sy::sim {
namespace {

using nlohmann::json;

ChatRequest user_request(std::string text) {
  ChatRequest request;
  request.model = "m";
  request.messages.push_back({.role = "user", .text = std::move(text)});
  return request;
}

ModelConfig model_named(std::string name) {
  ModelConfig model;
  model.name = std::move(name);
  return model;
}

ScriptRule tool_rule(std::string pattern, std::string name, std::string arguments) {
  return ScriptRule{
      .pattern = pattern,
      .regex = std::regex(pattern),
      .tool_call = ScriptedToolCall{.name = std::move(name), .arguments = std::move(arguments)}};
}

ScriptRule reply_rule(std::string pattern, std::string reply) {
  return ScriptRule{.pattern = pattern, .regex = std::regex(pattern), .reply = std::move(reply)};
}

// The `data:` payloads of a run of server-sent events.
json event_json(const std::string& event) {
  EXPECT_TRUE(event.starts_with("data: ")) << event;
  EXPECT_TRUE(event.ends_with("\n\n")) << event;
  return json::parse(event.substr(6, event.size() - 8));
}

TEST(Responder, StableHashIsFnv1a) {
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(Responder, GeneratedWordsAreDeterministic) {
  const std::string once = generate_words("sim-small", "hello", 12);
  EXPECT_EQ(once, generate_words("sim-small", "hello", 12));
  EXPECT_NE(once, generate_words("sim-large", "hello", 12));
  EXPECT_NE(once, generate_words("sim-small", "hello!", 12));
  EXPECT_EQ(split_tokens(once).size(), 12u);
  EXPECT_TRUE(std::isupper(static_cast<unsigned char>(once.front())));
  EXPECT_EQ(once.back(), '.');
  EXPECT_EQ(generate_words("m", "p", 0), "");
}

TEST(Responder, TokensAreWordsWithTheirFollowingSpace) {
  EXPECT_EQ(split_tokens("Hello big  world"),
            (std::vector<std::string>{"Hello ", "big  ", "world"}));
  EXPECT_EQ(split_tokens("  lead\nline "), (std::vector<std::string>{"  lead\n", "line "}));
  EXPECT_TRUE(split_tokens("").empty());
  EXPECT_EQ(split_tokens("one"), std::vector<std::string>{"one"});
}

TEST(Responder, UnscriptedReplyHasOutputTokensWords) {
  ModelConfig model = model_named("m");
  model.output_tokens = 9;
  const Reply reply = plan_reply(user_request("hi"), model, {}, "call_x");
  EXPECT_EQ(reply.tokens.size(), 9u);
  EXPECT_EQ(reply.content(), generate_words("m", "hi", 9));
  EXPECT_EQ(reply.finish_reason, "stop");
  EXPECT_EQ(reply.completion_tokens, 9);
  EXPECT_EQ(reply.prompt_tokens, 1 + 3);
}

TEST(Responder, MaxTokensTruncatesWithLength) {
  ChatRequest request = user_request("hi");
  request.max_tokens = 3;
  const Reply reply = plan_reply(request, model_named("m"), {}, "call_x");
  EXPECT_EQ(reply.tokens.size(), 3u);
  EXPECT_EQ(reply.completion_tokens, 3);
  EXPECT_EQ(reply.finish_reason, "length");
}

TEST(Responder, ScriptFirstMatchWinsModelRulesBeforeGlobal) {
  ModelConfig model = model_named("m");
  model.script.push_back(reply_rule("weather", "model rule"));
  const std::vector<ScriptRule> global = {reply_rule("weather", "global rule"),
                                          reply_rule("time", "global time")};
  EXPECT_EQ(plan_reply(user_request("the weather?"), model, global, "c").content(), "model rule");
  EXPECT_EQ(plan_reply(user_request("what time"), model, global, "c").content(), "global time");
  EXPECT_EQ(match_script(user_request("nothing"), model, global), nullptr);
}

TEST(Responder, ScriptMatchesTheLastUserMessage) {
  ChatRequest request = user_request("old weather question");
  request.messages.push_back({.role = "assistant", .text = "answer"});
  request.messages.push_back({.role = "user", .text = "something else"});
  const std::vector<ScriptRule> global = {reply_rule("weather", "w")};
  EXPECT_EQ(match_script(request, model_named("m"), global), nullptr);
}

TEST(Responder, ToolCallRulesNeedTheToolOffered) {
  const std::vector<ScriptRule> global = {
      tool_rule("weather", "get_weather", R"({"city":"Paris"})")};
  ChatRequest request = user_request("weather in Paris");
  EXPECT_EQ(match_script(request, model_named("m"), global), nullptr);

  request.tool_names = {"get_weather"};
  EXPECT_EQ(match_script(request, model_named("m"), global), &global[0]);

  request.tool_choice_none = true;
  EXPECT_EQ(match_script(request, model_named("m"), global), nullptr);
  request.tool_choice_none = false;

  request.messages.push_back({.role = "tool", .text = "sunny"});
  EXPECT_EQ(match_script(request, model_named("m"), global), nullptr);
}

TEST(Responder, ToolCallArgumentsAreSplitForStreaming) {
  ModelConfig model = model_named("m");
  model.tool_arg_chunk = 4;
  const std::string arguments = R"({"city":"Zürich"})";
  const std::vector<ScriptRule> global = {tool_rule("weather", "get_weather", arguments)};
  ChatRequest request = user_request("weather?");
  request.tool_names = {"get_weather"};
  const Reply reply = plan_reply(request, model, global, "call_abc");
  ASSERT_TRUE(reply.tool_call);
  EXPECT_EQ(reply.tool_call->id, "call_abc");
  EXPECT_EQ(reply.finish_reason, "tool_calls");
  EXPECT_GT(reply.argument_fragments.size(), 3u);
  std::string joined;
  for (const std::string& fragment : reply.argument_fragments) {
    EXPECT_NO_THROW((void)json(fragment).dump());  // valid UTF-8: never split inside a character
    joined += fragment;
  }
  EXPECT_EQ(joined, arguments);
  EXPECT_EQ(reply.piece_count(), reply.argument_fragments.size());
}

TEST(Responder, CompletionBodyHasTheOpenAIShape) {
  ModelConfig model = model_named("m");
  model.output_tokens = 4;
  const Reply reply = plan_reply(user_request("hi"), model, {}, "call_x");
  const ResponseMeta meta{.id = "chatcmpl-1", .created = 1700000000, .model = "m"};
  const json body = json::parse(completion_body(meta, reply));
  EXPECT_EQ(body["id"], "chatcmpl-1");
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["created"], 1700000000);
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["system_fingerprint"], "fp_sim");
  const json& choice = body["choices"][0];
  EXPECT_EQ(choice["index"], 0);
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_EQ(choice["message"]["content"], reply.content());
  EXPECT_TRUE(choice["message"]["refusal"].is_null());
  EXPECT_FALSE(choice["message"].contains("tool_calls"));
  EXPECT_TRUE(choice["logprobs"].is_null());
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(body["usage"]["prompt_tokens"], 4);
  EXPECT_EQ(body["usage"]["completion_tokens"], 4);
  EXPECT_EQ(body["usage"]["total_tokens"], 8);
  EXPECT_TRUE(json::parse(malformed_body(meta), nullptr, false).is_discarded());
}

TEST(Responder, ToolCallBodyHasNullContent) {
  const std::vector<ScriptRule> global = {
      tool_rule("weather", "get_weather", R"({"city":"Paris"})")};
  ChatRequest request = user_request("weather");
  request.tool_names = {"get_weather"};
  const Reply reply = plan_reply(request, model_named("m"), global, "call_1");
  const json body = json::parse(completion_body(ResponseMeta{.id = "c", .model = "m"}, reply));
  const json& message = body["choices"][0]["message"];
  EXPECT_TRUE(message["content"].is_null());
  EXPECT_EQ(message["tool_calls"][0]["id"], "call_1");
  EXPECT_EQ(message["tool_calls"][0]["type"], "function");
  EXPECT_EQ(message["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(message["tool_calls"][0]["function"]["arguments"], R"({"city":"Paris"})");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "tool_calls");
}

TEST(Responder, StreamChunksCarryUsageNullOnlyWithIncludeUsage) {
  ModelConfig model = model_named("m");
  model.output_tokens = 2;
  const Reply reply = plan_reply(user_request("hi"), model, {}, "call_x");
  const ResponseMeta with{.id = "c", .created = 1, .model = "m", .include_usage = true};
  const ChunkRenderer render(with, reply);

  const json head = event_json(render.head());
  EXPECT_EQ(head["object"], "chat.completion.chunk");
  EXPECT_EQ(head["choices"][0]["delta"], (json{{"role", "assistant"}, {"content", ""}}));
  EXPECT_TRUE(head.contains("usage") && head["usage"].is_null());
  EXPECT_EQ(event_json(render.piece(1))["choices"][0]["delta"]["content"], reply.tokens[1]);
  const json finish = event_json(render.finish());
  EXPECT_EQ(finish["choices"][0]["delta"], json::object());
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
  const json usage = event_json(render.usage());
  EXPECT_EQ(usage["choices"], json::array());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 2);
  EXPECT_EQ(ChunkRenderer::kDone, "data: [DONE]\n\n");

  const ResponseMeta without{.id = "c", .created = 1, .model = "m"};
  EXPECT_FALSE(event_json(ChunkRenderer(without, reply).piece(0)).contains("usage"));
  const std::string broken = ChunkRenderer(without, reply).malformed();
  EXPECT_TRUE(json::parse(broken.substr(6), nullptr, false).is_discarded());
}

TEST(Responder, ToolCallStreamStartsWithIdAndNameThenFragments) {
  const std::vector<ScriptRule> global = {
      tool_rule("weather", "get_weather", R"({"city":"Paris"})")};
  ChatRequest request = user_request("weather");
  request.tool_names = {"get_weather"};
  const Reply reply = plan_reply(request, model_named("m"), global, "call_1");
  const ResponseMeta meta{.id = "c", .model = "m"};
  const ChunkRenderer render(meta, reply);
  const json head = event_json(render.head())["choices"][0]["delta"]["tool_calls"][0];
  EXPECT_EQ(head["index"], 0);
  EXPECT_EQ(head["id"], "call_1");
  EXPECT_EQ(head["function"]["name"], "get_weather");
  EXPECT_EQ(head["function"]["arguments"], "");
  const json piece = event_json(render.piece(0))["choices"][0]["delta"]["tool_calls"][0];
  EXPECT_EQ(piece["index"], 0);
  EXPECT_FALSE(piece.contains("id"));
  EXPECT_EQ(piece["function"]["arguments"], reply.argument_fragments[0]);
  EXPECT_EQ(event_json(render.finish())["choices"][0]["finish_reason"], "tool_calls");
}

}  // namespace
}  // namespace sy::sim
