// The asynchronous Redis connection: URLs, commands, EVALSHA with EVAL fallback,
// reconnection after the server drops it, a deadline on slow replies, and an
// unreachable server reported as Unavailable.
#include "store/redis_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>

namespace sy::store {
namespace {

using ::testing::HasSubstr;

TEST(RedisUrl, ParsesTcpAndUnixForms) {
  auto a = parse_redis_url("redis://:s3cret@cache.internal:6390/3");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->host, "cache.internal");
  EXPECT_EQ(a->port, 6390);
  EXPECT_EQ(a->password, "s3cret");
  EXPECT_EQ(a->db, 3u);
  auto b = parse_redis_url("redis://127.0.0.1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 6379);
  EXPECT_EQ(b->db, 0u);
  auto u = parse_redis_url("unix:/run/redis/redis.sock?db=2");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(u->db, 2u);
  EXPECT_FALSE(parse_redis_url("http://x"));
  EXPECT_FALSE(parse_redis_url("redis://h:port"));
  EXPECT_FALSE(parse_redis_url("unix:relative.sock"));
  EXPECT_FALSE(parse_redis_url("redis://h/zero"));
}

TEST(RedisScript, NamesTheScriptByItsSha1) {
  EXPECT_EQ(RedisScript("return 1").sha1_hex, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("SY_TEST_REDIS_URL");
    if (url == nullptr || *url == '\0') GTEST_SKIP() << "SY_TEST_REDIS_URL is not set";
    auto e = parse_redis_url(url);
    ASSERT_TRUE(e) << e.error().message;
    endpoint_ = *e;
  }
  Result<RedisReply> run(RedisConnection& c, std::vector<std::string> args) {
    std::optional<Result<RedisReply>> out;
    c.command(std::move(args), [&](Result<RedisReply> r) { out = std::move(r); });
    wait([&] { return out.has_value(); });
    return std::move(*out);
  }
  void wait(const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      if (ctx_.stopped()) ctx_.restart();
      ctx_.run_one_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(done());
  }
  RedisOptions options(uint32_t timeout_ms = 5'000) {
    return {.endpoint = endpoint_, .timeout_ms = timeout_ms, .reconnect_backoff_ms = 10};
  }

  boost::asio::io_context ctx_;
  RedisEndpoint endpoint_;
};

TEST_F(RedisConnectionTest, CommandsAndReplies) {
  RedisConnection c(ctx_, options());
  auto pong = run(c, {"PING"});
  ASSERT_TRUE(pong) << pong.error().message;
  EXPECT_EQ(pong->type, RedisReply::Type::Status);
  EXPECT_EQ(pong->str, "PONG");
  EXPECT_TRUE(c.connected());
  auto echo = run(c, {"ECHO", std::string("a\0b", 3)});  // binary-safe arguments
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->str, std::string("a\0b", 3));
  auto err = run(c, {"NOSUCHCOMMAND"});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, RedisReply::Type::Error);
}

TEST_F(RedisConnectionTest, EvalShaFallsBackToEvalOnNoScript) {
  RedisConnection c(ctx_, options());
  ASSERT_TRUE(run(c, {"SCRIPT", "FLUSH"}));
  const RedisScript script("return {tonumber(ARGV[1]) + 1, KEYS[1]}");
  for (int i = 0; i < 2; ++i) {  // the first by EVAL (NOSCRIPT), the second by EVALSHA
    std::optional<Result<RedisReply>> out;
    c.eval(script, {"k"}, {"41"}, [&](Result<RedisReply> r) { out = std::move(r); });
    wait([&] { return out.has_value(); });
    ASSERT_TRUE(*out) << (*out).error().message;
    ASSERT_EQ((*out)->elements.size(), 2u);
    EXPECT_EQ((*out)->elements[0].integer, 42);
    EXPECT_EQ((*out)->elements[1].str, "k");
  }
  auto exists = run(c, {"SCRIPT", "EXISTS", script.sha1_hex});
  ASSERT_TRUE(exists);
  EXPECT_EQ(exists->elements.at(0).integer, 1);
  std::optional<Result<RedisReply>> bad;
  c.eval(RedisScript("return redis.call('INCR')"), {}, {},
         [&](Result<RedisReply> r) { bad = std::move(r); });
  wait([&] { return bad.has_value(); });
  ASSERT_FALSE(*bad);
  EXPECT_EQ(bad->error().code, "redis_error");
}

TEST_F(RedisConnectionTest, ReconnectsAfterTheServerDropsTheConnection) {
  RedisConnection c(ctx_, options());
  auto id = run(c, {"CLIENT", "ID"});
  ASSERT_TRUE(id) << id.error().message;
  RedisConnection admin(ctx_, options());
  auto killed = run(admin, {"CLIENT", "KILL", "ID", std::to_string(id->integer)});
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->integer, 1);
  wait([&] { return !c.connected(); });  // the connection notices the close
  auto again = run(c, {"CLIENT", "ID"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_NE(again->integer, id->integer);  // a new connection
}

TEST_F(RedisConnectionTest, ASlowReplyFailsAtTheDeadlineAndTheNextCommandReconnects) {
  RedisConnection c(ctx_, options(50));
  ASSERT_TRUE(run(c, {"PING"}));
  RedisConnection admin(ctx_, options());
  ASSERT_TRUE(run(admin, {"CLIENT", "PAUSE", "500", "ALL"}));
  auto slow = run(c, {"PING"});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::Unavailable);
  EXPECT_EQ(slow.error().code, "redis_unavailable");
  EXPECT_THAT(slow.error().message, HasSubstr("no reply within 50 ms"));
  ASSERT_TRUE(run(admin, {"CLIENT", "UNPAUSE"}));
  auto fine = run(c, {"PING"});
  EXPECT_TRUE(fine) << fine.error().message;
}

TEST(RedisConnectionDown, AnUnreachableServerIsUnavailable) {
  boost::asio::io_context ctx;
  RedisConnection c(ctx, {.endpoint = {.unix_path = "/nonexistent/redis.sock"}});
  std::optional<Result<RedisReply>> out;
  c.command({"PING"}, [&](Result<RedisReply> r) { out = std::move(r); });
  EXPECT_FALSE(out.has_value());  // never completes inline
  ctx.run();
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().kind, ErrorKind::Unavailable);
  EXPECT_THAT(out->error().message, HasSubstr("cannot connect"));
  EXPECT_FALSE(c.connected());
}

TEST(RedisConnectionDown, ARefusedTcpConnectionIsUnavailableAndRetriedLater) {
  boost::asio::io_context ctx;
  // Port 1 on loopback: nothing listens there, the connect is refused.
  RedisConnection c(ctx,
                    {.endpoint = {.host = "127.0.0.1", .port = 1}, .reconnect_backoff_ms = 60'000});
  std::vector<Result<RedisReply>> out;
  c.command({"PING"}, [&](Result<RedisReply> r) { out.push_back(std::move(r)); });
  ctx.run();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_FALSE(out[0]);
  EXPECT_EQ(out[0].error().kind, ErrorKind::Unavailable);
  EXPECT_THAT(out[0].error().message, HasSubstr("cannot connect"));
  // Within the back-off the next command fails at once, without a new attempt.
  c.command({"PING"}, [&](Result<RedisReply> r) { out.push_back(std::move(r)); });
  ctx.restart();
  ctx.run();
  ASSERT_EQ(out.size(), 2u);
  ASSERT_FALSE(out[1]);
  EXPECT_THAT(out[1].error().message, HasSubstr("cannot connect"));
}

}  // namespace
}  // namespace sy::store
