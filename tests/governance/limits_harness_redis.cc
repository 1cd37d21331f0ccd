#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>

#include "governance/limits_harness.h"
#include "governance/redis_limits.h"

namespace sy::governance::testing {
namespace {

class RedisHarness final : public LimitsHarness {
 public:
  RedisHarness(store::RedisEndpoint endpoint, std::string prefix)
      : endpoint_(endpoint),
        prefix_(prefix),
        limits_(ctx_, store::RedisOptions{.endpoint = std::move(endpoint), .timeout_ms = 5'000},
                RedisLimitsOptions{.key_prefix = std::move(prefix), .use_server_clock = false}) {}

  LimitsBackend& backend() override { return limits_; }
  void wait(const std::function<bool()>& done) override {
    // A guard against a hang, not a timing assertion.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      if (ctx_.stopped()) ctx_.restart();
      ctx_.run_one_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(done()) << "no answer from Redis";
  }
  std::unique_ptr<LimitsHarness> replica() override {
    return std::make_unique<RedisHarness>(endpoint_, prefix_);
  }

 private:
  store::RedisEndpoint endpoint_;
  std::string prefix_;
  boost::asio::io_context ctx_;
  RedisLimits limits_;
};

}  // namespace

std::unique_ptr<LimitsHarness> redis_harness(std::string* why) {
  const char* url = std::getenv("SY_TEST_REDIS_URL");
  if (url == nullptr || *url == '\0') {
    *why = "SY_TEST_REDIS_URL is not set (ctest starts a server: the `redis` fixture)";
    return nullptr;
  }
  auto e = store::parse_redis_url(url);
  if (!e) {
    *why = e.error().message;
    return nullptr;
  }
  // Each harness its own key space, so cases may run in parallel against one server.
  static std::atomic<int> n{0};
  const std::string prefix = "t" + std::to_string(getpid()) + "." + std::to_string(n++) + ":";
  return std::make_unique<RedisHarness>(std::move(*e), prefix);
}

}  // namespace sy::governance::testing
