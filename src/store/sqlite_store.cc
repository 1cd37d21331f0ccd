#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <map>
#include <thread>
#include <variant>

#include "store/identity_rows.h"
#include "store/query_sql.h"
#include "store/sqlite_util.h"

namespace sy::store {

using sqlite_util::bind;
using sqlite_util::bind_all;
using sqlite_util::column_text;
using sqlite_util::ResetOnExit;

namespace {

// Schema migrations: kMigrations[i] takes the database from version i to i + 1. Append
// new steps; never edit a released one.
constexpr std::array<const char*, 5> kMigrations = {
    R"sql(
CREATE TABLE IF NOT EXISTS audit_index (
  log_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  request_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  model TEXT NOT NULL,
  deployment TEXT NOT NULL,
  status INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  latency_ms INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  PRIMARY KEY (log_id, seq));
CREATE INDEX IF NOT EXISTS audit_index_ts ON audit_index (ts_ms, seq);
CREATE INDEX IF NOT EXISTS audit_index_request ON audit_index (request_id);

CREATE TABLE IF NOT EXISTS spend (
  ts_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL CHECK (request_id <> ''),
  team TEXT NOT NULL,
  project TEXT NOT NULL,
  key_id TEXT NOT NULL,
  model TEXT NOT NULL,
  deployment TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  PRIMARY KEY (ts_ms, request_id)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS spend_daily (
  day INTEGER NOT NULL,
  team TEXT NOT NULL,
  project TEXT NOT NULL,
  key_id TEXT NOT NULL,
  model TEXT NOT NULL,
  deployment TEXT NOT NULL,
  requests INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  PRIMARY KEY (day, team, project, key_id, model, deployment)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_checkpoints (
  log_id TEXT NOT NULL,
  tree_size INTEGER NOT NULL,
  root_hex TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature_b64 TEXT NOT NULL,
  PRIMARY KEY (log_id, tree_size)) WITHOUT ROWID;
)sql",
    // 2: identity — teams, projects, virtual API keys and the change counter.
    R"sql(
CREATE TABLE IF NOT EXISTS teams (
  name TEXT NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  created_ms INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS projects (
  team TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (team, name)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT NOT NULL PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  team TEXT NOT NULL,
  project TEXT NOT NULL,
  roles TEXT NOT NULL,
  models TEXT NOT NULL,
  routes TEXT NOT NULL,
  regions TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS api_keys_team ON api_keys (team, created_ms);

CREATE TABLE IF NOT EXISTS identity_version (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL);
INSERT OR IGNORE INTO identity_version VALUES (1, 0);
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS workflow_runs (
  id TEXT NOT NULL PRIMARY KEY,
  workflow TEXT NOT NULL,
  spec TEXT NOT NULL,
  input_json TEXT NOT NULL,
  status TEXT NOT NULL,
  principal_json TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  output_json TEXT NOT NULL,
  error TEXT NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_until_ms INTEGER NOT NULL,
  event_seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS workflow_runs_status ON workflow_runs (status, created_ms);

CREATE TABLE IF NOT EXISTS workflow_steps (
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  item INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  output_json TEXT NOT NULL,
  error TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, step_id, item));

CREATE TABLE IF NOT EXISTS workflow_events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  event_json TEXT NOT NULL,
  PRIMARY KEY (run_id, seq));
)sql",
    // 4: a team's allowed regions (docs/identity.md).
    "ALTER TABLE teams ADD COLUMN regions TEXT NOT NULL DEFAULT '';",
    // 5: policies set through the admin API (docs/policies.md).
    R"sql(
CREATE TABLE IF NOT EXISTS policy_versions (
  version INTEGER NOT NULL PRIMARY KEY,
  source TEXT NOT NULL,
  text TEXT NOT NULL,
  sha256_hex TEXT NOT NULL,
  actor TEXT NOT NULL,
  ts_ms INTEGER NOT NULL);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(kMigrations.size());

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_index (seq, ts_ms, kind, request_id, principal, action, model, "
    "deployment, status, cost_usd, latency_ms, segment, byte_offset, log_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
    "ON CONFLICT (log_id, seq) DO NOTHING";
constexpr std::string_view kInsertSpend =
    "INSERT INTO spend (ts_ms, request_id, team, project, key_id, model, deployment, "
    "input_tokens, output_tokens, cost_usd) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (ts_ms, request_id) DO NOTHING";
constexpr std::string_view kUpsertDaily =
    "INSERT INTO spend_daily (day, team, project, key_id, model, deployment, requests, "
    "input_tokens, output_tokens, cost_usd) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (day, team, project, key_id, model, deployment) DO UPDATE SET "
    "requests = requests + excluded.requests, input_tokens = input_tokens + "
    "excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, "
    "cost_usd = cost_usd + excluded.cost_usd";
constexpr std::string_view kInsertCheckpoint =
    "INSERT INTO audit_checkpoints (tree_size, root_hex, ts_ms, key_id, signature_b64, log_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (log_id, tree_size) DO NOTHING";

// One rollup cell of a batch: the spend rows it actually inserted, summed.
struct RollupKey {
  int64_t day;
  std::string_view team, project, key_id, model, deployment;
  auto operator<=>(const RollupKey&) const = default;
};
struct RollupSum {
  int64_t requests = 0, input_tokens = 0, output_tokens = 0;
  double cost_usd = 0;
};

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       uint32_t busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));  // closes db on every path
  if (rc != SQLITE_OK) return std::unexpected(store->error("cannot open the database", rc));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout_ms));

  // Switching to WAL needs a moment of exclusive access; another process that opens the
  // same new file at the same instant can make it fail with SQLITE_BUSY, so retry.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    const int wal = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if (wal == SQLITE_OK) break;
    if ((wal & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
      return std::unexpected(store->error("cannot switch to WAL mode", wal));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (auto r = store->exec_script("PRAGMA synchronous = NORMAL", "cannot set synchronous"); !r) {
    return std::unexpected(r.error());
  }
  return store;
}

SqliteStore::~SqliteStore() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Error SqliteStore::error(std::string_view what, int rc) const {
  const int primary = rc & 0xff;
  const ErrorKind kind = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? ErrorKind::Unavailable
                                                                            : ErrorKind::Internal;
  const char* detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return Error::make(kind, "sqlite (" + path_ + "): " + std::string(what) + ": " + detail);
}

Result<sqlite3_stmt*> SqliteStore::prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = statements_.find(key); it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(error("cannot prepare a statement", rc));
  statements_.emplace(std::move(key), stmt);
  return stmt;
}

Result<void> SqliteStore::run(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return std::unexpected(stmt.error());
  ResetOnExit reset{*stmt};
  const int rc = sqlite3_step(*stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return std::unexpected(error(sql, rc));
  return {};
}

Result<void> SqliteStore::exec_script(const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(error(what, rc));
  return {};
}

void SqliteStore::rollback() {
  if (sqlite3_get_autocommit(db_) == 0) (void)run("ROLLBACK");
}

Result<int> SqliteStore::schema_version() {
  auto exists = prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists) return std::unexpected(exists.error());
  {
    ResetOnExit reset{*exists};
    const int rc = sqlite3_step(*exists);
    if (rc != SQLITE_ROW) return std::unexpected(error("cannot read the schema", rc));
    if (sqlite3_column_int64(*exists, 0) == 0) return 0;
  }
  auto version = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!version) return std::unexpected(version.error());
  ResetOnExit reset{*version};
  const int rc = sqlite3_step(*version);
  if (rc != SQLITE_ROW) return std::unexpected(error("cannot read the schema version", rc));
  return static_cast<int>(sqlite3_column_int64(*version, 0));
}

Result<void> SqliteStore::migrate() {
  // Fast path without the write lock, so a reader (the CLI) never waits for a writer.
  auto current = schema_version();
  if (!current) return std::unexpected(current.error());
  if (*current == kSchemaVersion) return {};

  if (auto r = run("BEGIN IMMEDIATE"); !r) return r;
  auto result = [&]() -> Result<void> {
    if (auto r = exec_script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                             "cannot create schema_version");
        !r) {
      return r;
    }
    auto version = schema_version();  // again, under the lock: another process may have won
    if (!version) return std::unexpected(version.error());
    if (*version > kSchemaVersion) {
      return fail(ErrorKind::Internal, "sqlite (" + path_ + "): the database has schema version " +
                                           std::to_string(*version) +
                                           ", newer than this build supports (" +
                                           std::to_string(kSchemaVersion) + ")");
    }
    for (int v = *version; v < kSchemaVersion; ++v) {
      if (auto r =
              exec_script(kMigrations[v], "migration to schema version " + std::to_string(v + 1));
          !r) {
        return r;
      }
    }
    if (*version == kSchemaVersion) return {};
    const std::string set = "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                            std::to_string(kSchemaVersion) + ")";
    return exec_script(set.c_str(), "cannot record the schema version");
  }();
  if (result) result = run("COMMIT");
  if (!result) rollback();
  return result;
}

Result<void> SqliteStore::write(const WriteBatch& batch) {
  if (batch.empty()) return {};
  if (auto valid = validate_batch(batch); !valid) return valid;
  if (auto r = run("BEGIN IMMEDIATE"); !r) return r;
  auto result = write_rows(batch);
  if (result) result = run("COMMIT");
  if (!result) rollback();
  return result;
}

Result<void> SqliteStore::write_rows(const WriteBatch& batch) {
  const auto step_done = [&](sqlite3_stmt* s, int bind_rc, std::string_view what) -> Result<void> {
    ResetOnExit reset{s};
    if (bind_rc != SQLITE_OK) return std::unexpected(error(what, bind_rc));
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return std::unexpected(error(what, rc));
    return {};
  };

  if (!batch.audit.empty()) {
    auto s = prepare(kInsertAudit);
    if (!s) return std::unexpected(s.error());
    for (const AuditIndexRow& r : batch.audit) {
      const int rc = bind_all(
          *s, static_cast<int64_t>(r.seq), r.ts_ms, std::string_view(r.kind),
          std::string_view(r.request_id), std::string_view(r.principal), std::string_view(r.action),
          std::string_view(r.model), std::string_view(r.deployment), int64_t{r.status}, r.cost_usd,
          int64_t{r.latency_ms}, int64_t{r.segment}, static_cast<int64_t>(r.offset),
          std::string_view(r.log_id));
      if (auto done = step_done(*s, rc, "cannot insert an audit index row"); !done) return done;
    }
  }

  if (!batch.spend.empty()) {
    auto insert = prepare(kInsertSpend);
    if (!insert) return std::unexpected(insert.error());
    // Only rows that were actually inserted count: a replayed row is skipped by the
    // UNIQUE request_id, and must not be added to the rollup again.
    std::map<RollupKey, RollupSum> rollup;
    for (const SpendRow& r : batch.spend) {
      const int rc = bind_all(
          *insert, r.ts_ms, std::string_view(r.request_id), std::string_view(r.team),
          std::string_view(r.project), std::string_view(r.key_id), std::string_view(r.model),
          std::string_view(r.deployment), r.input_tokens, r.output_tokens, r.cost_usd);
      if (auto done = step_done(*insert, rc, "cannot insert a spend row"); !done) return done;
      if (sqlite3_changes(db_) != 1) continue;
      RollupSum& sum =
          rollup[RollupKey{day_of(r.ts_ms), r.team, r.project, r.key_id, r.model, r.deployment}];
      ++sum.requests;
      sum.input_tokens += r.input_tokens;
      sum.output_tokens += r.output_tokens;
      sum.cost_usd += r.cost_usd;
    }
    auto upsert = prepare(kUpsertDaily);
    if (!upsert) return std::unexpected(upsert.error());
    for (const auto& [k, sum] : rollup) {
      const int rc = bind_all(*upsert, k.day, k.team, k.project, k.key_id, k.model, k.deployment,
                              sum.requests, sum.input_tokens, sum.output_tokens, sum.cost_usd);
      if (auto done = step_done(*upsert, rc, "cannot update spend_daily"); !done) return done;
    }
  }

  if (!batch.checkpoints.empty()) {
    auto s = prepare(kInsertCheckpoint);
    if (!s) return std::unexpected(s.error());
    for (const CheckpointRow& r : batch.checkpoints) {
      const int rc =
          bind_all(*s, static_cast<int64_t>(r.tree_size), std::string_view(r.root_hex), r.ts_ms,
                   std::string_view(r.key_id), std::string_view(r.signature_b64),
                   std::string_view(r.log_id));
      if (auto done = step_done(*s, rc, "cannot insert a checkpoint"); !done) return done;
    }
  }
  return {};
}

Result<uint64_t> SqliteStore::audit_high_water(std::string_view log_id) {
  auto s = prepare("SELECT MAX(seq) FROM audit_index WHERE log_id = ?1");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind(*s, 1, log_id); rc != SQLITE_OK) {
    return std::unexpected(error("cannot bind the audit high water", rc));
  }
  const int rc = sqlite3_step(*s);
  if (rc != SQLITE_ROW) return std::unexpected(error("cannot read the audit high water", rc));
  if (sqlite3_column_type(*s, 0) == SQLITE_NULL) return uint64_t{0};
  return static_cast<uint64_t>(sqlite3_column_int64(*s, 0)) + 1;
}

Result<std::vector<SpendTotal>> SqliteStore::spend(const SpendQuery& q) {
  const SqlStatement st = spend_sql(q, Dialect::Sqlite, /*grouped=*/false);
  auto s = prepare(st.text);
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  for (size_t i = 0; i < st.params.size(); ++i) {
    if (const int rc = bind(*s, static_cast<int>(i + 1), st.params[i]); rc != SQLITE_OK) {
      return std::unexpected(error("cannot bind a spend query", rc));
    }
  }
  SpendTotals totals(q.by);
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    const auto* group = reinterpret_cast<const char*>(sqlite3_column_text(*s, 0));
    totals.add(std::string_view(group != nullptr ? group : "",
                                static_cast<size_t>(sqlite3_column_bytes(*s, 0))),
               sqlite3_column_int64(*s, 1), sqlite3_column_int64(*s, 2),
               sqlite3_column_int64(*s, 3), sqlite3_column_double(*s, 4));
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("spend query failed", rc));
  return std::move(totals).finish();
}

Result<std::vector<AuditIndexRow>> SqliteStore::audit_search(const AuditQuery& q) {
  const SqlStatement st = audit_search_sql(q, Dialect::Sqlite);
  auto s = prepare(st.text);
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  for (size_t i = 0; i < st.params.size(); ++i) {
    if (const int rc = bind(*s, static_cast<int>(i + 1), st.params[i]); rc != SQLITE_OK) {
      return std::unexpected(error("cannot bind an audit search", rc));
    }
  }
  std::vector<AuditIndexRow> rows;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    AuditIndexRow& r = rows.emplace_back();
    r.seq = static_cast<uint64_t>(sqlite3_column_int64(*s, 0));
    r.ts_ms = sqlite3_column_int64(*s, 1);
    r.kind = column_text(*s, 2);
    r.request_id = column_text(*s, 3);
    r.principal = column_text(*s, 4);
    r.action = column_text(*s, 5);
    r.model = column_text(*s, 6);
    r.deployment = column_text(*s, 7);
    r.status = static_cast<int>(sqlite3_column_int64(*s, 8));
    r.cost_usd = sqlite3_column_double(*s, 9);
    r.latency_ms = static_cast<uint32_t>(sqlite3_column_int64(*s, 10));
    r.segment = static_cast<uint32_t>(sqlite3_column_int64(*s, 11));
    r.offset = static_cast<uint64_t>(sqlite3_column_int64(*s, 12));
    r.log_id = column_text(*s, 13);
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("audit search failed", rc));
  return rows;
}

Result<std::vector<CheckpointRow>> SqliteStore::checkpoints(std::string_view log_id,
                                                            uint64_t min_tree_size) {
  auto s = prepare(
      "SELECT tree_size, root_hex, ts_ms, key_id, signature_b64 FROM audit_checkpoints "
      "WHERE log_id = ?2 AND tree_size >= ?1 ORDER BY tree_size");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  const auto min = static_cast<int64_t>(std::min<uint64_t>(min_tree_size, INT64_MAX));
  if (const int rc = bind_all(*s, min, log_id); rc != SQLITE_OK) {
    return std::unexpected(error("cannot bind a checkpoint query", rc));
  }
  std::vector<CheckpointRow> rows;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    CheckpointRow& r = rows.emplace_back();
    r.tree_size = static_cast<uint64_t>(sqlite3_column_int64(*s, 0));
    r.root_hex = column_text(*s, 1);
    r.ts_ms = sqlite3_column_int64(*s, 2);
    r.key_id = column_text(*s, 3);
    r.signature_b64 = column_text(*s, 4);
    r.log_id = std::string(log_id);
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("checkpoint query failed", rc));
  return rows;
}

// ---- identity ----

constexpr std::string_view kKeyColumns =
    "id, key_hash, prefix, name, team, project, roles, models, routes, regions, tags, "
    "created_ms, expires_ms, revoked_ms, created_by";

template <class Body>
Result<void> SqliteStore::identity_change(Body&& body) {
  if (auto r = run("BEGIN IMMEDIATE"); !r) return r;
  Result<void> result = body();
  if (result) result = run("UPDATE identity_version SET version = version + 1 WHERE id = 1");
  if (result) result = run("COMMIT");
  if (!result) rollback();
  return result;
}

Result<bool> SqliteStore::exists(std::string_view sql, std::string_view a, std::string_view b) {
  auto s = prepare(sql);
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  const int bound = b.data() == nullptr ? bind(*s, 1, a) : bind_all(*s, a, b);
  if (bound != SQLITE_OK) return std::unexpected(error("cannot bind a lookup", bound));
  const int rc = sqlite3_step(*s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(error("lookup failed", rc));
  return rc == SQLITE_ROW;
}

Result<void> SqliteStore::create_team(const TeamRow& t) {
  if (auto v = validate_team(t); !v) return v;
  return identity_change([&]() -> Result<void> {
    auto s = prepare(
        "INSERT INTO teams (name, description, created_ms, regions) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT DO NOTHING");
    if (!s) return std::unexpected(s.error());
    ResetOnExit reset{*s};
    const std::string regions = join_list(t.regions);
    const int bound = bind_all(*s, std::string_view(t.name), std::string_view(t.description),
                               t.created_ms, std::string_view(regions));
    if (bound != SQLITE_OK) return std::unexpected(error("cannot bind a team", bound));
    if (const int rc = sqlite3_step(*s); rc != SQLITE_DONE) {
      return std::unexpected(error("cannot insert a team", rc));
    }
    if (sqlite3_changes(db_) != 1) return std::unexpected(already_exists("team \"" + t.name + "\""));
    return {};
  });
}

Result<std::vector<TeamRow>> SqliteStore::teams() {
  auto s = prepare("SELECT name, description, created_ms, regions FROM teams ORDER BY name");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  std::vector<TeamRow> out;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    out.push_back({column_text(*s, 0), column_text(*s, 1), sqlite3_column_int64(*s, 2),
                   split_list(column_text(*s, 3))});
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot list teams", rc));
  return out;
}

Result<bool> SqliteStore::set_team_regions(std::string_view team,
                                           const std::vector<std::string>& regions) {
  if (auto v = validate_list_items(regions); !v) return std::unexpected(v.error());
  bool found = false;
  auto r = identity_change([&]() -> Result<void> {
    auto s = prepare("UPDATE teams SET regions = ?2 WHERE name = ?1");
    if (!s) return std::unexpected(s.error());
    ResetOnExit reset{*s};
    const std::string joined = join_list(regions);
    if (const int rc = bind_all(*s, team, std::string_view(joined)); rc != SQLITE_OK) {
      return std::unexpected(error("cannot bind a team's regions", rc));
    }
    if (const int rc = sqlite3_step(*s); rc != SQLITE_DONE) {
      return std::unexpected(error("cannot update a team's regions", rc));
    }
    found = sqlite3_changes(db_) == 1;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return found;
}

Result<void> SqliteStore::create_project(const ProjectRow& p) {
  if (auto v = validate_project(p); !v) return v;
  return identity_change([&]() -> Result<void> {
    auto team = exists("SELECT 1 FROM teams WHERE name = ?1", p.team);
    if (!team) return std::unexpected(team.error());
    if (!*team) return std::unexpected(unknown_team(p.team));
    auto s = prepare(
        "INSERT INTO projects (team, name, description, created_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT DO NOTHING");
    if (!s) return std::unexpected(s.error());
    ResetOnExit reset{*s};
    const int bound = bind_all(*s, std::string_view(p.team), std::string_view(p.name),
                               std::string_view(p.description), p.created_ms);
    if (bound != SQLITE_OK) return std::unexpected(error("cannot bind a project", bound));
    if (const int rc = sqlite3_step(*s); rc != SQLITE_DONE) {
      return std::unexpected(error("cannot insert a project", rc));
    }
    if (sqlite3_changes(db_) != 1) {
      return std::unexpected(already_exists("project \"" + p.name + "\" of team \"" + p.team + "\""));
    }
    return {};
  });
}

Result<std::vector<ProjectRow>> SqliteStore::projects(std::optional<std::string> team) {
  auto s = prepare(
      "SELECT team, name, description, created_ms FROM projects WHERE ?1 IS NULL OR team = ?1 "
      "ORDER BY team, name");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (team) {
    if (const int rc = bind(*s, 1, std::string_view(*team)); rc != SQLITE_OK) {
      return std::unexpected(error("cannot bind a project query", rc));
    }
  }
  std::vector<ProjectRow> out;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    out.push_back(
        {column_text(*s, 0), column_text(*s, 1), column_text(*s, 2), sqlite3_column_int64(*s, 3)});
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot list projects", rc));
  return out;
}

Result<void> SqliteStore::create_key(const ApiKeyRow& k) {
  if (auto v = validate_key(k); !v) return v;
  return identity_change([&]() -> Result<void> {
    auto team = exists("SELECT 1 FROM teams WHERE name = ?1", k.team);
    if (!team) return std::unexpected(team.error());
    if (!*team) return std::unexpected(unknown_team(k.team));
    if (!k.project.empty()) {
      auto project = exists("SELECT 1 FROM projects WHERE team = ?1 AND name = ?2", k.team,
                            k.project);
      if (!project) return std::unexpected(project.error());
      if (!*project) return std::unexpected(unknown_project(k.team, k.project));
    }
    auto s = prepare(
        "INSERT INTO api_keys (" + std::string(kKeyColumns) +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
        "ON CONFLICT DO NOTHING");
    if (!s) return std::unexpected(s.error());
    ResetOnExit reset{*s};
    const std::string roles = join_list(k.roles), models = join_list(k.models),
                      routes = join_list(k.routes), regions = join_list(k.regions),
                      tags = join_list(k.tags);
    const int bound = bind_all(
        *s, std::string_view(k.id), std::string_view(k.hash_hex), std::string_view(k.prefix),
        std::string_view(k.name), std::string_view(k.team), std::string_view(k.project),
        std::string_view(roles), std::string_view(models), std::string_view(routes),
        std::string_view(regions), std::string_view(tags), k.created_ms, k.expires_ms,
        k.revoked_ms, std::string_view(k.created_by));
    if (bound != SQLITE_OK) return std::unexpected(error("cannot bind a key", bound));
    if (const int rc = sqlite3_step(*s); rc != SQLITE_DONE) {
      return std::unexpected(error("cannot insert a key", rc));
    }
    if (sqlite3_changes(db_) != 1) return std::unexpected(already_exists("a key with this id or secret"));
    return {};
  });
}

Result<std::vector<ApiKeyRow>> SqliteStore::read_keys(sqlite3_stmt* s) {
  std::vector<ApiKeyRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ApiKeyRow& k = out.emplace_back();
    k.id = column_text(s, 0);
    k.hash_hex = column_text(s, 1);
    k.prefix = column_text(s, 2);
    k.name = column_text(s, 3);
    k.team = column_text(s, 4);
    k.project = column_text(s, 5);
    k.roles = split_list(column_text(s, 6));
    k.models = split_list(column_text(s, 7));
    k.routes = split_list(column_text(s, 8));
    k.regions = split_list(column_text(s, 9));
    k.tags = split_list(column_text(s, 10));
    k.created_ms = sqlite3_column_int64(s, 11);
    k.expires_ms = sqlite3_column_int64(s, 12);
    k.revoked_ms = sqlite3_column_int64(s, 13);
    k.created_by = column_text(s, 14);
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot read keys", rc));
  return out;
}

Result<std::vector<ApiKeyRow>> SqliteStore::keys(std::optional<std::string> team) {
  auto s = prepare("SELECT " + std::string(kKeyColumns) +
                   " FROM api_keys WHERE ?1 IS NULL OR team = ?1 ORDER BY created_ms, id");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (team) {
    if (const int rc = bind(*s, 1, std::string_view(*team)); rc != SQLITE_OK) {
      return std::unexpected(error("cannot bind a key query", rc));
    }
  }
  return read_keys(*s);
}

Result<std::optional<ApiKeyRow>> SqliteStore::key(std::string_view id) {
  auto s = prepare("SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE id = ?1");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind(*s, 1, id); rc != SQLITE_OK) {
    return std::unexpected(error("cannot bind a key lookup", rc));
  }
  auto rows = read_keys(*s);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<ApiKeyRow>{};
  return std::optional<ApiKeyRow>(std::move(rows->front()));
}

Result<bool> SqliteStore::revoke_key(std::string_view id, int64_t ts_ms) {
  bool found = false;
  auto r = identity_change([&]() -> Result<void> {
    auto s = prepare(
        "UPDATE api_keys SET revoked_ms = CASE WHEN revoked_ms = 0 THEN ?2 ELSE revoked_ms END "
        "WHERE id = ?1");
    if (!s) return std::unexpected(s.error());
    ResetOnExit reset{*s};
    if (const int rc = bind_all(*s, id, ts_ms); rc != SQLITE_OK) {
      return std::unexpected(error("cannot bind a revocation", rc));
    }
    if (const int rc = sqlite3_step(*s); rc != SQLITE_DONE) {
      return std::unexpected(error("cannot revoke a key", rc));
    }
    found = sqlite3_changes(db_) == 1;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return found;
}

Result<int64_t> SqliteStore::identity_version() {
  auto s = prepare("SELECT version FROM identity_version WHERE id = 1");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  const int rc = sqlite3_step(*s);
  if (rc == SQLITE_DONE) return int64_t{0};
  if (rc != SQLITE_ROW) return std::unexpected(error("cannot read the identity version", rc));
  return sqlite3_column_int64(*s, 0);
}

}  // namespace sy::store
