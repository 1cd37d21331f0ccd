// Gateway + simulator: fallback, retries, every upstream deadline and cancellation.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr const char* kAuto = "  auto: {targets: [sim-small, sim-large]}\n";

TEST_F(GatewayTest, FallsBackOn503) {
  start_gateway({.routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:status=503 model=sim-small]]"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-deployment"), "sim-large");
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=503, sim-large=ok");
}

TEST_F(GatewayTest, FallsBackOn429AndMalformedAnswers) {
  start_gateway({.routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:status=429 retry_after=30 model=sim-small]]"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=429, sim-large=ok");

  auto m = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:malformed model=sim-small]]"));
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("x-switchyard-attempts"), "sim-small=malformed, sim-large=ok");

  auto s = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:malformed model=sim-small]]", true));
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.header("x-switchyard-attempts"), "sim-small=malformed, sim-large=ok");
  EXPECT_THAT(s.body, HasSubstr("data: [DONE]"));
}

TEST_F(GatewayTest, FallsBackOnAConnectionReset) {
  start_gateway({.routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:reset model=sim-small]]"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=connection_closed, sim-large=ok");
}

TEST_F(GatewayTest, RetriesTheSameDeploymentWithBackoff) {
  start_gateway();
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("sim-small", "hi [[sim:status=500 times=1]]"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=500, sim-small=ok");
}

TEST_F(GatewayTest, ClientErrorsFromTheUpstreamAreNotRetried) {
  start_gateway({.routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:status=400 model=sim-small]]"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=400");
  EXPECT_EQ(json::parse(r.body)["error"]["type"], "invalid_request_error");
}

TEST_F(GatewayTest, EveryAttemptFailingIs502WithTheReasons) {
  start_gateway({.routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions", chat_body("auto", "hi [[sim:status=503]]"));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=503, sim-large=503");
  const std::string msg = json::parse(r.body)["error"]["message"];
  EXPECT_THAT(msg, HasSubstr("all 2 attempts failed"));
  EXPECT_THAT(msg, HasSubstr("sim-small"));
  EXPECT_THAT(msg, HasSubstr("sim-large"));
}

TEST_F(GatewayTest, EveryDeploymentRateLimitedIs429WithRetryAfter) {
  start_gateway({.routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:status=429 retry_after=60]]"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "60");
  EXPECT_EQ(json::parse(r.body)["error"]["type"], "rate_limit_error");
}

TEST_F(GatewayTest, ConnectErrorFallsBack) {
  // A port with nothing listening: connection refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int dead_port = ntohs(addr.sin_port);
  ::close(fd);
  start_gateway({.providers = "  dead: {type: openai_compatible, base_url: \"http://127.0.0.1:" +
                              std::to_string(dead_port) + "/v1\"}\n",
                 .deployments = "  gone: {provider: dead, model: sim-small}\n",
                 .routes = "  r: {targets: [gone, sim-large]}\n"});
  auto r = post_json(port(), "/v1/chat/completions", chat_body("r", "hi"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-attempts"), "gone=connect_error, sim-large=ok");
}

TEST_F(GatewayTest, ConnectDeadline) {
  // A listener whose accept queue is full: further SYNs are dropped, connect hangs.
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(::listen(lfd, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  start_gateway({.providers = "  blackhole: {type: openai_compatible, base_url: \"http://127.0.0.1:" +
                              std::to_string(ntohs(addr.sin_port)) +
                              "/v1\", timeouts: {connect_ms: 300}}\n",
                 .deployments = "  stuck: {provider: blackhole, model: sim-small}\n",
                 .routes = "  r: {targets: [stuck, sim-large]}\n"});
  auto r = post_json(port(), "/v1/chat/completions", chat_body("r", "hi"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-attempts"), "stuck=timeout, sim-large=ok");
  for (int c : fillers) ::close(c);
  ::close(lfd);
}

TEST_F(GatewayTest, FirstByteDeadlineFallsBack) {
  start_gateway({.timeouts = "{connect_ms: 1000, first_byte_ms: 300, idle_ms: 5000, total_ms: 20000}",
                 .routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:delay_ms=3000 model=sim-small]]"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=timeout, sim-large=ok");
}

TEST_F(GatewayTest, IdleDeadlineBeforeTheFirstByteFallsBack) {
  start_gateway({.timeouts = "{connect_ms: 1000, first_byte_ms: 5000, idle_ms: 300, total_ms: 20000}",
                 .routes = kAuto});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("auto", "hi [[sim:stall_after=0 model=sim-small]]", true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-attempts"), "sim-small=timeout, sim-large=ok");
  EXPECT_THAT(r.body, HasSubstr("data: [DONE]"));
}

TEST_F(GatewayTest, IdleDeadlineMidStreamEndsWithAnErrorEvent) {
  start_gateway({.timeouts = "{connect_ms: 1000, first_byte_ms: 5000, idle_ms: 300, total_ms: 20000}"});
  auto r = post_json(port(), "/v1/chat/completions",
                     chat_body("sim-small", "hi [[sim:stall_after=2]]", true));
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"delta\""));
  EXPECT_THAT(r.body, HasSubstr("\"error\""));
  EXPECT_THAT(r.body, HasSubstr("deadline exceeded"));
  EXPECT_THAT(r.body, Not(HasSubstr("[DONE]")));
}

TEST_F(GatewayTest, TotalDeadlineCutsALongStream) {
  // sim-slow streams 40 tokens at 10/s (4 s); the total deadline is 600 ms.
  start_gateway({.timeouts = "{connect_ms: 1000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 600}"});
  auto r = post_json(port(), "/v1/chat/completions", chat_body("sim-slow", "long story", true));
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("deadline exceeded"));
  EXPECT_THAT(r.body, Not(HasSubstr("[DONE]")));
}

TEST_F(GatewayTest, StreamCutBeforeTheFirstByteFallsBackAfterItIsReported) {
  start_gateway({.routes = kAuto});
  auto early = post_json(port(), "/v1/chat/completions",
                         chat_body("auto", "hi [[sim:cut_after=0 model=sim-small]]", true));
  ASSERT_EQ(early.status, 200);
  EXPECT_THAT(early.header("x-switchyard-attempts"), HasSubstr("sim-large=ok"));
  EXPECT_THAT(early.body, HasSubstr("[DONE]"));

  auto late = post_json(port(), "/v1/chat/completions",
                        chat_body("auto", "hi [[sim:cut_after=2 model=sim-small]]", true));
  ASSERT_EQ(late.status, 200);
  EXPECT_EQ(late.header("x-switchyard-deployment"), "sim-small");
  EXPECT_THAT(late.body, HasSubstr("\"error\""));
  EXPECT_THAT(late.body, Not(HasSubstr("[DONE]")));
}

TEST_F(GatewayTest, ClientDisconnectCancelsTheUpstreamStream) {
  start_gateway();
  const int64_t before = sim_stat("client_disconnects");
  {
    RawConnection c(port());
    const std::string body = chat_body("sim-slow", "a long answer please", true);
    c.send_all("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    auto first = c.read_until("\"delta\"", std::chrono::seconds(5));
    ASSERT_THAT(first, HasSubstr("\"delta\""));
  }  // closes the connection mid-stream
  int64_t after = before;
  for (int i = 0; i < 100 && after <= before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = sim_stat("client_disconnects");
  }
  EXPECT_EQ(after, before + 1);
}

TEST_F(GatewayTest, ClientDisconnectCancelsAWaitingNonStreamCall) {
  start_gateway();
  const int64_t before = sim_stat("client_disconnects");
  {
    RawConnection c(port());
    const std::string body = chat_body("sim-small", "slow [[sim:delay_ms=4000]]");
    c.send_all("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  int64_t after = before;
  for (int i = 0; i < 60 && after <= before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = sim_stat("client_disconnects");
  }
  EXPECT_EQ(after, before + 1);  // seen well before the 4 s delay ends
}

}  // namespace
}  // namespace sy::testing
