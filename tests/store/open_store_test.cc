// open_store(): the URL forms of each backend, and errors that name the backend and the
// cause without leaking a password.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <fstream>

#include "store/store_fixture.h"

namespace sy::store::testing {
namespace {

class OpenStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Postgres && pg_base_url().empty()) GTEST_SKIP() << kPgSkipMessage;
    db_ = std::make_unique<TestDatabase>(
        GetParam(),
        std::string("open_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  // Writes and reads one row: the store is usable.
  static void expect_usable(Store& store) {
    ASSERT_TRUE(store.write({.audit = {{.seq = 41, .ts_ms = 1, .kind = "request"}}}));
    EXPECT_EQ(store.audit_high_water("").value(), 42u);
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_P(OpenStoreTest, OpensEveryUrlForm) {
  std::vector<std::string> urls;
  if (GetParam() == Backend::Sqlite) {
    urls = {"sqlite::memory:", "sqlite:" + db_->dir() + "/new/nested/dirs/store.db",
            "sqlite:" + db_->dir() + "/plain.db"};
  } else {
    // The same server as a key=value string and as postgres:// and postgresql:// URIs.
    const std::string base = pg_base_url();
    ASSERT_TRUE(base.starts_with("postgres:") && !base.starts_with("postgres://"))
        << "these cases expect SY_TEST_PG_URL in the postgres:key=value form";
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(base.substr(9).c_str(), &err);
    ASSERT_NE(opts, nullptr) << (err ? err : "");
    std::string host, dbname, user;
    for (auto* o = opts; o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;
      if (std::string(o->keyword) == "host") host = o->val;
      if (std::string(o->keyword) == "dbname") dbname = o->val;
      if (std::string(o->keyword) == "user") user = o->val;
    }
    PQconninfoFree(opts);
    urls = {db_->url(),
            with_search_path("postgres:///" + dbname + "?host=" + host + "&user=" + user,
                             db_->schema()),
            with_search_path("postgresql:///" + dbname + "?host=" + host + "&user=" + user,
                             db_->schema())};
  }
  for (const auto& url : urls) {
    SCOPED_TRACE(url);
    auto store = open_store({.url = url});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_STREQ((*store)->backend(), GetParam() == Backend::Sqlite ? "sqlite" : "postgres");
    expect_usable(**store);
  }
  if (GetParam() == Backend::Sqlite) {
    EXPECT_TRUE(std::filesystem::exists(db_->dir() + "/new/nested/dirs/store.db"));
  }
}

TEST_P(OpenStoreTest, ErrorsNameTheBackendAndTheCause) {
  std::vector<std::string> urls;
  if (GetParam() == Backend::Sqlite) {
    const std::string file = db_->dir() + "/a-file";
    std::ofstream(file) << "not a directory";
    urls = {"sqlite:", "sqlite:" + file + "/store.db", "sqlite:" + db_->dir()};
  } else {
    urls = {"postgres:host=" + db_->dir() + "/no-such-dir dbname=x user=u password=s3cret",
            "postgresql://u:s3cret@localhost:1/db?host=/no-such-dir", "postgres:not a conninfo"};
  }
  for (const auto& url : urls) {
    SCOPED_TRACE(url);
    auto store = open_store({.url = url});
    ASSERT_FALSE(store);
    const std::string& message = store.error().message;
    EXPECT_TRUE(message.starts_with(GetParam() == Backend::Sqlite ? "sqlite" : "postgres"))
        << message;
    EXPECT_NE(message.find(": "), std::string::npos) << message;  // "<backend>…: <cause>"
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    EXPECT_TRUE(store.error().kind == ErrorKind::Internal ||
                store.error().kind == ErrorKind::Unavailable);
  }
}

TEST_P(OpenStoreTest, RejectsUnknownSchemesWithoutEchoingTheUrl) {
  for (const std::string url : {"mysql://root:s3cret@db/x", "", "sqlite3:/tmp/x.db", "/tmp/x.db"}) {
    SCOPED_TRACE(url);
    auto store = open_store({.url = url});
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find("unsupported"), std::string::npos)
        << store.error().message;
    EXPECT_NE(store.error().message.find("sqlite:PATH"), std::string::npos);
    EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos);
  }
}

TEST_P(OpenStoreTest, NewerSchemaIsRefused) {
  {
    auto store = open_store({.url = db_->url()});
    ASSERT_TRUE(store) << store.error().message;
  }
  if (GetParam() == Backend::Postgres) {
    ASSERT_EQ(db_->pg_exec("UPDATE " + db_->schema() + ".schema_version SET version = 999"), "");
  } else {
    ASSERT_EQ(sqlite_exec(db_->dir() + "/store.db", "UPDATE schema_version SET version = 999"), "");
  }
  auto store = open_store({.url = db_->url()});
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

INSTANTIATE_TEST_SUITE_P(store, OpenStoreTest,
                         ::testing::Values(Backend::Sqlite, Backend::Postgres), backend_name);

}  // namespace
}  // namespace sy::store::testing
