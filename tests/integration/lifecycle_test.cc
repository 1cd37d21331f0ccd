// Gateway lifecycle: config swap, graceful drain, TLS listener and HTTPS upstreams.
#include <gmock/gmock.h>

#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/config_loader.h"
#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(GatewayTest, ApplySwapsTheConfigAndABadOneIsRejected) {
  start_gateway();
  EXPECT_EQ(post_json(port(), "/v1/chat/completions", chat_body("newroute", "hi")).status, 404);
  auto next = load_config_text(config_text({.routes = "  newroute: {targets: [sim-large]}\n"}), "next.yaml");
  ASSERT_TRUE(next);
  ASSERT_TRUE(gateway_->apply(*next));
  HttpReply r;
  for (int i = 0; i < 50; ++i) {  // workers pick the snapshot up asynchronously
    r = post_json(port(), "/v1/chat/completions", chat_body("newroute", "hi"));
    if (r.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-switchyard-deployment"), "sim-large");
}

TEST_F(GatewayTest, DrainLetsAnInFlightStreamFinish) {
  start_gateway();
  auto inflight = std::async(std::launch::async, [&] {
    return post_json(port(), "/v1/chat/completions", chat_body("sim-slow", "finish me", true));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the stream is under way
  const size_t cut = gateway_->drain();
  EXPECT_EQ(cut, 0u);
  auto r = inflight.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("[DONE]"));
  RawConnection late(port());
  EXPECT_FALSE(late.connected());
}

// The switchyard binary: file-watch reload, SIGHUP, SIGTERM.
TEST_F(GatewayTest, ServeReloadsItsConfigFileAndKeepsServingOnABadOne) {
  const auto path = dir_ / "gw.yaml";
  std::ofstream(path) << config_text({.server = "threads: 1"});
  ChildProcess gw;
  ASSERT_TRUE(gw.start({bin_dir() + "/switchyard", "serve", "--config", path.string(), "--listen",
                        "127.0.0.1:0", "--log-level", "info"},
                       dir_))
      << gw.output();
  EXPECT_EQ(post_json(gw.port(), "/v1/chat/completions", chat_body("later", "hi")).status, 404);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // distinct mtime
  std::ofstream(path) << config_text({.server = "threads: 1", .routes = "  later: {targets: [sim-small]}\n"});
  int status = 0;
  for (int i = 0; i < 60 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = post_json(gw.port(), "/v1/chat/completions", chat_body("later", "hi")).status;
  }
  EXPECT_EQ(status, 200) << gw.output();

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  std::ofstream(path) << "deployments: {broken: {provider: nowhere}}\n";
  for (int i = 0; i < 60 && gw.output().find("rejected") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(gw.output(), HasSubstr("unknown provider \"nowhere\""));
  EXPECT_EQ(post_json(gw.port(), "/v1/chat/completions", chat_body("later", "hi")).status, 200);

  ::kill(gw.pid(), SIGHUP);  // still the bad file: rejected again, still serving
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(post_json(gw.port(), "/v1/chat/completions", chat_body("later", "hi")).status, 200);
  EXPECT_EQ(gw.stop(SIGTERM), 0) << gw.output();
}

TEST_F(GatewayTest, ServeRejectsAnInvalidConfigAtStartup) {
  const auto path = dir_ / "bad.yaml";
  std::ofstream(path) << "deployments:\n  a: {provider: p, colour: blue}\n";
  ChildProcess gw;
  EXPECT_FALSE(gw.start({bin_dir() + "/switchyard", "serve", "--config", path.string()}, dir_));
  EXPECT_THAT(gw.output(), HasSubstr("bad.yaml:2: deployments.a.colour: unknown key"));
}

// Self-signed certificate for 127.0.0.1, made with the openssl command.
bool make_certificate(const std::filesystem::path& dir) {
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                          (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() +
                          " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST_F(GatewayTest, TlsListenerAndVerifiedHttpsUpstream) {
  ASSERT_TRUE(make_certificate(dir_));
  // Gateway A: TLS listener in front of the simulator.
  start_gateway({.server = "threads: 1, access_log: false, tls: {cert_file: " +
                           (dir_ / "cert.pem").string() + ", key_file: " + (dir_ / "key.pem").string() + "}"});
  const std::string a_url = "https://127.0.0.1:" + std::to_string(port()) + "/v1";
  // Gateway B: plain listener whose upstream is gateway A over verified HTTPS.
  auto b_config = load_config_text(
      "data_dir: " + (dir_ / "b-data").string() + "\n"
      "server: {threads: 1, access_log: false}\n"
      "providers:\n"
      "  trusted: {type: openai_compatible, base_url: \"" + a_url + "\", ca_file: " +
          (dir_ / "cert.pem").string() + "}\n"
      "  untrusted: {type: openai_compatible, base_url: \"" + a_url + "\"}\n"
      "deployments:\n"
      "  via-tls: {provider: trusted, model: sim-small}\n"
      "  unverified: {provider: untrusted, model: sim-small}\n",
      "b.yaml");
  ASSERT_TRUE(b_config) << b_config.error().message;
  auto b = gateway::Gateway::start(*b_config, "127.0.0.1:0");
  ASSERT_TRUE(b) << b.error().message;

  auto ok = post_json((*b)->port(), "/v1/chat/completions", chat_body("via-tls", "hi"));
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto stream = post_json((*b)->port(), "/v1/chat/completions", chat_body("via-tls", "hi", true));
  EXPECT_THAT(stream.body, HasSubstr("[DONE]"));
  // The system store does not trust a self-signed certificate.
  auto bad = post_json((*b)->port(), "/v1/chat/completions", chat_body("unverified", "hi"));
  EXPECT_EQ(bad.status, 502);
  EXPECT_THAT(bad.body, HasSubstr("certificate verify failed"));
}

}  // namespace
}  // namespace sy::testing
