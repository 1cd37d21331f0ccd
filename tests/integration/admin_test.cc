// The admin API: authentication, spend and audit queries, and that each call is audited.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr const char* kKey = "test-admin-key-0123456789";

HttpReply admin_get(uint16_t port, const std::string& target, const std::string& key = kKey) {
  std::map<std::string, std::string> headers;
  if (!key.empty()) headers["authorization"] = "Bearer " + key;
  return http_request(port, "GET", target, {}, headers);
}

// The index is written just after the log: poll until it shows `n` request records.
json wait_for_records(uint16_t port, size_t n) {
  json j;
  for (int i = 0; i < 100; ++i) {
    j = json::parse(admin_get(port, "/admin/v1/audit?kind=request&limit=1000").body, nullptr, false);
    if (!j.is_discarded() && j["records"].size() >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return j;
}

TEST_F(GatewayTest, AdminApiAnswersSpendAndAuditQueries) {
  start_gateway({.admin_key = kKey});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(post_json(port(), "/v1/chat/completions", chat_body("sim-small", "hi")).status, 200);
  }
  ASSERT_EQ(post_json(port(), "/v1/chat/completions", chat_body("sim-large", "hi")).status, 200);
  auto records = wait_for_records(port(), 4);
  ASSERT_EQ(records["records"].size(), 4u) << records.dump();
  EXPECT_EQ(records["records"][0]["deployment"], "sim-large");  // newest first

  auto spend = admin_get(port(), "/admin/v1/spend?by=deployment&since=1h");
  ASSERT_EQ(spend.status, 200) << spend.body;
  auto s = json::parse(spend.body);
  EXPECT_EQ(s["by"], "deployment");
  ASSERT_EQ(s["groups"].size(), 2u) << spend.body;
  EXPECT_EQ(s["groups"][0]["deployment"], "sim-small");  // the only priced one: largest cost
  EXPECT_EQ(s["groups"][0]["requests"], 3);
  EXPECT_EQ(s["total"]["requests"], 4);

  auto one = admin_get(port(), "/admin/v1/audit?model=sim-large");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(json::parse(one.body)["records"].size(), 1u);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a checkpoint is due
  auto cp = admin_get(port(), "/admin/v1/audit/checkpoint");
  ASSERT_EQ(cp.status, 200) << cp.body;
  auto c = json::parse(cp.body);
  EXPECT_GE(c["checkpoint"]["tree_size"].get<int>(), 5);  // gateway.start + 4 requests
  EXPECT_EQ(c["public_key"].get<std::string>().size(), 44u);  // base64 of 32 bytes
}

TEST_F(GatewayTest, AdminApiRefusesBadCallsInTheErrorShape) {
  start_gateway({.admin_key = kKey});
  auto no_key = admin_get(port(), "/admin/v1/spend", "");
  EXPECT_EQ(no_key.status, 401);
  EXPECT_THAT(no_key.body, HasSubstr("\"error\""));
  EXPECT_EQ(admin_get(port(), "/admin/v1/spend", "wrong-key-wrong-key-wrong").status, 401);
  EXPECT_EQ(admin_get(port(), "/admin/v1/nothing").status, 404);
  auto bad_by = admin_get(port(), "/admin/v1/spend?by=colour");
  EXPECT_EQ(bad_by.status, 400);
  EXPECT_THAT(bad_by.body, HasSubstr("colour"));
  EXPECT_EQ(admin_get(port(), "/admin/v1/spend?since=yesterday").status, 400);
  EXPECT_EQ(admin_get(port(), "/admin/v1/audit?limit=0").status, 400);
  EXPECT_EQ(admin_get(port(), "/admin/v1/audit?surprise=1").status, 400);
  EXPECT_EQ(http_request(port(), "POST", "/admin/v1/spend", "{}",
                         {{"authorization", std::string("Bearer ") + kKey}})
                .status,
            405);

  // Every call above was audited, the refused ones as "unauthenticated".
  json j;
  for (int i = 0; i < 100; ++i) {
    j = json::parse(admin_get(port(), "/admin/v1/audit?kind=admin&limit=100").body);
    if (j["records"].size() >= 9) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int unauthenticated = 0;
  for (const auto& r : j["records"]) unauthenticated += r["principal"] == "unauthenticated";
  EXPECT_EQ(unauthenticated, 2) << j.dump();
}

TEST_F(GatewayTest, AdminApiIsOffWithoutAKey) {
  start_gateway();
  auto r = admin_get(port(), "/admin/v1/spend", "anything-anything-anything");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("admin.api_key"));
}

}  // namespace
}  // namespace sy::testing
