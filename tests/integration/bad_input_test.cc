// Gateway: bad input from clients gets a clear 4xx in OpenAI's shape; never a crash
// or a hang.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

void expect_openai_error(const HttpReply& r, int status, const std::string& fragment) {
  EXPECT_EQ(r.status, status) << r.body;
  auto j = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  ASSERT_TRUE(j.contains("error")) << r.body;
  EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr(fragment));
  EXPECT_TRUE(j["error"].contains("type"));
}

TEST_F(GatewayTest, MalformedJsonWrongTypesAndUnknownModels) {
  start_gateway();
  expect_openai_error(post_json(port(), "/v1/chat/completions", "{\"model\": "), 400, "not valid JSON");
  expect_openai_error(post_json(port(), "/v1/chat/completions",
                                R"({"model":"sim-small","messages":"hello"})"),
                      400, "messages: expected an array");
  auto unknown = post_json(port(), "/v1/chat/completions", chat_body("gpt-17", "hi"));
  expect_openai_error(unknown, 404, "gpt-17");
  EXPECT_EQ(json::parse(unknown.body)["error"]["code"], "model_not_found");
  expect_openai_error(http_request(port(), "GET", "/v1/chat/completions"), 405, "use POST");
  expect_openai_error(http_request(port(), "GET", "/v2/nothing"), 404, "no such endpoint");
}

TEST_F(GatewayTest, BodyOverTheLimitIs413) {
  start_gateway({.server = "threads: 1, access_log: false, max_body_bytes: 1000"});
  auto r = post_json(port(), "/v1/chat/completions", chat_body("sim-small", std::string(5000, 'x')));
  expect_openai_error(r, 413, "exceeds the limit of 1000 bytes");
  // The gateway still serves.
  EXPECT_EQ(post_json(port(), "/v1/chat/completions", chat_body("sim-small", "hi")).status, 200);
}

TEST_F(GatewayTest, HeaderFloodIs431) {
  start_gateway({.server = "threads: 1, access_log: false, max_header_bytes: 4096"});
  std::map<std::string, std::string> headers;
  for (int i = 0; i < 200; ++i) headers["x-flood-" + std::to_string(i)] = std::string(40, 'a');
  auto r = http_request(port(), "POST", "/v1/chat/completions", chat_body("sim-small", "hi"), headers);
  expect_openai_error(r, 431, "headers exceed");
}

TEST_F(GatewayTest, SlowClientGets408AndTheConnectionIsClosed) {
  start_gateway({.server = "threads: 1, access_log: false, request_timeout_ms: 300"});
  RawConnection c(port());
  c.send_all("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"mo");
  auto r = c.read_reply(std::chrono::seconds(5));
  expect_openai_error(r, 408, "not received completely");
  EXPECT_THAT(r.header("x-request-id"), HasSubstr("req_"));
}

TEST_F(GatewayTest, TheClientsRequestIdIsKeptWhenSane) {
  start_gateway();
  auto mine = http_request(port(), "POST", "/v1/chat/completions", chat_body("sim-small", "hi"),
                           {{"x-request-id", "trace-42.a_b"}});
  EXPECT_EQ(mine.header("x-request-id"), "trace-42.a_b");
  auto odd = http_request(port(), "POST", "/v1/chat/completions", chat_body("sim-small", "hi"),
                          {{"x-request-id", "bad id with spaces"}});
  EXPECT_THAT(odd.header("x-request-id"), HasSubstr("req_"));
}

TEST_F(GatewayTest, GarbageInsteadOfHttpIs400) {
  start_gateway();
  RawConnection c(port());
  c.send_all("HELLO THERE\r\n\r\n");
  auto r = c.read_reply(std::chrono::seconds(5));
  expect_openai_error(r, 400, "malformed HTTP request");
}

TEST_F(GatewayTest, IdleKeepAliveConnectionsAreClosed) {
  start_gateway({.server = "threads: 1, access_log: false, keepalive_timeout_ms: 200"});
  RawConnection c(port());
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(5)));
}

TEST_F(GatewayTest, ManyBadRequestsInARowLeaveTheGatewayHealthy) {
  start_gateway();
  const std::vector<std::string> bodies = {"", "null", "[]", "{}", "{\"model\":null}", "\xff\xfe",
                                           R"({"model":"sim-small","messages":[{"role":1}]})",
                                           R"({"model":"sim-small","messages":[null]})",
                                           R"({"model":"sim-small","messages":[{"role":"user","content":[1]}]})",
                                           std::string(1, '{') + std::string(5000, '[')};
  for (const auto& b : bodies) {
    auto r = post_json(port(), "/v1/chat/completions", b);
    EXPECT_EQ(r.status, 400) << b.substr(0, 60) << " -> " << r.body;
  }
  EXPECT_EQ(post_json(port(), "/v1/chat/completions", chat_body("sim-small", "hi")).status, 200);
}

}  // namespace
}  // namespace sy::testing
