// AuditWriter: admission, sync commits, batch draining, index catch-up after a crash,
// and records that stay one line whatever they capture.
#include "audit/audit_writer.h"

#include <gmock/gmock.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "audit/test_util.h"
#include "audit/verifier.h"

namespace sy::audit {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

AuditConfig config_in(const fs::path& dir, Durability d = Durability::Sync) {
  AuditConfig c;
  c.dir = (dir / "audit").string();
  c.signing_key_file = (dir / "key").string();
  c.durability = d;
  c.queue_capacity = 64;
  c.checkpoint_interval_ms = 10'000;
  c.batch_interval_ms = 5;
  return c;
}

std::unique_ptr<store::Store> sqlite(const fs::path& dir) {
  auto s = store::open_store({.url = "sqlite:" + (dir / "db.sqlite").string()});
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

AuditRecord request(int i, const std::string& deployment = "small") {
  AuditRecord r;
  r.ts_ms = 1'795'600'000'000 + i;
  r.request_id = "req_" + std::to_string(i);
  r.action = "POST /v1/chat/completions";
  r.model = "auto";
  r.deployment = deployment;
  r.input_tokens = 10;
  r.output_tokens = 20;
  r.cost_usd = 0.001;
  r.status = 200;
  return r;
}

PublicKey public_key(const fs::path& dir) {
  auto k = load_public_key(dir / "audit" / "signing.pub");
  EXPECT_TRUE(k) << k.error().message;
  return *k;
}

TEST(AuditWriter, AdmitsOnlyAsManyAsTheQueueHolds) {
  TempDir tmp;
  auto w = AuditWriter::open(config_in(tmp.path()), sqlite(tmp.path()));
  ASSERT_TRUE(w) << w.error().message;
  std::vector<AuditSlot> held;
  for (int i = 0; i < 64; ++i) {
    held.push_back((*w)->try_reserve());
    ASSERT_TRUE(held.back()) << i;
  }
  EXPECT_FALSE((*w)->try_reserve());
  held.pop_back();  // a slot dropped unused goes back
  EXPECT_TRUE((*w)->try_reserve());
}

TEST(AuditWriter, ReusedSlotsStartCleared) {
  TempDir tmp;
  AuditConfig c = config_in(tmp.path(), Durability::Batch);
  c.queue_capacity = 1;  // every record goes through the same slot
  {
    auto w = AuditWriter::open(c, sqlite(tmp.path()));
    ASSERT_TRUE(w) << w.error().message;
    AuditSlot first = (*w)->try_reserve();
    ASSERT_TRUE(first);
    AuditRecord& r = first.record();
    r = request(1);
    r.team = "eng";
    r.error = "boom";
    r.captured_request = std::string(100'000, 'x');
    r.masked["EMAIL_ADDRESS"] = 2;
    first.reset();  // given back unused: cleared
    AuditSlot again;
    while (!(again = (*w)->try_reserve())) std::this_thread::yield();
    std::string cleared, fresh;
    append_body(again.record(), cleared);
    append_body(AuditRecord{}, fresh);
    EXPECT_EQ(cleared, fresh);
    EXPECT_LE(again.record().captured_request.capacity(), 64u * 1024);
    again.record() = request(2);
    again.record().team = "eng";
    (*w)->submit(std::move(again));
    AuditSlot third;
    while (!(third = (*w)->try_reserve())) std::this_thread::yield();  // after the writer
    cleared.clear();
    append_body(third.record(), cleared);
    EXPECT_EQ(cleared, fresh);
  }
  auto report = verify_log(tmp.path() / "audit", public_key(tmp.path()));
  EXPECT_TRUE(report.ok()) << report.to_text();
  EXPECT_EQ(report.entries, 1u);
}

TEST(AuditWriter, SyncCommitCompletesOnceOnDiskAndIsIndexed) {
  TempDir tmp;
  auto w = AuditWriter::open(config_in(tmp.path()), sqlite(tmp.path()));
  ASSERT_TRUE(w) << w.error().message;
  boost::asio::io_context io;
  int durable = 0;
  for (int i = 0; i < 20; ++i) {
    AuditSlot slot = (*w)->try_reserve();
    ASSERT_TRUE(slot);
    slot.record() = request(i);
    boost::asio::co_spawn(
        io,
        [&, s = std::move(slot)]() mutable -> boost::asio::awaitable<void> {
          const bool ok = co_await (*w)->commit(std::move(s), boost::asio::use_awaitable);
          durable += ok ? 1 : 0;
        },
        boost::asio::detached);
  }
  io.run();
  EXPECT_EQ(durable, 20);
  // Durable means in the log: it verifies with all 20 entries before the writer stops.
  auto report = verify_log(tmp.path() / "audit", public_key(tmp.path()));
  EXPECT_TRUE(report.ok()) << report.to_text();
  EXPECT_EQ(report.entries, 20u);
  (*w)->stop();
  auto db = sqlite(tmp.path());
  auto rows = db->audit_search({.limit = 100});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 20u);
  auto spend = db->spend({.by = store::SpendDimension::Deployment});
  ASSERT_TRUE(spend);
  ASSERT_EQ(spend->size(), 1u);
  EXPECT_EQ((*spend)[0].requests, 20);
  EXPECT_NEAR((*spend)[0].cost_usd, 0.02, 1e-9);
}

TEST(AuditWriter, StopWritesEverythingSubmittedAndSignsIt) {
  TempDir tmp;
  {
    auto w = AuditWriter::open(config_in(tmp.path(), Durability::Batch), sqlite(tmp.path()));
    ASSERT_TRUE(w) << w.error().message;
    for (int i = 0; i < 500; ++i) {
      AuditSlot slot;
      while (!(slot = (*w)->try_reserve())) std::this_thread::yield();  // the queue holds 64
      (*w)->submit(std::move(slot), request(i));
    }
    (*w)->stop();
    EXPECT_EQ((*w)->stats().records, 500u);
    EXPECT_EQ((*w)->stats().tree_size, 500u);
  }
  auto report = verify_log(tmp.path() / "audit", public_key(tmp.path()));
  EXPECT_TRUE(report.ok()) << report.to_text();
  EXPECT_EQ(report.verified_tree_size, 500u);
  EXPECT_TRUE(report.warnings.empty()) << report.to_text();
}

TEST(AuditWriter, ReopeningIndexesWhatTheDatabaseMissed) {
  TempDir tmp;
  {
    auto w = AuditWriter::open(config_in(tmp.path(), Durability::Batch), sqlite(tmp.path()));
    ASSERT_TRUE(w);
    for (int i = 0; i < 30; ++i) {
      AuditSlot slot = (*w)->try_reserve();
      ASSERT_TRUE(slot);
      (*w)->submit(std::move(slot), request(i, i % 2 ? "small" : "large"));
    }
  }
  // The database is lost (or was behind when the gateway died); the log is the record.
  fs::remove(tmp.path() / "db.sqlite");
  fs::remove(tmp.path() / "db.sqlite-wal");
  fs::remove(tmp.path() / "db.sqlite-shm");
  {
    auto w = AuditWriter::open(config_in(tmp.path()), sqlite(tmp.path()));
    ASSERT_TRUE(w) << w.error().message;
  }
  auto db = sqlite(tmp.path());
  auto rows = db->audit_search({.limit = 100});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 30u);
  auto spend = db->spend({.by = store::SpendDimension::Deployment});
  ASSERT_TRUE(spend);
  ASSERT_EQ(spend->size(), 2u);
  EXPECT_EQ((*spend)[0].requests + (*spend)[1].requests, 30);
}

TEST(AuditWriter, CapturedBodiesWithLineBreaksStayOnOneLine) {
  TempDir tmp;
  {
    auto w = AuditWriter::open(config_in(tmp.path(), Durability::Batch), sqlite(tmp.path()));
    ASSERT_TRUE(w);
    AuditRecord r = request(1);
    r.captured_request = "{\n  \"model\": \"auto\",\r\n  \"messages\": []\n}";
    r.captured_response = "[{\"a\":1},\n{\"b\":\"x\\ny\"}]";
    AuditSlot slot = (*w)->try_reserve();
    ASSERT_TRUE(slot);
    (*w)->submit(std::move(slot), std::move(r));
  }
  auto report = verify_log(tmp.path() / "audit", public_key(tmp.path()));
  EXPECT_TRUE(report.ok()) << report.to_text();
  EXPECT_EQ(report.entries, 1u);
  const std::string log = testing::read_all(tmp.path() / "audit" / "segment-000001.jsonl");
  EXPECT_THAT(log, ::testing::HasSubstr("\"capture\":{\"request\":{   \"model\": \"auto\","));
  EXPECT_THAT(log, ::testing::HasSubstr("\"x\\ny\""));  // an escape inside a string is kept
}

}  // namespace
}  // namespace sy::audit

namespace sy::audit {
namespace {

TEST(AuditWriter, MaskedCaptureReplacesSensitiveValuesWithStablePlaceholders) {
  TempDir tmp;
  {
    AuditConfig c = config_in(tmp.path(), Durability::Batch);
    c.capture = CaptureMode::Masked;
    auto w = AuditWriter::open(c, sqlite(tmp.path()));
    ASSERT_TRUE(w) << w.error().message;
    AuditRecord r = request(1);
    r.captured_request =
        R"({"messages":[{"role":"user","content":"Mail jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111; again jane.doe@example.com"}]})";
    r.captured_response = R"({"choices":[{"message":{"content":"Wrote to jane.doe@example.com"}}]})";
    AuditSlot slot = (*w)->try_reserve();
    ASSERT_TRUE(slot);
    (*w)->submit(std::move(slot), std::move(r));
  }
  const std::string log = testing::read_all(tmp.path() / "audit" / "segment-000001.jsonl");
  EXPECT_EQ(log.find("jane.doe@example.com"), std::string::npos) << log;
  EXPECT_EQ(log.find("4111"), std::string::npos) << log;
  EXPECT_THAT(log, ::testing::HasSubstr("again [EMAIL_1]"));
  EXPECT_THAT(log, ::testing::HasSubstr("Wrote to [EMAIL_1]"));  // same value, same name
  EXPECT_THAT(log, ::testing::HasSubstr("card [CARD_1]"));
  EXPECT_THAT(log, ::testing::HasSubstr("\"masked\":{"));
  auto report = verify_log(tmp.path() / "audit", public_key(tmp.path()));
  EXPECT_TRUE(report.ok()) << report.to_text();
}

}  // namespace
}  // namespace sy::audit
