// Runs switchyard-sim in-process on port 0 and talks to it over loopback with a Beast client.
#include "sim_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "responder.h"
#include "sim_harness.h"

namespace sy::sim {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using net::ip::tcp;
using nlohmann::json;

constexpr std::string_view kConfig = R"yaml(
api_key: ${SY_SIM_TEST_API_KEY:-}
models:
  sim-small: {output_tokens: 6}
  sim-large: {output_tokens: 8}
script:
  - match: "weather in (\\w+)"
    tool_call: {name: get_weather, arguments: {city: Paris}}
)yaml";

using testing::Client;
using testing::Headers;
using testing::Response;

std::string chat_body(std::string_view model, std::string_view text, bool stream = false,
                      json extra = json::object()) {
  json body = {{"model", model}, {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) body["stream"] = true;
  body.update(extra);
  return body.dump();
}

// The JSON payloads of an SSE body; "[DONE]" is returned as the string "[DONE]".
std::vector<json> sse_events(const std::string& body) {
  std::vector<json> events;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    const std::string event = body.substr(pos, end - pos);
    EXPECT_TRUE(event.starts_with("data: ")) << event;
    const std::string data = event.substr(6);
    events.push_back(data == "[DONE]" ? json("[DONE]") : json::parse(data));
    pos = end + 2;
  }
  return events;
}

class SimServerTest : public testing::SimHarness {
 protected:
  void start(std::string_view yaml = kConfig) { SimHarness::start(yaml); }

  Response chat(std::string body, const Headers& headers = {}) {
    return call(http::verb::post, "/v1/chat/completions", std::move(body), headers);
  }
};

TEST_F(SimServerTest, NonStreamCompletion) {
  start();
  const Response response = chat(chat_body("sim-small", "Say hello"));
  ASSERT_FALSE(response.error) << response.error.message();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers[http::field::content_type], "application/json");
  const json body = json::parse(response.body);
  EXPECT_TRUE(body["id"].get<std::string>().starts_with("chatcmpl-"));
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "sim-small");
  EXPECT_EQ(body["choices"][0]["message"]["content"], generate_words("sim-small", "Say hello", 6));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(body["usage"]["completion_tokens"], 6);
  EXPECT_EQ(body["usage"]["total_tokens"], body["usage"]["prompt_tokens"].get<int>() + 6);
  // Same input, same output.
  EXPECT_EQ(json::parse(chat(chat_body("sim-small", "Say hello")).body)["choices"][0]["message"],
            body["choices"][0]["message"]);
}

TEST_F(SimServerTest, StreamWithIncludeUsage) {
  start();
  const Response response =
      chat(chat_body("sim-large", "Stream please", true,
                     {{"stream_options", {{"include_usage", true}}}, {"max_tokens", 5}}));
  ASSERT_FALSE(response.error) << response.error.message();
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.headers[http::field::content_type].starts_with("text/event-stream"));
  EXPECT_EQ(response.headers[http::field::transfer_encoding], "chunked");

  const std::vector<json> events = sse_events(response.body);
  ASSERT_EQ(events.size(), 1u + 5u + 1u + 1u + 1u);  // role, tokens, finish, usage, [DONE]
  EXPECT_EQ(events[0]["choices"][0]["delta"], (json{{"role", "assistant"}, {"content", ""}}));
  std::string content;
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(events[i]["object"], "chat.completion.chunk");
    EXPECT_EQ(events[i]["id"], events[0]["id"]);
    EXPECT_TRUE(events[i].contains("usage") && events[i]["usage"].is_null()) << i;
    if (i >= 1 && i <= 5) content += events[i]["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_TRUE(generate_words("sim-large", "Stream please", 8).starts_with(content));
  EXPECT_EQ(events[6]["choices"][0]["delta"], json::object());
  EXPECT_EQ(events[6]["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(events[7]["choices"], json::array());
  EXPECT_EQ(events[7]["usage"]["completion_tokens"], 5);
  EXPECT_EQ(events[8], "[DONE]");
}

TEST_F(SimServerTest, StreamedToolCallReassembles) {
  start();
  const json tools = {
      {"tools",
       {{{"type", "function"},
         {"function", {{"name", "get_weather"}, {"parameters", json::object()}}}}}}};
  const Response response = chat(chat_body("sim-small", "weather in Rome?", true, tools));
  ASSERT_EQ(response.status, 200);
  const std::vector<json> events = sse_events(response.body);
  ASSERT_GE(events.size(), 4u);
  const json& head = events[0]["choices"][0]["delta"]["tool_calls"][0];
  EXPECT_TRUE(head["id"].get<std::string>().starts_with("call_"));
  EXPECT_EQ(head["function"]["name"], "get_weather");
  std::string arguments;
  for (size_t i = 1; i + 2 < events.size(); ++i) {
    arguments += events[i]["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"];
  }
  EXPECT_EQ(json::parse(arguments), (json{{"city", "Paris"}}));
  EXPECT_EQ(events[events.size() - 2]["choices"][0]["finish_reason"], "tool_calls");
}

TEST_F(SimServerTest, InjectedStatusAppliesTimesThenSucceeds) {
  start();
  const std::string body = chat_body("sim-small", "hi [[sim:status=503 times=1]]");
  const Response failed = chat(body);
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(json::parse(failed.body)["error"]["type"], "server_error");
  EXPECT_EQ(chat(body).status, 200);

  const Response limited = chat(chat_body("sim-small", "hi"), {{"x-sim-fault", "status=429"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers[http::field::retry_after], "1");

  const json counters = stats();
  EXPECT_EQ(counters["requests"]["sim-small"], 3);
  EXPECT_EQ(counters["total"], 3);
  EXPECT_EQ(counters["completed"], 3);
  EXPECT_EQ(call(http::verb::post, "/sim/reset").status, 200);
  EXPECT_EQ(stats()["total"], 0);
  EXPECT_EQ(chat(body).status, 503);  // reset also restarts `times`
}

TEST_F(SimServerTest, ModelFilterFailsOnlyThatModel) {
  start();
  const std::string directive = "hi [[sim:status=500 model=sim-small]]";
  EXPECT_EQ(chat(chat_body("sim-small", directive)).status, 500);
  EXPECT_EQ(chat(chat_body("sim-large", directive)).status, 200);
}

TEST_F(SimServerTest, CutAfterEndsTheStreamWithoutDone) {
  start();
  Client client(port_);
  client.send(http::verb::post, "/v1/chat/completions", chat_body("sim-small", "hi", true),
              {{"x-sim-fault", "cut_after=2"}});
  const Response response = client.receive();
  EXPECT_EQ(response.error, http::error::partial_message);
  EXPECT_EQ(stats()["completed"], 0);
}

TEST_F(SimServerTest, ErrorAfterSendsAnErrorEventWithoutDone) {
  start();
  const Response response = chat(chat_body("sim-small", "hi [[sim:error_after=2]]", true));
  ASSERT_FALSE(response.error) << response.error.message();
  EXPECT_EQ(response.status, 200);
  const std::vector<json> events = sse_events(response.body);
  ASSERT_EQ(events.size(), 1u + 2u + 1u);  // role, 2 tokens, error
  EXPECT_EQ(events.back()["error"]["type"], "server_error");
  EXPECT_EQ(stats()["completed"], 1);
}

TEST_F(SimServerTest, ResetClosesWithoutAResponse) {
  start();
  const Response response = chat(chat_body("sim-small", "hi"), {{"x-sim-fault", "reset"}});
  EXPECT_EQ(response.error, net::error::connection_reset) << response.error.message();
  EXPECT_TRUE(response.body.empty());
}

TEST_F(SimServerTest, MalformedBodyIsNotJson) {
  start();
  const Response response = chat(chat_body("sim-small", "hi [[sim:malformed]]"));
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(json::parse(response.body, nullptr, false).is_discarded());
}

TEST_F(SimServerTest, ClientDisconnectDuringStallIsCounted) {
  start();
  {
    Client client(port_);
    client.send(http::verb::post, "/v1/chat/completions", chat_body("sim-small", "hi", true),
                {{"x-sim-fault", "stall_after=1"}});
    EXPECT_EQ(client.receive_header(), 200);
    client.close();
  }
  json counters;
  for (int attempt = 0; attempt < 200; ++attempt) {
    counters = stats();
    if (counters["client_disconnects"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(counters["client_disconnects"], 1);
  EXPECT_EQ(counters["active"], 0);
  EXPECT_EQ(counters["completed"], 0);
}

TEST_F(SimServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  Client client(port_);
  for (int i = 0; i < 3; ++i) {
    client.send(http::verb::post, "/v1/chat/completions", chat_body("sim-small", "hi", i == 1));
    const Response response = client.receive();
    ASSERT_FALSE(response.error) << response.error.message();
    EXPECT_EQ(response.status, 200);
  }
}

TEST_F(SimServerTest, ModelsHealthAndUnknownPaths) {
  start();
  const json models = json::parse(call(http::verb::get, "/v1/models").body);
  EXPECT_EQ(models["object"], "list");
  ASSERT_EQ(models["data"].size(), 2u);
  EXPECT_EQ(models["data"][0]["id"], "sim-small");
  EXPECT_EQ(models["data"][0]["object"], "model");
  EXPECT_EQ(models["data"][0]["owned_by"], "switchyard-sim");
  EXPECT_EQ(call(http::verb::get, "/healthz").body, R"({"status":"ok"})");
  const Response missing = call(http::verb::get, "/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["error"]["message"], "Invalid URL (GET /v1/nothing)");
  const Response unknown = chat(chat_body("gpt-9", "hi"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"]["code"], "model_not_found");
  EXPECT_EQ(chat("{oops").status, 400);
}

TEST_F(SimServerTest, AzureDeploymentNeedsApiVersion) {
  start();
  const std::string body = R"({"messages":[{"role":"user","content":"hi"}]})";
  EXPECT_EQ(call(http::verb::post, "/openai/deployments/sim-large/chat/completions", body).status,
            400);
  const Response response =
      call(http::verb::post,
           "/openai/deployments/sim-large/chat/completions?api-version=2024-10-21", body);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(json::parse(response.body)["model"], "sim-large");
}

TEST_F(SimServerTest, ApiKeyIsRequiredWhenConfigured) {
  ::setenv("SY_SIM_TEST_API_KEY", "k-123", 1);
  start();
  ::unsetenv("SY_SIM_TEST_API_KEY");
  const Response denied = chat(chat_body("sim-small", "hi"));
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(json::parse(denied.body)["error"]["code"], "invalid_api_key");
  EXPECT_EQ(chat(chat_body("sim-small", "hi"), {{"authorization", "Bearer nope"}}).status, 401);
  EXPECT_EQ(chat(chat_body("sim-small", "hi"), {{"authorization", "Bearer k-123"}}).status, 200);
  EXPECT_EQ(call(http::verb::get, "/v1/models").status, 401);

  const std::string azure = "/openai/deployments/sim-small/chat/completions?api-version=1";
  const std::string body = R"({"messages":[{"role":"user","content":"hi"}]})";
  EXPECT_EQ(call(http::verb::post, azure, body, {{"api-key", "k-123"}}).status, 200);
  EXPECT_EQ(call(http::verb::post, azure, body, {{"authorization", "Bearer k-123"}}).status, 401);
}

}  // namespace
}  // namespace sy::sim
