// Several gateway replicas on one PostgreSQL store: each keeps its own audit log, both
// index into the same tables without colliding, and the spend ledger adds them up.
#include <gmock/gmock.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <set>

#include "core/config_loader.h"
#include "integration/fixture.h"
#include "store/store.h"

namespace sy::testing {
namespace {

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

TEST_F(GatewayTest, TwoReplicasShareOnePostgresStore) {
  const char* base = std::getenv("SY_TEST_PG_URL");
  if (base == nullptr) GTEST_SKIP() << "SY_TEST_PG_URL is not set; run under ctest";
  std::string conninfo = base;
  conninfo.erase(0, std::string("postgres:").size());
  const std::string schema = "it_replicas_" + std::to_string(::getpid());
  ASSERT_EQ(pg_exec(conninfo, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " +
                                  schema),
            "");
  const std::string url = std::string(base) + " options=-csearch_path=" + schema;

  auto config_for = [&](const char* replica) {
    auto c = load_config_text(config_text({.data_dir = (dir_ / replica).string(),
                                           .storage_url = url}),
                              std::string(replica) + ".yaml");
    EXPECT_TRUE(c) << c.error().message;
    return *c;
  };
  auto a = gateway::Gateway::start(config_for("a"), "127.0.0.1:0");
  ASSERT_TRUE(a) << a.error().message;
  auto b = gateway::Gateway::start(config_for("b"), "127.0.0.1:0");
  ASSERT_TRUE(b) << b.error().message;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(post_json((*a)->port(), "/v1/chat/completions", chat_body("sim-small", "a")).status, 200);
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(post_json((*b)->port(), "/v1/chat/completions", chat_body("sim-small", "b")).status, 200);
  }
  a->reset();  // drain; final index write and checkpoint
  b->reset();

  auto db = store::open_store({.url = url});
  ASSERT_TRUE(db) << db.error().message;
  auto rows = (*db)->audit_search({.kind = "request", .limit = 100});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 5u);
  std::set<std::string> logs;
  for (const auto& r : *rows) logs.insert(r.log_id);
  EXPECT_EQ(logs.size(), 2u);  // each replica's own log, both seq 1.. without collision
  for (const auto& log : logs) {
    EXPECT_GE((*db)->audit_high_water(log).value(), 3u);  // start, requests, stop
    EXPECT_FALSE((*db)->checkpoints(log, 0).value().empty());
  }
  auto spend = (*db)->spend({.by = store::SpendDimension::Deployment});
  ASSERT_TRUE(spend);
  ASSERT_EQ(spend->size(), 1u);
  EXPECT_EQ((*spend)[0].requests, 5);
  EXPECT_EQ(pg_exec(conninfo, "DROP SCHEMA " + schema + " CASCADE"), "");
}

}  // namespace
}  // namespace sy::testing
