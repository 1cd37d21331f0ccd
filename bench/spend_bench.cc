// spend_bench: write throughput of the spend ledger and the latency of spend queries at
// scale, on SQLite and (with --pg) PostgreSQL.
//
// Generates --rows rows (default 10,000,000) of spend over 90 days (50 teams, 150
// projects, 500 keys, 20 models with 2 deployments each; popularity is skewed, each key
// uses a few models), writes them through Store::write() in batches, then times five
// spend queries: the median of 5 runs after one warm-up. The baseline, measured in the
// same run on the same data, is the same answer computed the naive way — one GROUP BY
// over the raw rows of the range — and the two answers are checked against each other.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using sy::store::SpendDimension;
using sy::store::SpendQuery;
using sy::store::SpendRow;
using sy::store::SpendTotal;
using Clock = std::chrono::steady_clock;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kHour = 3'600'000;
// "Now" is fixed so runs are comparable: 2026-11-25 14:37:00 UTC, mid-day on purpose
// (the raw edges of a "since 7 days" query are then as large as on an average call).
constexpr int64_t kNow = 20'782 * kDay + 14 * kHour + 37 * 60'000;
constexpr int kSpanDays = 90;

struct Options {
  uint64_t rows = 10'000'000;
  size_t batch = 10'000;
  std::string pg_url;       // store URL of a PostgreSQL database, or ""
  std::string sqlite_path;  // reuse this file (kept) instead of a temporary one
  bool skip_sqlite = false;
  bool queries_only = false;  // the database already holds the rows
  int runs = 5;
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

// The synthetic organisation and its traffic, deterministic for a given row count.
class Generator {
 public:
  explicit Generator(uint64_t rows) : rows_(rows), rng_(42) {
    for (int k = 0; k < 500; ++k) {
      Key key;
      key.id = fmt("key-%03d", k);
      key.team = fmt("team-%02d", k % 50);
      key.project = key.team + fmt("/proj-%d", (k / 50) % 3);
      for (int m = 0; m < 4; ++m) key.models.push_back(static_cast<int>(model_dist_(rng_)));
      keys_.push_back(std::move(key));
    }
    for (int m = 0; m < 20; ++m) {
      models_.push_back(fmt("model-%02d", m));
      price_in_.push_back(0.15 + 0.6 * m);
      price_out_.push_back(0.6 + 2.5 * m);
    }
  }

  SpendRow row(uint64_t i) {
    SpendRow r;
    // Evenly spread over the 90 days before kNow, with jitter; in time order per batch.
    const int64_t start = kNow - kSpanDays * kDay;
    const double step = static_cast<double>(kSpanDays * kDay) / static_cast<double>(rows_);
    r.ts_ms = start + static_cast<int64_t>(step * (static_cast<double>(i) + unit_(rng_)));
    // Like the gateway's ids (core/ids.h): "req_" and 24 random hex digits; unique here
    // because splitmix64 is a bijection.
    char id[40];
    std::snprintf(id, sizeof id, "req_%016llx%08llx",
                  static_cast<unsigned long long>(splitmix64(i)),
                  static_cast<unsigned long long>(splitmix64(~i) & 0xffffffff));
    r.request_id = id;
    const Key& key = keys_[key_dist_(rng_)];
    r.team = key.team;
    r.project = key.project;
    r.key_id = key.id;
    const int model = key.models[pick4_(rng_)];
    r.model = models_[static_cast<size_t>(model)];
    r.deployment = r.model + (unit_(rng_) < 0.8 ? "@azure-eastus" : "@bedrock-us-west-2");
    r.input_tokens = static_cast<int64_t>(std::exp(std::log(200.0) + unit_(rng_) * std::log(40.0)));
    r.output_tokens =
        static_cast<int64_t>(std::exp(std::log(20.0) + unit_(rng_) * std::log(100.0)));
    r.cost_usd = (static_cast<double>(r.input_tokens) * price_in_[static_cast<size_t>(model)] +
                  static_cast<double>(r.output_tokens) * price_out_[static_cast<size_t>(model)]) /
                 1e6;
    return r;
  }

 private:
  struct Key {
    std::string id, team, project;
    std::vector<int> models;
  };
  static std::string fmt(const char* f, int v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
  }
  static std::discrete_distribution<size_t> zipf(int n, double s) {
    std::vector<double> w;
    for (int i = 1; i <= n; ++i) w.push_back(1.0 / std::pow(i, s));
    return {w.begin(), w.end()};
  }

  uint64_t rows_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  std::discrete_distribution<size_t> key_dist_ = zipf(500, 0.8);
  std::discrete_distribution<size_t> model_dist_ = zipf(20, 1.0);
  std::discrete_distribution<size_t> pick4_{8, 4, 2, 1};
  std::vector<Key> keys_;
  std::vector<std::string> models_;
  std::vector<double> price_in_, price_out_;
};

struct NamedQuery {
  const char* name;
  SpendQuery q;
};

std::vector<NamedQuery> queries() {
  return {
      {"by team, since 7d", {.by = SpendDimension::Team, .since_ms = kNow - 7 * kDay}},
      {"by key, since 30d", {.by = SpendDimension::Key, .since_ms = kNow - 30 * kDay}},
      {"by model, team-07, 30d",
       {.by = SpendDimension::Model,
        .since_ms = kNow - 30 * kDay,
        .until_ms = kNow,
        .team = "team-07"}},
      {"by day, team-07, 90d",
       {.by = SpendDimension::Day,
        .since_ms = kNow - 90 * kDay,
        .until_ms = kNow,
        .team = "team-07"}},
      {"by deployment, [-7d5h, -3h)",
       {.by = SpendDimension::Deployment,
        .since_ms = kNow - 7 * kDay - 5 * kHour,
        .until_ms = kNow - 3 * kHour}},
  };
}

// The naive answer: one GROUP BY over the raw rows in the range.
std::string baseline_sql(const SpendQuery& q) {
  static const char* const columns[] = {
      "team",  "project",    "key_id",
      "model", "deployment", "((ts_ms - ((ts_ms % 86400000) + 86400000) % 86400000) / 86400000)"};
  const std::string g = columns[static_cast<int>(q.by)];
  std::string sql = "SELECT " + g +
                    ", COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd) FROM spend "
                    "WHERE ts_ms >= " +
                    std::to_string(q.since_ms) + " AND ts_ms < " + std::to_string(q.until_ms);
  if (q.team) sql += " AND team = '" + *q.team + "'";  // generated names: no quotes inside
  return sql + " GROUP BY 1";
}

// Runs the baseline; returns the number of rows counted (to check against the store).
using Baseline = std::function<int64_t(const std::string& sql)>;

Baseline sqlite_baseline(const std::string& path) {
  auto db = std::make_shared<std::shared_ptr<sqlite3>>();
  return [db, path](const std::string& sql) -> int64_t {
    if (!*db) {  // opened on first use: the store creates the file
      sqlite3* raw = nullptr;
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
      db->reset(raw, sqlite3_close);
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db->get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "baseline: %s\n", sqlite3_errmsg(db->get()));
      return -1;
    }
    int64_t n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    return n;
  };
}

std::string conninfo_of(const std::string& url) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return url;
  return url.starts_with("postgres:") ? url.substr(9) : url;
}

std::string with_search_path(const std::string& url, const std::string& schema) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema;
  }
  return url + " options=-csearch_path=" + schema;
}

Baseline pg_baseline(const std::string& url) {
  auto conn = std::shared_ptr<PGconn>(PQconnectdb(conninfo_of(url).c_str()), PQfinish);
  PQclear(PQexec(conn.get(), "SET jit = off"));  // as the store's sessions
  return [conn](const std::string& sql) -> int64_t {
    PGresult* r = PQexec(conn.get(), sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "baseline: %s\n", PQresultErrorMessage(r));
      PQclear(r);
      return -1;
    }
    int64_t n = 0;
    for (int i = 0; i < PQntuples(r); ++i) n += std::atoll(PQgetvalue(r, i, 1));
    PQclear(r);
    return n;
  };
}

bool pg_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo_of(url).c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(conn, ("SET client_min_messages = warning; " + sql).c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) std::fprintf(stderr, "postgres: %s", PQresultErrorMessage(r));
    PQclear(r);
  } else {
    std::fprintf(stderr, "postgres: %s", PQerrorMessage(conn));
  }
  PQfinish(conn);
  return ok;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Writes the rows, then times the queries. Returns false on any error.
bool run(const char* label, const std::string& store_url, const Baseline& baseline,
         const Options& opt) {
  auto opened = sy::store::open_store({.url = store_url});
  if (!opened) {
    std::fprintf(stderr, "%s: %s\n", label, opened.error().message.c_str());
    return false;
  }
  sy::store::Store& store = **opened;
  std::printf("\n== %s\n", label);
  if (!opt.queries_only) {
    // Only Store::write() is timed, not the generation of the rows.
    Generator gen(opt.rows);
    const auto t0 = Clock::now();
    double write_ms = 0, next_report = 0.1;
    sy::store::WriteBatch batch;
    for (uint64_t i = 0; i < opt.rows;) {
      batch.spend.clear();
      for (; i < opt.rows && batch.spend.size() < opt.batch; ++i) batch.spend.push_back(gen.row(i));
      const auto w0 = Clock::now();
      if (auto w = store.write(batch); !w) {
        std::fprintf(stderr, "%s: write failed: %s\n", label, w.error().message.c_str());
        return false;
      }
      write_ms += ms_since(w0);
      if (static_cast<double>(i) >= next_report * static_cast<double>(opt.rows)) {
        std::fprintf(stderr, "  %s: %3.0f%% written, %.0f rows/s so far\n", label,
                     next_report * 100, static_cast<double>(i) / (write_ms / 1000));
        next_report += 0.1;
      }
    }
    std::printf(
        "write: %llu rows in batches of %zu: %.0f rows/s (%.1f s in Store::write, "
        "%.1f s in all)\n",
        static_cast<unsigned long long>(opt.rows), opt.batch,
        static_cast<double>(opt.rows) / (write_ms / 1000), write_ms / 1000, ms_since(t0) / 1000);
  }

  std::printf("%-30s %8s %12s %12s %9s %7s %s\n", "query (median of runs)", "groups", "store ms",
              "raw scan ms", "speed-up", "rows", "check");
  bool ok = true;
  for (const auto& [name, q] : queries()) {
    std::vector<double> store_ms, base_ms;
    std::vector<SpendTotal> totals;
    for (int run = 0; run <= opt.runs; ++run) {  // run 0 warms up
      const auto t0 = Clock::now();
      auto r = store.spend(q);
      const double ms = ms_since(t0);
      if (!r) {
        std::fprintf(stderr, "%s: %s\n", name, r.error().message.c_str());
        return false;
      }
      if (run > 0) store_ms.push_back(ms);
      totals = std::move(*r);
    }
    int64_t base_rows = 0;
    for (int run = 0; run <= opt.runs; ++run) {
      const auto t0 = Clock::now();
      base_rows = baseline(baseline_sql(q));
      if (run > 0) base_ms.push_back(ms_since(t0));
    }
    int64_t store_rows = 0;
    for (const auto& t : totals) store_rows += t.requests;
    const bool match = store_rows == base_rows;
    ok = ok && match;
    std::printf("%-30s %8zu %12.2f %12.2f %8.0fx %7lld %s\n", name, totals.size(), median(store_ms),
                median(base_ms), median(base_ms) / median(store_ms),
                static_cast<long long>(store_rows), match ? "ok" : "MISMATCH");
  }
  std::fflush(stdout);
  return ok;
}

void usage() {
  std::puts(
      "usage: spend_bench [--rows N] [--batch N] [--runs N] [--pg URL] [--no-sqlite]\n"
      "                   [--sqlite PATH] [--queries-only]\n"
      "  --rows N         rows to generate (default 10000000)\n"
      "  --batch N        rows per Store::write() (default 10000)\n"
      "  --runs N         timed runs per query, after one warm-up (default 5)\n"
      "  --pg URL         also PostgreSQL: a store URL (postgres:host=… or postgres://…);\n"
      "                   uses (and drops first) the schema spend_bench\n"
      "  --no-sqlite      PostgreSQL only\n"
      "  --sqlite PATH    use this SQLite file and keep it (default: a temporary file)\n"
      "  --queries-only   do not write; the databases already hold the rows of an earlier\n"
      "                   run with the same --rows");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows") {
      opt.rows = std::stoull(value());
    } else if (a == "--batch") {
      opt.batch = std::stoull(value());
    } else if (a == "--runs") {
      opt.runs = std::stoi(value());
    } else if (a == "--pg") {
      opt.pg_url = value();
    } else if (a == "--sqlite") {
      opt.sqlite_path = value();
    } else if (a == "--no-sqlite") {
      opt.skip_sqlite = true;
    } else if (a == "--queries-only") {
      opt.queries_only = true;
    } else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  std::printf("spend_bench: %llu rows over %d days, batches of %zu, median of %d runs\n",
              static_cast<unsigned long long>(opt.rows), kSpanDays, opt.batch, opt.runs);
  bool ok = true;
  if (!opt.skip_sqlite) {
    std::string path = opt.sqlite_path;
    std::string tmpdir;
    if (path.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      tmpdir = std::string(tmp != nullptr ? tmp : "/tmp") + "/sy-spend-bench-XXXXXX";
      if (mkdtemp(tmpdir.data()) == nullptr) return 1;
      path = tmpdir + "/spend.db";
    }
    ok = run("sqlite", "sqlite:" + path, sqlite_baseline(path), opt) && ok;
    std::error_code ec;
    std::printf("sqlite file: %.0f MiB (+ WAL)\n",
                static_cast<double>(std::filesystem::file_size(path, ec)) / (1 << 20));
    if (!tmpdir.empty()) std::filesystem::remove_all(tmpdir, ec);
  }
  if (!opt.pg_url.empty()) {
    if (!opt.queries_only && !pg_exec(opt.pg_url,
                                      "DROP SCHEMA IF EXISTS spend_bench CASCADE; "
                                      "CREATE SCHEMA spend_bench")) {
      return 1;
    }
    const std::string url = with_search_path(opt.pg_url, "spend_bench");
    ok = run("postgres", url, pg_baseline(url), opt) && ok;
  }
  return ok ? 0 : 1;
}
