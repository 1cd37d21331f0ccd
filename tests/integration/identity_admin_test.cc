// The identity half of the admin API over HTTP: a team with allowed regions, a key
// created for it (shown once) that the gateway accepts once its replica has polled the
// store, the team's regions enforced by the router (403 naming team.allowed_regions),
// changed at run time, and revocation.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr const char* kAdmin = "test-admin-key-0123456789";

HttpReply call(uint16_t port, const std::string& method, const std::string& target,
               const std::string& body = {}, const std::string& key = kAdmin) {
  return http_request(port, method, target, body,
                      {{"authorization", "Bearer " + key}, {"content-type", "application/json"}});
}

// Retries `request` until its status is `want` (the gateway's key snapshot follows the
// store within auth.key_refresh_ms); returns the last reply.
template <class F>
HttpReply until_status(int want, F&& request) {
  HttpReply r = request();
  for (int i = 0; i < 200 && r.status != want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    r = request();
  }
  return r;
}

TEST_F(GatewayTest, TeamRegionsAreEnforcedAndChangeAtRunTime) {
  Setup setup;
  setup.admin_key = kAdmin;
  setup.auth = "require: true, key_refresh_ms: 100";
  setup.deployments = "  sim-eu: {provider: sim, model: sim-small, region: eu-west}\n";
  start_gateway(setup);

  auto team = call(port(), "POST", "/admin/v1/teams",
                   R"({"name":"eu","description":"EU staff","regions":["eu-west"]})");
  ASSERT_EQ(team.status, 201) << team.body;
  EXPECT_EQ(json::parse(team.body)["regions"], json::array({"eu-west"}));
  auto bad = call(port(), "POST", "/admin/v1/teams", R"({"name":"x","regions":"eu-west"})");
  EXPECT_EQ(bad.status, 400) << bad.body;

  auto created = call(port(), "POST", "/admin/v1/keys", R"({"name":"ci","team":"eu"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = json::parse(created.body)["key"];
  const std::string id = json::parse(created.body)["record"]["id"];
  auto chat = [&](const std::string& model) {
    return call(port(), "POST", "/v1/chat/completions", chat_body(model, "hi"), secret);
  };

  EXPECT_EQ(until_status(200, [&] { return chat("sim-eu"); }).status, 200);
  auto outside = chat("sim-large");
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_THAT(outside.body, HasSubstr("team.allowed_regions"));

  auto lists = call(port(), "GET", "/admin/v1/teams");
  ASSERT_EQ(lists.status, 200);
  EXPECT_EQ(json::parse(lists.body)["teams"][0]["regions"], json::array({"eu-west"}));

  auto widened = call(port(), "PUT", "/admin/v1/teams/eu/regions", R"({"regions":[]})");
  ASSERT_EQ(widened.status, 200) << widened.body;
  EXPECT_EQ(json::parse(widened.body)["regions"], json::array());
  EXPECT_EQ(until_status(200, [&] { return chat("sim-large"); }).status, 200);

  EXPECT_EQ(call(port(), "PUT", "/admin/v1/teams/nobody/regions", R"({"regions":["x"]})").status, 404);
  EXPECT_EQ(call(port(), "PUT", "/admin/v1/teams/eu/regions", R"({})").status, 400);
  EXPECT_EQ(call(port(), "PUT", "/admin/v1/teams/eu/regions", R"({"regions":[""]})").status, 400);
  EXPECT_EQ(call(port(), "GET", "/admin/v1/teams/eu/regions").status, 405);

  ASSERT_EQ(call(port(), "POST", "/admin/v1/keys/" + id + "/revoke").status, 200);
  auto revoked = until_status(401, [&] { return chat("sim-eu"); });
  EXPECT_EQ(revoked.status, 401);
  EXPECT_THAT(revoked.body, HasSubstr("revoked"));
}

}  // namespace
}  // namespace sy::testing
