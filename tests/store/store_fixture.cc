#include "store/store_fixture.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

namespace sy::store::testing {

const char* const kPgSkipMessage =
    "SY_TEST_PG_URL is not set, so the PostgreSQL cases are skipped. Run them with "
    "`ctest --preset release -R store`, which starts a server, or by hand: "
    "scripts/pg-test-server.sh start /tmp/sy-pg && "
    "SY_TEST_PG_URL='postgres:host=/tmp/sy-pg dbname=postgres user=postgres' store_test";

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "sqlite" : "postgres";
}

std::string pg_base_url() {
  const char* url = std::getenv("SY_TEST_PG_URL");
  return url != nullptr ? url : "";
}

namespace {

bool is_uri(const std::string& url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

// A store URL as libpq takes it.
std::string conninfo(const std::string& url) {
  return is_uri(url) ? url : url.substr(url.starts_with("postgres:") ? 9 : 0);
}

std::string schema_name(const std::string& test_name) {
  std::string s = "t_";
  for (char c : test_name) {
    s += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  const std::string suffix = "_" + std::to_string(getpid());
  if (s.size() + suffix.size() > 63) {
    s = s.substr(0, 40) + "_" + std::to_string(std::hash<std::string>{}(test_name) % 1000000007);
  }
  return s + suffix;
}

}  // namespace

std::string with_search_path(const std::string& base, const std::string& schema) {
  if (is_uri(base)) {
    return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema;
  }
  return base + " options=-csearch_path=" + schema;
}

TestDatabase::TestDatabase(Backend backend, const std::string& name) : backend_(backend) {
  if (backend == Backend::Sqlite) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/sy-store-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    dir_ = pattern;
    url_ = "sqlite:" + dir_ + "/store.db";
  } else {
    schema_ = schema_name(name);
    const std::string err =
        pg_exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
    if (!err.empty()) ADD_FAILURE() << "cannot create schema " << schema_ << ": " << err;
    url_ = with_search_path(pg_base_url(), schema_);
  }
}

TestDatabase::~TestDatabase() {
  if (backend_ == Backend::Sqlite) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    (void)pg_exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
}

std::string TestDatabase::pg_exec(const std::string& sql) const {
  PGconn* conn = PQconnectdb(conninfo(pg_base_url()).c_str());
  std::string err;
  if (PQstatus(conn) != CONNECTION_OK) {
    err = PQerrorMessage(conn);
  } else {
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    PGresult* r = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) err = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  return err;
}

std::string sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string err;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    err = sqlite3_errmsg(db);
  }
  sqlite3_close(db);
  return err;
}

WriteLockHolder::WriteLockHolder(const TestDatabase& db, const std::string& table) {
  if (db.backend() == Backend::Sqlite) {
    EXPECT_EQ(sqlite3_open((db.dir() + "/store.db").c_str(), &sqlite_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(sqlite_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  } else {
    pg_ = PQconnectdb(conninfo(pg_base_url()).c_str());
    EXPECT_EQ(PQstatus(pg_), CONNECTION_OK) << PQerrorMessage(pg_);
    PGresult* r = PQexec(
        pg_,
        ("BEGIN; LOCK TABLE " + db.schema() + "." + table + " IN ACCESS EXCLUSIVE MODE").c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
  }
}

WriteLockHolder::~WriteLockHolder() {
  if (sqlite_ != nullptr) {
    sqlite3_exec(sqlite_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(sqlite_);
  }
  if (pg_ != nullptr) PQfinish(pg_);  // ends the transaction, releasing the lock
}

void StoreTest::SetUp() {
  if (GetParam() == Backend::Postgres && pg_base_url().empty()) GTEST_SKIP() << kPgSkipMessage;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  db_ = std::make_unique<TestDatabase>(GetParam(),
                                       std::string(info->test_suite_name()) + info->name());
  auto store = open_store({.url = db_->url()});
  ASSERT_TRUE(store) << store.error().message;
  store_ = std::move(*store);
}

std::unique_ptr<Store> StoreTest::open_again(uint32_t busy_timeout_ms) const {
  auto store = open_store({.url = db_->url(), .busy_timeout_ms = busy_timeout_ms});
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

std::vector<SpendRow> make_spend_rows(size_t n, int64_t first_day, int days, uint64_t seed) {
  static const std::vector<std::string> teams = {"",
                                                 "alpha",
                                                 "beta",
                                                 "a,b",
                                                 "{x}",
                                                 "q\"uote",
                                                 "back\\slash",
                                                 "NULL",
                                                 "\xc3\xbcn\xc3\xaf \xe2\x98\x83"};
  static const std::vector<std::string> projects = {"", "web", "batch", "p 1"};
  static const std::vector<std::string> models = {"gpt-4o", "claude", "auto", "fast", "m,1"};
  static const std::vector<std::string> deployments = {"az-east", "az-west", "anthropic",
                                                       "bedrock", "dep\"q",  "d{}"};
  constexpr int64_t kDay = 86'400'000;
  std::mt19937_64 rng(seed);
  const auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  std::vector<SpendRow> rows;
  rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    SpendRow r;
    const int64_t day = first_day + static_cast<int64_t>(rng() % static_cast<uint64_t>(days));
    if (i % 97 == 0) {
      r.ts_ms = day * kDay;  // exactly midnight
    } else if (i % 89 == 0) {
      r.ts_ms = day * kDay - 1;  // the last millisecond of the day before
    } else {
      r.ts_ms = day * kDay + static_cast<int64_t>(rng() % kDay);
    }
    r.request_id = "req-" + std::to_string(seed) + "-" + std::to_string(i);
    r.team = pick(teams);
    r.project = pick(projects);
    r.key_id = "key-" + std::to_string(rng() % 12);
    r.model = pick(models);
    r.deployment = pick(deployments);
    r.input_tokens = static_cast<int64_t>(rng() % 100'000);
    r.output_tokens = static_cast<int64_t>(rng() % 10'000);
    r.cost_usd = static_cast<double>(rng() % 5'000) / 1024.0;
    rows.push_back(std::move(r));
  }
  return rows;
}

namespace {

std::string utc_date(int64_t ts_ms) {
  // Independent of the store's own day arithmetic: floor to seconds, then gmtime.
  const time_t secs = static_cast<time_t>(ts_ms >= 0 ? ts_ms / 1000 : -((-ts_ms + 999) / 1000));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

std::vector<SpendTotal> brute_spend(const std::vector<SpendRow>& rows, const SpendQuery& q) {
  std::map<std::string, SpendTotal> groups;
  for (const SpendRow& r : rows) {
    if (r.ts_ms < q.since_ms || r.ts_ms >= q.until_ms) continue;
    if ((q.team && *q.team != r.team) || (q.project && *q.project != r.project) ||
        (q.key_id && *q.key_id != r.key_id) || (q.model && *q.model != r.model) ||
        (q.deployment && *q.deployment != r.deployment)) {
      continue;
    }
    std::string group;
    switch (q.by) {
      case SpendDimension::Team:
        group = r.team;
        break;
      case SpendDimension::Project:
        group = r.project;
        break;
      case SpendDimension::Key:
        group = r.key_id;
        break;
      case SpendDimension::Model:
        group = r.model;
        break;
      case SpendDimension::Deployment:
        group = r.deployment;
        break;
      case SpendDimension::Day:
        group = utc_date(r.ts_ms);
        break;
    }
    SpendTotal& t = groups[group];
    t.group = group;
    ++t.requests;
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.cost_usd += r.cost_usd;
  }
  std::vector<SpendTotal> out;
  for (auto& [group, total] : groups) out.push_back(std::move(total));
  std::stable_sort(out.begin(), out.end(), [](const SpendTotal& a, const SpendTotal& b) {
    return a.cost_usd > b.cost_usd;  // ties stay in group order (the map's)
  });
  return out;
}

std::string describe(const SpendQuery& q) {
  static const char* const names[] = {"team", "project", "key", "model", "deployment", "day"};
  std::string s = "by " + std::string(names[static_cast<int>(q.by)]) + " [" +
                  std::to_string(q.since_ms) + ", " + std::to_string(q.until_ms) + ")";
  const auto add = [&](const char* name, const std::optional<std::string>& v) {
    if (v) s += std::string(" ") + name + "=\"" + *v + "\"";
  };
  add("team", q.team);
  add("project", q.project);
  add("key", q.key_id);
  add("model", q.model);
  add("deployment", q.deployment);
  return s;
}

}  // namespace sy::store::testing
