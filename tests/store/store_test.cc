// The Store contract, run against SQLite and PostgreSQL: schema migration, round trips,
// idempotent replay, audit search, checkpoints, several connections on one database.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "store/store_fixture.h"

namespace sy::store::testing {
namespace {

AuditIndexRow audit_row(uint64_t seq, int64_t ts_ms) {
  AuditIndexRow r;
  r.seq = seq;
  r.ts_ms = ts_ms;
  r.kind = seq % 5 == 0 ? "admin" : "request";
  r.request_id = "req-" + std::to_string(seq / 2);  // two entries per request id
  r.principal = "user-" + std::to_string(seq % 3);
  r.action = r.kind == "admin" ? "keys.create" : "POST /v1/chat/completions";
  r.model = seq % 2 == 0 ? "gpt-4o" : "auto";
  r.deployment = seq % 4 == 0 ? "az-east" : "anthropic";
  r.status = seq % 7 == 0 ? 502 : 200;
  r.cost_usd = static_cast<double>(seq) / 1000.0;
  r.latency_ms = static_cast<uint32_t>(seq * 3);
  r.segment = static_cast<uint32_t>(seq / 10);
  r.offset = seq * 1000;
  return r;
}

CheckpointRow checkpoint(uint64_t tree_size) {
  return {.tree_size = tree_size,
          .root_hex = std::string(64, static_cast<char>('a' + tree_size % 6)),
          .ts_ms = static_cast<int64_t>(1'700'000'000'000 + tree_size),
          .key_id = "ed25519:k1",
          .signature_b64 = "c2ln+/=" + std::to_string(tree_size)};
}

// Every audit row of the store, newest first.
std::vector<AuditIndexRow> all_audit(Store& store) {
  auto rows = store.audit_search({.limit = 1'000'000});
  EXPECT_TRUE(rows) << rows.error().message;
  return rows ? *rows : std::vector<AuditIndexRow>{};
}

TEST_P(StoreTest, EmptyStoreAnswersEmpty) {
  EXPECT_EQ(store_->backend(), std::string(GetParam() == Backend::Sqlite ? "sqlite" : "postgres"));
  EXPECT_EQ(store_->audit_high_water("").value(), 0u);
  for (auto by : {SpendDimension::Team, SpendDimension::Project, SpendDimension::Key,
                  SpendDimension::Model, SpendDimension::Deployment, SpendDimension::Day}) {
    auto totals = store_->spend({.by = by});
    ASSERT_TRUE(totals) << totals.error().message;
    EXPECT_TRUE(totals->empty());
  }
  EXPECT_TRUE(all_audit(*store_).empty());
  EXPECT_TRUE(store_->checkpoints("", 0).value().empty());
  EXPECT_TRUE(store_->write(WriteBatch{}));
  EXPECT_EQ(store_->audit_high_water("").value(), 0u);
}

TEST_P(StoreTest, MigrateIsIdempotentAndKeepsData) {
  ASSERT_TRUE(store_->migrate());
  ASSERT_TRUE(store_->write({.audit = {audit_row(1, 1000)}, .checkpoints = {checkpoint(2)}}));
  ASSERT_TRUE(store_->migrate());
  ASSERT_TRUE(store_->migrate());
  auto reopened = open_again();  // open_store() migrates once more
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->audit_high_water("").value(), 2u);
  EXPECT_EQ(reopened->checkpoints("", 0).value().size(), 1u);
}

TEST_P(StoreTest, ConcurrentOpensOfAFreshDatabaseAllMigrate) {
  // Replicas that start at the same moment: each opens (and migrates) the same new database.
  TestDatabase fresh(GetParam(), "concurrent_open");
  constexpr int kOpeners = 4;
  std::atomic<int> ready = 0, failures = 0;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kOpeners);
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < kOpeners) std::this_thread::yield();
      auto store = open_store({.url = fresh.url()});
      if (!store) {
        errors[static_cast<size_t>(i)] = store.error().message;
        ++failures;
        return;
      }
      if (auto w = (*store)->write({.audit = {audit_row(static_cast<uint64_t>(i), 10)}}); !w) {
        errors[static_cast<size_t>(i)] = w.error().message;
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(failures, 0);
  auto store = open_store({.url = fresh.url()});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->audit_high_water("").value(), static_cast<uint64_t>(kOpeners));
}

TEST_P(StoreTest, AuditRowsRoundTripExactly) {
  AuditIndexRow odd;
  odd.seq = (uint64_t{1} << 40) + 7;
  odd.ts_ms = 1'767'225'600'123;
  odd.kind = "request";
  odd.request_id = "req-\"quoted\", {braced} \\ back";
  odd.principal = "";  // empty strings stay empty, not NULL
  odd.action = "POST /v1/messages";
  odd.model = "NULL";
  odd.deployment = "d\xc3\xa9ploiement \xf0\x9f\x9a\x80";  // UTF-8, 2 and 4 bytes
  odd.status = 599;
  odd.cost_usd = 0.1;  // not exact in binary; must come back bit for bit
  odd.latency_ms = UINT32_MAX;
  odd.segment = UINT32_MAX;
  odd.offset = uint64_t{1} << 50;
  const AuditIndexRow plain = audit_row(3, 5);
  ASSERT_TRUE(store_->write({.audit = {plain, odd}}));
  EXPECT_EQ(tuples(all_audit(*store_)), tuples(std::vector{odd, plain}));
  EXPECT_EQ(store_->audit_high_water("").value(), odd.seq + 1);
}

TEST_P(StoreTest, TextIsStoredSafely) {
  // PostgreSQL stores neither NUL bytes nor invalid UTF-8: they become U+FFFD there.
  // SQLite keeps the bytes. Either way the batch is written, never rejected.
  AuditIndexRow r = audit_row(1, 1);
  r.principal = std::string("a\0b", 3) + "\xff";
  ASSERT_TRUE(store_->write({.audit = {r}}));
  const auto rows = all_audit(*store_);
  ASSERT_EQ(rows.size(), 1u);
  if (GetParam() == Backend::Postgres) {
    EXPECT_EQ(rows[0].principal,
              "a\xef\xbf\xbd"
              "b\xef\xbf\xbd");
  } else {
    EXPECT_EQ(rows[0].principal, r.principal);
  }
}

TEST_P(StoreTest, ReplayingAuditRowsAndCheckpointsIsIdempotent) {
  WriteBatch batch;
  for (uint64_t seq = 0; seq < 20; ++seq) batch.audit.push_back(audit_row(seq, 100 + seq));
  batch.checkpoints = {checkpoint(10), checkpoint(20)};
  ASSERT_TRUE(store_->write(batch));
  ASSERT_TRUE(store_->write(batch));  // the whole batch again, as after a crash

  // An overlapping batch: the tail again plus new entries. An existing key keeps its row.
  WriteBatch overlap;
  for (uint64_t seq = 15; seq < 30; ++seq) {
    AuditIndexRow r = audit_row(seq, 100 + seq);
    if (seq < 20) r.principal = "changed";
    overlap.audit.push_back(r);
  }
  CheckpointRow changed = checkpoint(20);
  changed.root_hex = "ffff";
  overlap.checkpoints = {changed, checkpoint(30)};
  ASSERT_TRUE(store_->write(overlap));

  std::vector<AuditIndexRow> expected;
  for (uint64_t seq = 30; seq-- > 0;) expected.push_back(audit_row(seq, 100 + seq));
  EXPECT_EQ(tuples(all_audit(*store_)), tuples(expected));
  EXPECT_EQ(store_->audit_high_water("").value(), 30u);
  EXPECT_EQ(tuples(store_->checkpoints("", 0).value()),
            tuples(std::vector{checkpoint(10), checkpoint(20), checkpoint(30)}));
}

TEST_P(StoreTest, SeveralLogsShareOneStoreWithoutColliding) {
  // Replicas each keep their own audit log; their rows and checkpoints must not clash.
  WriteBatch batch;
  for (const char* log : {"replica-a", "replica-b"}) {
    for (uint64_t seq = 0; seq < 3; ++seq) {
      AuditIndexRow r = audit_row(seq, 1000 + seq);
      r.log_id = log;
      batch.audit.push_back(r);
    }
    CheckpointRow c = checkpoint(3);
    c.log_id = log;
    batch.checkpoints.push_back(c);
  }
  AuditIndexRow extra = audit_row(3, 2000);
  extra.log_id = "replica-b";
  batch.audit.push_back(extra);
  ASSERT_TRUE(store_->write(batch));
  EXPECT_EQ(store_->audit_high_water("replica-a").value(), 3u);
  EXPECT_EQ(store_->audit_high_water("replica-b").value(), 4u);
  EXPECT_EQ(store_->audit_high_water("").value(), 0u);
  EXPECT_EQ(store_->checkpoints("replica-a", 0).value().size(), 1u);
  EXPECT_EQ(store_->checkpoints("replica-b", 0).value().at(0).log_id, "replica-b");
  EXPECT_EQ(store_->audit_search({.limit = 100}).value().size(), 7u);
  const auto b = store_->audit_search({.log_id = "replica-b", .limit = 100}).value();
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0].log_id, "replica-b");
  EXPECT_EQ(b[0].seq, 3u);
}

TEST_P(StoreTest, DuplicateKeysInsideOneBatchKeepTheFirst) {
  ASSERT_TRUE(store_->write({.audit = {audit_row(4, 1), audit_row(4, 2)},
                             .checkpoints = {checkpoint(5), checkpoint(5)}}));
  const auto rows = all_audit(*store_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ts_ms, 1);
  EXPECT_EQ(store_->checkpoints("", 0).value().size(), 1u);
}

TEST_P(StoreTest, AuditSearchFiltersOrdersAndLimits) {
  WriteBatch batch;
  // Out of order, several entries per millisecond (newest first then means by seq).
  for (uint64_t seq = 0; seq < 60; ++seq) {
    batch.audit.push_back(audit_row(seq, 1'000 + static_cast<int64_t>((seq * 37) % 20)));
  }
  std::reverse(batch.audit.begin(), batch.audit.end());
  ASSERT_TRUE(store_->write(batch));

  const auto expect_search = [&](const AuditQuery& q) {
    std::vector<AuditIndexRow> want;
    for (const auto& r : batch.audit) {
      if (r.ts_ms < q.since_ms || r.ts_ms >= q.until_ms) continue;
      if ((q.request_id && *q.request_id != r.request_id) ||
          (q.principal && *q.principal != r.principal) || (q.kind && *q.kind != r.kind) ||
          (q.model && *q.model != r.model) || (q.deployment && *q.deployment != r.deployment) ||
          (q.status && *q.status != r.status)) {
        continue;
      }
      want.push_back(r);
    }
    std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
      return a.ts_ms != b.ts_ms ? a.ts_ms > b.ts_ms : a.seq > b.seq;
    });
    if (want.size() > q.limit) want.resize(q.limit);
    auto got = store_->audit_search(q);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(tuples(*got), tuples(want));
  };
  expect_search({});
  expect_search({.limit = 7});
  expect_search({.limit = 0});
  expect_search({.since_ms = 1'005, .until_ms = 1'012});
  expect_search({.since_ms = 1'005, .until_ms = 1'005});
  expect_search({.request_id = "req-11"});
  expect_search({.principal = "user-1", .limit = 5});
  expect_search({.kind = "admin"});
  expect_search({.model = "gpt-4o", .deployment = "az-east"});
  expect_search({.status = 502});
  expect_search({.since_ms = 1'003,
                 .until_ms = 1'017,
                 .principal = "user-2",
                 .kind = "request",
                 .status = 200,
                 .limit = 4});
  expect_search({.request_id = "no-such-request"});
  expect_search({.principal = ""});
}

TEST_P(StoreTest, CheckpointsComeInIncreasingTreeSize) {
  ASSERT_TRUE(store_->write({.checkpoints = {checkpoint(10), checkpoint(3), checkpoint(100)}}));
  ASSERT_TRUE(store_->write({.checkpoints = {checkpoint(7)}}));
  const auto sizes = [&](uint64_t min) {
    std::vector<uint64_t> out;
    const auto rows = store_->checkpoints("", min).value();
    for (const auto& c : rows) out.push_back(c.tree_size);
    return out;
  };
  EXPECT_EQ(sizes(0), (std::vector<uint64_t>{3, 7, 10, 100}));
  EXPECT_EQ(sizes(7), (std::vector<uint64_t>{7, 10, 100}));
  EXPECT_EQ(sizes(8), (std::vector<uint64_t>{10, 100}));
  EXPECT_EQ(sizes(101), (std::vector<uint64_t>{}));
  EXPECT_EQ(sizes(UINT64_MAX), (std::vector<uint64_t>{}));
  EXPECT_EQ(tuples(store_->checkpoints("", 100).value()), tuples(std::vector{checkpoint(100)}));
}

TEST_P(StoreTest, InvalidBatchWritesNothing) {
  SpendRow no_id{.ts_ms = 5, .request_id = "", .team = "t", .cost_usd = 1};
  auto written = store_->write({.audit = {audit_row(1, 1)},
                                .spend = {{.ts_ms = 4, .request_id = "ok"}, no_id},
                                .checkpoints = {checkpoint(1)}});
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("request_id"), std::string::npos);
  EXPECT_EQ(store_->audit_high_water("").value(), 0u);
  EXPECT_TRUE(store_->spend({}).value().empty());
  EXPECT_TRUE(store_->checkpoints("", 0).value().empty());
}

TEST_P(StoreTest, SecondConnectionReadsWhatTheFirstWrites) {
  auto reader = open_again();  // opened before anything is written
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->audit_high_water("").value(), 0u);
  ASSERT_TRUE(store_->write({.audit = {audit_row(0, 1)},
                             .spend = {{.ts_ms = 1,
                                        .request_id = "r1",
                                        .team = "a",
                                        .input_tokens = 3,
                                        .output_tokens = 4,
                                        .cost_usd = 0.5}},
                             .checkpoints = {checkpoint(1)}}));
  EXPECT_EQ(reader->audit_high_water("").value(), 1u);
  EXPECT_EQ(tuples(reader->spend({}).value()), tuples(std::vector{SpendTotal{"a", 1, 3, 4, 0.5}}));
  // The reader's earlier reads must not pin an old snapshot.
  ASSERT_TRUE(store_->write({.audit = {audit_row(1, 2)}}));
  EXPECT_EQ(reader->audit_high_water("").value(), 2u);
  EXPECT_EQ(all_audit(*reader).size(), 2u);
  EXPECT_EQ(reader->checkpoints("", 0).value().size(), 1u);
}

TEST_P(StoreTest, WriteBlockedByAnotherWriterFailsUnavailableAndWritesNothing) {
  // Another connection holds the write lock (SQLite) or a table lock (PostgreSQL) past
  // the busy timeout: the write fails as retryable, and none of its batch is kept.
  auto blocked = open_again(/*busy_timeout_ms=*/200);
  ASSERT_TRUE(blocked);
  const WriteBatch batch{.audit = {audit_row(0, 1)},
                         .spend = {{.ts_ms = 1, .request_id = "r1", .team = "a"}}};
  {
    WriteLockHolder lock(*db_, "spend");
    auto written = blocked->write(batch);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().kind, ErrorKind::Unavailable) << written.error().message;
  }
  EXPECT_EQ(store_->audit_high_water("").value(), 0u);  // the audit part was rolled back
  // Once the lock is gone the same store writes again.
  ASSERT_TRUE(blocked->write(batch));
  EXPECT_EQ(store_->audit_high_water("").value(), 1u);
}

// Cases about the PostgreSQL connection itself.
class PostgresStoreTest : public StoreTest {};

TEST_P(PostgresStoreTest, ReconnectsAfterTheConnectionIsLost) {
  // A connection of its own, named so that only it is terminated (tests run in parallel).
  const std::string app = db_->schema() + "_victim";
  auto opened = open_store({.url = db_->url() + " application_name=" + app});
  ASSERT_TRUE(opened) << opened.error().message;
  Store& store = **opened;
  ASSERT_TRUE(store.write({.audit = {audit_row(0, 1)}}));
  // Waits (up to 5 s) until the backend is gone.
  ASSERT_EQ(db_->pg_exec("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                         "WHERE application_name = '" +
                         app + "'"),
            "");
  // The call that finds the connection gone fails as retryable; the next one reconnects
  // (and prepares its statements again).
  auto lost = store.write({.audit = {audit_row(1, 2)}});
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().kind, ErrorKind::Unavailable) << lost.error().message;
  ASSERT_TRUE(store.write({.audit = {audit_row(1, 2)}}));
  EXPECT_EQ(store.audit_high_water("").value(), 2u);
  EXPECT_EQ(all_audit(store).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(store, StoreTest, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(store, PostgresStoreTest, ::testing::Values(Backend::Postgres),
                         backend_name);

}  // namespace
}  // namespace sy::store::testing
