// Gateway + simulator: the chat path, streaming, model listing and health endpoints.
#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// The data of every SSE event in a body.
std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    const size_t end = body.find("\n\n", pos);
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

std::string streamed_text(const std::vector<std::string>& events) {
  std::string text;
  for (const auto& e : events) {
    if (e == "[DONE]") continue;
    auto j = json::parse(e);
    if (j["choices"].empty()) continue;
    const auto& delta = j["choices"][0]["delta"];
    if (delta.contains("content") && delta["content"].is_string()) text += delta["content"];
  }
  return text;
}

TEST_F(GatewayTest, ChatThroughARouteNamesTheDeploymentAndTheRoute) {
  start_gateway({.routes = "  auto: {targets: [sim-small, sim-large]}\n"});
  auto r = post_json(port(), "/v1/chat/completions", chat_body("auto", "hello there"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-deployment"), "sim-small");
  EXPECT_EQ(r.header("x-switchyard-route"), "route=auto; strategy=fallback; order=sim-small,sim-large");
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=ok");
  EXPECT_THAT(r.header("x-request-id"), HasSubstr("req_"));
  auto j = json::parse(r.body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_FALSE(j["choices"][0]["message"]["content"].get<std::string>().empty());
  EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 0);
}

TEST_F(GatewayTest, StreamingForwardsEveryEventAndMatchesTheWholeAnswer) {
  start_gateway();
  auto whole = post_json(port(), "/v1/chat/completions", chat_body("sim-large", "tell me a story"));
  ASSERT_EQ(whole.status, 200);
  const std::string expected = json::parse(whole.body)["choices"][0]["message"]["content"];

  auto r = post_json(port(), "/v1/chat/completions", chat_body("sim-large", "tell me a story", true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.header("content-type"), HasSubstr("text/event-stream"));
  EXPECT_EQ(r.header("x-switchyard-deployment"), "sim-large");
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_EQ(streamed_text(events), expected);
  // The gateway asked the upstream for usage; the client did not, so it is not shown.
  EXPECT_THAT(r.body, Not(HasSubstr("\"prompt_tokens\"")));
}

TEST_F(GatewayTest, StreamingShowsUsageWhenTheClientAsks) {
  start_gateway();
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("sim-small", "hi", true, R"("stream_options":{"include_usage":true})"));
  ASSERT_EQ(r.status, 200);
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 2u);
  auto usage = json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_GT(usage["usage"]["completion_tokens"].get<int>(), 0);
}

TEST_F(GatewayTest, StreamedToolCallArgumentsArriveCompleteAndInOrder) {
  start_gateway();
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("sim-small", "what is the weather in Paris?", true,
                               R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}])"));
  ASSERT_EQ(r.status, 200);
  std::string args;
  int fragments = 0;
  for (const auto& e : sse_data(r.body)) {
    if (e == "[DONE]") continue;
    auto j = json::parse(e);
    if (j["choices"].empty()) continue;
    const auto& delta = j["choices"][0]["delta"];
    if (!delta.contains("tool_calls")) continue;
    args += delta["tool_calls"][0]["function"].value("arguments", "");
    ++fragments;
  }
  EXPECT_GT(fragments, 5);
  auto parsed = json::parse(args);
  EXPECT_EQ(parsed["city"], "Paris");
  EXPECT_EQ(parsed["note"], "say \"hi\" — ok");
}

TEST_F(GatewayTest, AzureProviderUsesTheDeploymentPathApiVersionAndApiKey) {
  std::ofstream(dir_ / "azure-sim.yaml") << "api_key: azure-secret\nmodels:\n  gpt-4o-eu: {}\n";
  ChildProcess azure;
  ASSERT_TRUE(azure.start({bin_dir() + "/switchyard-sim", "--listen", "127.0.0.1:0", "--config",
                           (dir_ / "azure-sim.yaml").string()},
                          dir_));
  const std::string base = "http://127.0.0.1:" + std::to_string(azure.port());
  start_gateway({.providers = "  az: {type: azure_openai, base_url: \"" + base +
                              "\", api_key: azure-secret, api_version: \"2024-10-21\"}\n"
                              "  az-wrong-key: {type: azure_openai, base_url: \"" + base +
                              "\", api_key: nope, api_version: \"2024-10-21\"}\n",
                 .deployments = "  eu: {provider: az, model: gpt-4o-eu}\n"
                                "  eu-bad: {provider: az-wrong-key, model: gpt-4o-eu}\n",
                 .routes = "  r: {targets: [eu-bad, eu]}\n"});
  auto ok = post_json(port(), "/v1/chat/completions", chat_body("eu", "hi"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["model"], "gpt-4o-eu");
  auto stream = post_json(port(), "/v1/chat/completions", chat_body("eu", "hi", true));
  EXPECT_THAT(stream.body, HasSubstr("[DONE]"));
  // A rejected key is the deployment's fault, not the client's: skip to the next one.
  auto fallback = post_json(port(), "/v1/chat/completions", chat_body("r", "hi"));
  EXPECT_EQ(fallback.status, 200);
  EXPECT_EQ(fallback.header("x-switchyard-attempts"), "eu-bad=401, eu=ok");
  auto bad = post_json(port(), "/v1/chat/completions", chat_body("eu-bad", "hi"));
  EXPECT_EQ(bad.status, 502);
  EXPECT_THAT(bad.body, HasSubstr("answered 401"));
}

TEST_F(GatewayTest, ModelsListsRoutesAndDeployments) {
  start_gateway({.routes = "  auto: {targets: [sim-small]}\n"});
  auto r = http_request(port(), "GET", "/v1/models");
  ASSERT_EQ(r.status, 200);
  auto j = json::parse(r.body);
  std::set<std::string> ids;
  for (const auto& m : j["data"]) ids.insert(m["id"]);
  EXPECT_TRUE(ids.contains("auto"));
  EXPECT_TRUE(ids.contains("sim-small"));
  EXPECT_TRUE(ids.contains("sim-slow"));
  auto one = http_request(port(), "GET", "/v1/models/auto");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(json::parse(one.body)["id"], "auto");
  auto missing = http_request(port(), "GET", "/v1/models/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["error"]["code"], "model_not_found");
}

TEST_F(GatewayTest, HealthAndReadiness) {
  start_gateway();
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(http_request(port(), "GET", "/readyz").status, 200);
}

TEST_F(GatewayTest, KeepAliveServesManyRequestsOnOneConnection) {
  start_gateway();
  RawConnection c(port());
  const std::string body = chat_body("sim-small", "again");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.send_all("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body));
    auto r = c.read_reply();
    ASSERT_EQ(r.status, 200) << "request " << i;
  }
}

TEST_F(GatewayTest, ConcurrentRequestsAllSucceed) {
  start_gateway();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = post_json(port(), "/v1/chat/completions",
                           chat_body(i % 2 ? "sim-small" : "sim-large", "n" + std::to_string(t), i % 3 == 0));
        if (r.status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
}

}  // namespace
}  // namespace sy::testing
