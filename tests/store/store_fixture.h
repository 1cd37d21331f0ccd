// StoreTest: the fixture every backend-independent store test runs under, once per
// backend. SQLite gets a file in a fresh temporary directory; PostgreSQL gets a fresh
// schema (dropped afterwards) on the server named by SY_TEST_PG_URL, which CTest starts
// with scripts/pg-test-server.sh. Without SY_TEST_PG_URL the PostgreSQL cases skip.
// Also: generators of test rows and the brute-force spend sums the store is checked
// against. Single-threaded test code.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "store/store.h"

struct sqlite3;
struct pg_conn;

namespace sy::store::testing {

enum class Backend { Sqlite, Postgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);
inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::Sqlite ? "sqlite" : "postgres");
}

// The base PostgreSQL URL from SY_TEST_PG_URL, or "" when unset.
std::string pg_base_url();
extern const char* const kPgSkipMessage;

// A database of one's own: a SQLite file in a temporary directory, or a PostgreSQL
// schema on the test server. Removed on destruction.
class TestDatabase {
 public:
  TestDatabase(Backend backend, const std::string& name);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  const std::string& url() const { return url_; }
  const std::string& dir() const { return dir_; }        // SQLite only
  const std::string& schema() const { return schema_; }  // PostgreSQL only
  // Runs SQL on a connection of the test's own (PostgreSQL only); "" on success, else the error.
  std::string pg_exec(const std::string& sql) const;

 private:
  Backend backend_;
  std::string url_, dir_, schema_;
};

// Blocks writers of a test database until destroyed: holds SQLite's write lock (an open
// BEGIN IMMEDIATE on a connection of its own) or, on PostgreSQL, an ACCESS EXCLUSIVE
// lock on `table`.
class WriteLockHolder {
 public:
  WriteLockHolder(const TestDatabase& db, const std::string& table);
  ~WriteLockHolder();
  WriteLockHolder(const WriteLockHolder&) = delete;
  WriteLockHolder& operator=(const WriteLockHolder&) = delete;

 private:
  sqlite3* sqlite_ = nullptr;
  pg_conn* pg_ = nullptr;
};

// Runs SQL on a SQLite file with a connection of the test's own; "" on success, else the error.
std::string sqlite_exec(const std::string& path, const std::string& sql);

// `base` (a store URL for PostgreSQL) with search_path set to `schema`.
std::string with_search_path(const std::string& base, const std::string& schema);

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  // Opens another store on the same database (a second connection).
  std::unique_ptr<Store> open_again(uint32_t busy_timeout_ms = 5'000) const;

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

// Deterministic spend rows over `days` UTC days from `first_day`, with awkward text in
// the dimensions (empty, quotes, commas, braces, backslashes, "NULL", UTF-8) and costs
// that are multiples of 1/1024, so that every sum is exact in any order. Includes rows
// exactly at midnight and one millisecond before it.
std::vector<SpendRow> make_spend_rows(size_t n, int64_t first_day, int days, uint64_t seed);

// The answer computed from the rows themselves: filter, group, sum, order.
std::vector<SpendTotal> brute_spend(const std::vector<SpendRow>& rows, const SpendQuery& q);

std::string describe(const SpendQuery& q);

inline auto as_tuple(const AuditIndexRow& r) {
  return std::make_tuple(r.seq, r.ts_ms, r.kind, r.request_id, r.principal, r.action, r.model,
                         r.deployment, r.status, r.cost_usd, r.latency_ms, r.segment, r.offset);
}
inline auto as_tuple(const CheckpointRow& r) {
  return std::make_tuple(r.tree_size, r.root_hex, r.ts_ms, r.key_id, r.signature_b64);
}
inline auto as_tuple(const SpendTotal& t) {
  return std::make_tuple(t.group, t.requests, t.input_tokens, t.output_tokens, t.cost_usd);
}

// Rows as comparable, printable tuples of values.
template <class T>
auto tuples(const std::vector<T>& rows) {
  std::vector<decltype(as_tuple(std::declval<const T&>()))> out;
  for (const T& r : rows) out.push_back(as_tuple(r));
  return out;
}

}  // namespace sy::store::testing
