// The audit trail end to end: every request recorded, the log verifies offline with the
// CLI, sync durability survives kill -9, and the spend ledger adds up.
#include <gmock/gmock.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/config_loader.h"
#include "integration/fixture.h"

namespace sy::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command line and collects its standard output and error.
CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string switchyard() { return bin_dir() + "/switchyard"; }

// The request ids of every request entry exported from the log.
std::set<std::string> exported_request_ids(const fs::path& audit_dir, size_t* lines = nullptr) {
  auto r = run(switchyard() + " audit export " + audit_dir.string() + " --since 1970-01-01");
  std::set<std::string> ids;
  size_t count = 0;
  size_t start = 0;
  while (start < r.output.size()) {
    size_t end = r.output.find('\n', start);
    if (end == std::string::npos) end = r.output.size();
    auto j = nlohmann::json::parse(r.output.substr(start, end - start), nullptr, false);
    if (!j.is_discarded() && j.value("kind", "") == "request") ids.insert(j["request_id"]);
    ++count;
    start = end + 1;
  }
  if (lines != nullptr) *lines = count;
  return ids;
}

TEST_F(GatewayTest, EveryRequestIsRecordedAndTheLogVerifies) {
  start_gateway({.audit = "durability: sync, checkpoint_interval_ms: 50"});
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto r = post_json(port(), "/v1/chat/completions", chat_body("sim-small", "hello", i % 2 == 1));
    ASSERT_EQ(r.status, 200);
    ids.push_back(r.header("x-request-id"));
  }
  auto bad = post_json(port(), "/v1/chat/completions", chat_body("no-such-model", "hello"));
  EXPECT_EQ(bad.status, 404);
  ids.push_back(bad.header("x-request-id"));
  gateway_.reset();  // drains and writes the final checkpoint

  const fs::path audit_dir = dir_ / "data" / "audit";
  auto verify = run(switchyard() + " audit verify " + audit_dir.string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("OK"));
  size_t lines = 0;
  auto recorded = exported_request_ids(audit_dir, &lines);
  for (const auto& id : ids) EXPECT_TRUE(recorded.contains(id)) << id;
  EXPECT_EQ(lines, ids.size() + 2);  // + gateway.start and gateway.stop

  // The index and the spend ledger in the store agree with the log.
  const auto config = dir_ / "gw.yaml";
  std::ofstream(config) << config_text({});
  auto search = run(switchyard() + " audit search --json --config " + config.string() +
                    " --since 1h --request-id " + ids.back());
  EXPECT_EQ(search.exit_code, 0) << search.output;
  EXPECT_THAT(search.output, HasSubstr("\"status\":404"));
  auto spend = run(switchyard() + " spend --json --by deployment --since 1h --config " +
                   config.string());
  ASSERT_EQ(spend.exit_code, 0) << spend.output;
  auto totals = nlohmann::json::parse(spend.output, nullptr, false);
  ASSERT_TRUE(totals.is_array()) << spend.output;
  ASSERT_EQ(totals.size(), 1u) << spend.output;
  EXPECT_EQ(totals[0]["deployment"], "sim-small");
  EXPECT_EQ(totals[0]["requests"], 10);
  EXPECT_GT(totals[0]["cost_usd"].get<double>(), 0.0);
}

TEST_F(GatewayTest, TamperingIsDetectedByVerify) {
  start_gateway({.audit = "checkpoint_interval_ms: 20"});
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(post_json(port(), "/v1/chat/completions", chat_body("sim-small", "hi")).status, 200);
  }
  gateway_.reset();
  const fs::path audit_dir = dir_ / "data" / "audit";
  ASSERT_EQ(run(switchyard() + " audit verify " + audit_dir.string()).exit_code, 0);
  // Change one character of the third entry (a status 200 becomes 500).
  const fs::path segment = audit_dir / "segment-000001.jsonl";
  std::ifstream in(segment);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  size_t pos = 0;
  for (int line = 0; line < 2; ++line) pos = content.find('\n', pos) + 1;
  const size_t status = content.find("\"status\":200", pos);
  ASSERT_NE(status, std::string::npos);
  content.replace(status, 12, "\"status\":500");
  std::ofstream(segment, std::ios::trunc) << content;
  auto verify = run(switchyard() + " audit verify " + audit_dir.string());
  EXPECT_NE(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("2"));  // names the entry with seq 2
}

TEST_F(GatewayTest, StartFailsCleanlyWhenTheAuditTrailCannotBeOpened) {
  // A file where the audit directory should be: start-up must fail with a message, not crash.
  fs::create_directories(dir_ / "data");
  std::ofstream(dir_ / "data" / "audit") << "not a directory";
  auto config = load_config_text(config_text({}), "test.yaml");
  ASSERT_TRUE(config);
  auto g = gateway::Gateway::start(*config, "127.0.0.1:0");
  ASSERT_FALSE(g);
  EXPECT_THAT(g.error().message, HasSubstr("audit"));
}

// Kill -9 under load with durability: sync; after a restart the log verifies and holds
// every request whose answer a client received.
TEST_F(GatewayTest, SyncDurabilitySurvivesKillNine) {
  const auto path = dir_ / "gw.yaml";
  std::ofstream(path) << config_text(
      {.server = "threads: 2, access_log: false",
       .audit = "durability: sync, checkpoint_interval_ms: 100"});
  ChildProcess gw;
  ASSERT_TRUE(gw.start({switchyard(), "serve", "--config", path.string(), "--listen",
                        "127.0.0.1:0", "--log-level", "warn"},
                       dir_))
      << gw.output();
  const uint16_t gw_port = gw.port();
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> go{true};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; go.load(); ++i) {
        auto r = post_json(gw_port, "/v1/chat/completions",
                           chat_body("sim-small", "client " + std::to_string(c), i % 3 == 0));
        if (r.status == 200 && (i % 3 != 0 || r.body.find("[DONE]") != std::string::npos)) {
          std::lock_guard lock(mu);
          acknowledged.push_back(r.header("x-request-id"));
        }
      }
    });
  }
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard lock(mu);
    if (acknowledged.size() >= 200) break;
  }
  gw.stop(SIGKILL);
  go = false;
  for (auto& t : clients) t.join();
  ASSERT_GE(acknowledged.size(), 200u);

  // Restart on the same data: recovery repairs a torn tail and re-indexes.
  ChildProcess again;
  ASSERT_TRUE(again.start({switchyard(), "serve", "--config", path.string(), "--listen",
                           "127.0.0.1:0", "--log-level", "warn"},
                          dir_))
      << again.output();
  EXPECT_EQ(post_json(again.port(), "/v1/chat/completions", chat_body("sim-small", "after")).status,
            200);
  EXPECT_EQ(again.stop(SIGTERM), 0) << again.output();

  const fs::path audit_dir = dir_ / "data" / "audit";
  auto verify = run(switchyard() + " audit verify " + audit_dir.string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto recorded = exported_request_ids(audit_dir);
  size_t missing = 0;
  for (const auto& id : acknowledged) missing += recorded.contains(id) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged requests";

  // The index caught up: every acknowledged id is searchable too.
  auto search = run(switchyard() + " audit search --json --limit 100000 --since 1h --config " +
                    path.string());
  ASSERT_EQ(search.exit_code, 0) << search.output;
  size_t indexed_missing = 0;
  for (const auto& id : acknowledged) {
    indexed_missing += search.output.find(id) == std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(indexed_missing, 0u);
}

}  // namespace
}  // namespace sy::testing
