// Policies through the admin API: PUT, GET, DELETE, If-Match, RBAC, the dry run, the
// audit records; a restart on the same store keeps an admin override; two replicas on one
// PostgreSQL store see each other's changes. The gateways are composed as `switchyard
// serve` composes them (PolicyControl, AdminApi, Gateway).
#include <gmock/gmock.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "admin/admin_api.h"
#include "admin/policy_control.h"
#include "core/config_loader.h"
#include "governance/authenticator.h"
#include "integration/fixture.h"
#include "store/store.h"

namespace sy::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kAdmin = "test-admin-key-0123456789";
constexpr const char* kAuditor = "sk-sy-auditor-key-0123456789";

constexpr const char* kDenyLarge = R"(- id: no-large
  description: the large model is off
  when: {model: [sim-large]}
  effect: deny
  message: large is off
)";

// A gateway as `switchyard serve` builds one, stopped in the same order.
struct Replica {
  std::shared_ptr<admin::PolicyControl> policies;
  std::shared_ptr<governance::Authenticator> auth;
  std::unique_ptr<gateway::Gateway> gateway;

  uint16_t port() const { return gateway->port(); }
  ~Replica() {
    if (policies) {
      policies->stop();
      policies->attach(nullptr);
    }
    gateway.reset();
    if (auth) auth->stop();
  }
};

// The fixture's config with an auditor key and `policies` (YAML lines, may be empty).
std::string with_extras(std::string text, const std::string& policies) {
  text += std::string("auth:\n  key_refresh_ms: 100\n  keys:\n") + "    - {id: auditor, key: \"" +
          kAuditor + "\", team: audit, roles: [auditor]}\n";
  if (!policies.empty()) text += "policies:\n" + policies;
  return text;
}

void start_replica(const std::string& text, const std::string& name, Replica& r) {
  auto config = load_config_text(text, name);
  ASSERT_TRUE(config) << config.error().message << "\n" << text;
  r.policies = std::make_shared<admin::PolicyControl>(*config);
  auto db = store::open_store({.url = (*config)->storage.url});
  ASSERT_TRUE(db) << db.error().message;
  auto start = r.policies->start_config(**db);
  ASSERT_TRUE(start) << start.error().message;
  r.auth = std::make_shared<governance::Authenticator>((*config)->auth, (*config)->storage.url);
  ASSERT_TRUE(r.auth->start());
  std::vector<std::shared_ptr<gateway::Endpoints>> extra{
      std::make_shared<admin::AdminApi>((*config)->storage.url, r.auth, 2, r.policies)};
  auto g = gateway::Gateway::start(*start, "127.0.0.1:0", std::move(extra), r.auth);
  ASSERT_TRUE(g) << g.error().message;
  r.gateway = std::move(*g);
  r.policies->attach(r.gateway.get());
  r.policies->start_polling((*config)->storage.url, std::chrono::milliseconds(100));
}

HttpReply call(uint16_t port, const std::string& method, const std::string& target,
               const std::string& body = {}, const std::string& key = kAdmin,
               std::map<std::string, std::string> headers = {}) {
  headers["authorization"] = "Bearer " + key;
  if (!body.empty() && !headers.contains("content-type"))
    headers["content-type"] = "application/yaml";
  return http_request(port, method, target, body, headers);
}

json get_policies(uint16_t port) {
  auto r = call(port, "GET", "/admin/v1/policies");
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body, nullptr, false);
}

class PoliciesApiTest : public GatewayTest {
 protected:
  std::string chat(const std::string& model) { return chat_body(model, "hello"); }
  std::string text(const std::string& policies = {}, const std::string& storage_url = {},
                   const std::string& data_dir = {}) {
    return with_extras(
        config_text({.admin_key = kAdmin, .data_dir = data_dir, .storage_url = storage_url}),
        policies);
  }
};

TEST_F(PoliciesApiTest, PutEnforcesGetShowsBadInputChangesNothingDeleteReverts) {
  Replica r;
  start_replica(text("  - {id: file-rule, when: {model: [sim-slow]}, effect: deny}\n"), "a.yaml",
                r);
  if (HasFatalFailure()) return;
  json before = get_policies(r.port());
  EXPECT_EQ(before["source"], "config");
  EXPECT_EQ(before["version"], 0);
  EXPECT_THAT(before["rules"], ElementsAre("file-rule"));
  ASSERT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-large")).status, 200);

  // PUT a deny rule: the next request is denied, naming the rule.
  auto put = call(r.port(), "PUT", "/admin/v1/policies", kDenyLarge);
  ASSERT_EQ(put.status, 200) << put.body;
  json p = json::parse(put.body);
  EXPECT_EQ(p["source"], "admin");
  EXPECT_EQ(p["version"], 1);
  auto denied = post_json(r.port(), "/v1/chat/completions", chat("sim-large"));
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_THAT(denied.body, HasSubstr("no-large"));
  EXPECT_THAT(denied.body, HasSubstr("large is off"));
  // The file's rule is replaced, not merged.
  EXPECT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-slow")).status, 200);
  json now = get_policies(r.port());
  EXPECT_EQ(now["source"], "admin");
  EXPECT_EQ(now["version"], 1);
  EXPECT_THAT(now["rules"], ElementsAre("no-large"));
  EXPECT_EQ(now["text"], kDenyLarge);
  EXPECT_EQ(now["updated_by"], "admin-key");

  // Bad YAML, an unknown effect, a dangling deployment: 400 with the line; nothing changes.
  auto syntax = call(r.port(), "PUT", "/admin/v1/policies", "- id: x\n  effect: [deny\n");
  EXPECT_EQ(syntax.status, 400) << syntax.body;
  EXPECT_THAT(syntax.body, HasSubstr("invalid YAML"));
  auto effect = call(r.port(), "PUT", "/admin/v1/policies",
                     "- id: a\n  effect: allow\n- id: b\n  effect: explode\n");
  EXPECT_EQ(effect.status, 400) << effect.body;
  EXPECT_THAT(effect.body, HasSubstr("body:4: policies[1].effect"));
  EXPECT_THAT(effect.body, HasSubstr("\"error\""));
  auto dangling = call(r.port(), "PUT", "/admin/v1/policies",
                       "- id: r\n  effect: restrict\n  deployments: {names: [nope]}\n");
  EXPECT_EQ(dangling.status, 400);
  EXPECT_THAT(dangling.body, HasSubstr("unknown deployment"));
  auto not_json = call(r.port(), "PUT", "/admin/v1/policies", "- id: x\n  effect: deny\n", kAdmin,
                       {{"content-type", "application/json"}});
  EXPECT_EQ(not_json.status, 400);
  now = get_policies(r.port());
  EXPECT_EQ(now["version"], 1);
  EXPECT_THAT(now["rules"], ElementsAre("no-large"));
  EXPECT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-large")).status, 403);

  // If-Match: a stale version is refused with 412 and changes nothing; the current one works.
  auto stale = call(r.port(), "PUT", "/admin/v1/policies", "[]", kAdmin, {{"if-match", "0"}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_THAT(stale.body, HasSubstr("version 1"));
  EXPECT_EQ(get_policies(r.port())["version"], 1);
  auto json_put = call(r.port(), "PUT", "/admin/v1/policies",
                       R"({"default": "allow", "rules": [{"id": "no-small", "effect": "deny",
                           "when": {"model": ["sim-small"]}}]})",
                       kAdmin, {{"if-match", "\"1\""}, {"content-type", "application/json"}});
  ASSERT_EQ(json_put.status, 200) << json_put.body;
  EXPECT_EQ(json::parse(json_put.body)["version"], 2);
  EXPECT_THAT(json::parse(json_put.body)["text"].get<std::string>(), HasSubstr("no-small"));
  EXPECT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-small")).status, 403);
  EXPECT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-large")).status, 200);

  // The auditor reads but cannot change; a developer-less call is refused.
  EXPECT_EQ(call(r.port(), "GET", "/admin/v1/policies", {}, kAuditor).status, 200);
  auto forbidden = call(r.port(), "PUT", "/admin/v1/policies", kDenyLarge, kAuditor);
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_EQ(call(r.port(), "DELETE", "/admin/v1/policies", {}, kAuditor).status, 403);
  EXPECT_EQ(get_policies(r.port())["version"], 2);

  // The dry run answers what `switchyard policy test` prints, with the policies in force.
  auto test =
      call(r.port(), "POST", "/admin/v1/policies/test",
           R"({"request": {"model": "sim-small", "messages": [{"role": "user", "content": "hi"}]},
                       "principal": {"team": "core"}})",
           kAuditor, {{"content-type", "application/json"}});
  ASSERT_EQ(test.status, 200) << test.body;
  json t = json::parse(test.body);
  EXPECT_EQ(t["effect"], "deny");
  EXPECT_EQ(t["deny"]["rule"], "no-small");
  EXPECT_EQ(t["input"]["principal"]["team"], "core");
  EXPECT_EQ(t["deployments"].size(), 3u);
  EXPECT_EQ(call(r.port(), "POST", "/admin/v1/policies/test", R"({"surprise": 1})", kAdmin,
                 {{"content-type", "application/json"}})
                .status,
            400);

  // DELETE reverts to the file's policies, as a new version.
  auto del = call(r.port(), "DELETE", "/admin/v1/policies");
  ASSERT_EQ(del.status, 200) << del.body;
  json d = json::parse(del.body);
  EXPECT_EQ(d["source"], "config");
  EXPECT_EQ(d["version"], 3);
  EXPECT_THAT(d["rules"], ElementsAre("file-rule"));
  EXPECT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-small")).status, 200);
  EXPECT_EQ(post_json(r.port(), "/v1/chat/completions", chat("sim-slow")).status, 403);

  auto hist = call(r.port(), "GET", "/admin/v1/policies/history", {}, kAuditor);
  ASSERT_EQ(hist.status, 200) << hist.body;
  json h = json::parse(hist.body);
  ASSERT_EQ(h["versions"].size(), 3u);
  EXPECT_EQ(h["versions"][0]["source"], "config");
  EXPECT_EQ(h["versions"][2]["text"], kDenyLarge);

  // Every change is audited with its version and the hash of its text; refusals too.
  json records;
  for (int i = 0; i < 100; ++i) {
    records = json::parse(call(r.port(), "GET", "/admin/v1/audit?kind=admin&limit=1000").body,
                          nullptr, false);
    int changes = 0;
    for (const auto& rec : records["records"]) {
      changes += rec["action"] == "admin.policies.put" || rec["action"] == "admin.policies.revert";
    }
    if (changes >= 10) break;  // 8 PUTs and 2 DELETEs (the auditor's refused one too)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int ok_puts = 0, refused_puts = 0, reverts = 0;
  for (const auto& rec : records["records"]) {
    if (rec["action"] == "admin.policies.put") (rec["status"] == 200 ? ok_puts : refused_puts)++;
    if (rec["action"] == "admin.policies.revert" && rec["status"] == 200) ++reverts;
  }
  EXPECT_EQ(ok_puts, 2) << records.dump();
  EXPECT_EQ(refused_puts, 6);  // 4 × 400, 412, 403
  EXPECT_EQ(reverts, 1) << records.dump();
}

TEST_F(PoliciesApiTest, ARestartOnTheSameStoreKeepsTheOverride) {
  {
    Replica r;
    start_replica(text(), "a.yaml", r);
    if (HasFatalFailure()) return;
    ASSERT_EQ(call(r.port(), "PUT", "/admin/v1/policies", kDenyLarge).status, 200);
  }
  Replica again;
  start_replica(text(), "a.yaml", again);
  if (HasFatalFailure()) return;
  json p = get_policies(again.port());
  EXPECT_EQ(p["source"], "admin");
  EXPECT_EQ(p["version"], 1);
  auto denied = post_json(again.port(), "/v1/chat/completions", chat("sim-large"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("no-large"));
  // A config file reload (SIGHUP) keeps the override too.
  auto reloaded = load_config_text(text(), "a.yaml");
  ASSERT_TRUE(reloaded);
  ASSERT_TRUE(again.policies->apply_file(*reloaded, "sighup"));
  EXPECT_EQ(post_json(again.port(), "/v1/chat/completions", chat("sim-large")).status, 403);
  EXPECT_EQ(get_policies(again.port())["source"], "admin");
}

// Runs `sql` on the server; "" on success, else the error.
std::string pg_exec(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  std::string err;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) err = PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
  return err;
}

TEST_F(PoliciesApiTest, APutOnOneReplicaIsEnforcedByTheOtherAfterItsPoll) {
  const char* base = std::getenv("SY_TEST_PG_URL");
  if (base == nullptr) GTEST_SKIP() << "SY_TEST_PG_URL is not set; run under ctest";
  std::string conninfo = base;
  conninfo.erase(0, std::string("postgres:").size());
  const std::string schema = "it_policies_" + std::to_string(::getpid());
  ASSERT_EQ(
      pg_exec(conninfo, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema),
      "");
  const std::string url = std::string(base) + " options=-csearch_path=" + schema;
  {
    Replica a, b;
    start_replica(text({}, url, (dir_ / "a").string()), "a.yaml", a);
    if (HasFatalFailure()) return;
    start_replica(text({}, url, (dir_ / "b").string()), "b.yaml", b);
    if (HasFatalFailure()) return;
    ASSERT_EQ(post_json(b.port(), "/v1/chat/completions", chat("sim-large")).status, 200);
    ASSERT_EQ(call(a.port(), "PUT", "/admin/v1/policies", kDenyLarge).status, 200);
    // b polls every 100 ms: wait (bounded) until it has applied version 1.
    json pb;
    for (int i = 0; i < 100; ++i) {
      pb = get_policies(b.port());
      if (pb["version"] == 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(pb["source"], "admin");
    auto denied = post_json(b.port(), "/v1/chat/completions", chat("sim-large"));
    EXPECT_EQ(denied.status, 403);
    EXPECT_THAT(denied.body, HasSubstr("no-large"));
    // Concurrency across replicas: b's view is version 1, a stale If-Match on b is refused.
    EXPECT_EQ(
        call(b.port(), "DELETE", "/admin/v1/policies", {}, kAdmin, {{"if-match", "0"}}).status,
        412);
    ASSERT_EQ(
        call(b.port(), "DELETE", "/admin/v1/policies", {}, kAdmin, {{"if-match", "1"}}).status,
        200);
    for (int i = 0; i < 100; ++i) {
      if (get_policies(a.port())["version"] == 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(get_policies(a.port())["source"], "config");
    EXPECT_EQ(post_json(a.port(), "/v1/chat/completions", chat("sim-large")).status, 200);
  }
  EXPECT_EQ(pg_exec(conninfo, "DROP SCHEMA " + schema + " CASCADE"), "");
}

}  // namespace
}  // namespace sy::testing
