#include "store/postgres_store.h"
#include "store/postgres_rows.h"

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "store/identity_rows.h"
#include "store/query_sql.h"

namespace sy::store {
namespace {

// Serialises migrate() across every process using the database ("SYSTORE1").
constexpr int64_t kMigrationLockKey = 0x5359'5354'4F52'4531;

// Schema migrations: kMigrations[i] takes the database from version i to i + 1. Append
// new steps; never edit a released one. Text columns use the "C" collation: they are
// compared for equality only, and bytewise comparison keeps the indexes cheap.
constexpr std::array<const char*, 5> kMigrations = {
    R"sql(
CREATE TABLE IF NOT EXISTS audit_index (
  log_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  ts_ms BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  request_id TEXT COLLATE "C" NOT NULL,
  principal TEXT COLLATE "C" NOT NULL,
  action TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  deployment TEXT COLLATE "C" NOT NULL,
  status BIGINT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  latency_ms BIGINT NOT NULL,
  segment BIGINT NOT NULL,
  byte_offset BIGINT NOT NULL,
  PRIMARY KEY (log_id, seq));
CREATE INDEX IF NOT EXISTS audit_index_ts ON audit_index (ts_ms, seq);
CREATE INDEX IF NOT EXISTS audit_index_request ON audit_index (request_id);

CREATE TABLE IF NOT EXISTS spend (
  ts_ms BIGINT NOT NULL,
  request_id TEXT COLLATE "C" NOT NULL CHECK (request_id <> ''),
  team TEXT COLLATE "C" NOT NULL,
  project TEXT COLLATE "C" NOT NULL,
  key_id TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  deployment TEXT COLLATE "C" NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (ts_ms, request_id));

CREATE TABLE IF NOT EXISTS spend_daily (
  day BIGINT NOT NULL,
  team TEXT COLLATE "C" NOT NULL,
  project TEXT COLLATE "C" NOT NULL,
  key_id TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  deployment TEXT COLLATE "C" NOT NULL,
  requests BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (day, team, project, key_id, model, deployment));

CREATE TABLE IF NOT EXISTS audit_checkpoints (
  log_id TEXT COLLATE "C" NOT NULL,
  tree_size BIGINT NOT NULL,
  root_hex TEXT NOT NULL,
  ts_ms BIGINT NOT NULL,
  key_id TEXT NOT NULL,
  signature_b64 TEXT NOT NULL,
  PRIMARY KEY (log_id, tree_size));
)sql",
    // 2: identity — teams, projects, virtual API keys and the change counter.
    R"sql(
CREATE TABLE IF NOT EXISTS teams (
  name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  created_ms BIGINT NOT NULL);

CREATE TABLE IF NOT EXISTS projects (
  team TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  description TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (team, name));

CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  team TEXT COLLATE "C" NOT NULL,
  project TEXT COLLATE "C" NOT NULL,
  roles TEXT NOT NULL,
  models TEXT NOT NULL,
  routes TEXT NOT NULL,
  regions TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  revoked_ms BIGINT NOT NULL,
  created_by TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS api_keys_team ON api_keys (team, created_ms);

CREATE TABLE IF NOT EXISTS identity_version (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL);
INSERT INTO identity_version VALUES (1, 0) ON CONFLICT DO NOTHING;
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS workflow_runs (
  id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  workflow TEXT NOT NULL,
  spec TEXT NOT NULL,
  input_json TEXT NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  principal_json TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  finished_ms BIGINT NOT NULL,
  output_json TEXT NOT NULL,
  error TEXT NOT NULL,
  lease_owner TEXT COLLATE "C" NOT NULL,
  lease_until_ms BIGINT NOT NULL,
  event_seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS workflow_runs_status ON workflow_runs (status, created_ms);

CREATE TABLE IF NOT EXISTS workflow_steps (
  run_id TEXT COLLATE "C" NOT NULL REFERENCES workflow_runs (id),
  step_id TEXT COLLATE "C" NOT NULL,
  item BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempt BIGINT NOT NULL,
  idempotency_key TEXT NOT NULL,
  output_json TEXT NOT NULL,
  error TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  started_ms BIGINT NOT NULL,
  finished_ms BIGINT NOT NULL,
  PRIMARY KEY (run_id, step_id, item));

CREATE TABLE IF NOT EXISTS workflow_events (
  run_id TEXT COLLATE "C" NOT NULL REFERENCES workflow_runs (id),
  seq BIGINT NOT NULL,
  ts_ms BIGINT NOT NULL,
  event_json TEXT NOT NULL,
  PRIMARY KEY (run_id, seq));
)sql",
    // 4: a team's allowed regions (docs/identity.md).
    "ALTER TABLE teams ADD COLUMN IF NOT EXISTS regions TEXT NOT NULL DEFAULT '';",
    // 5: policies set through the admin API (docs/policies.md).
    R"sql(
CREATE TABLE IF NOT EXISTS policy_versions (
  version BIGINT NOT NULL PRIMARY KEY,
  source TEXT NOT NULL,
  text TEXT NOT NULL,
  sha256_hex TEXT NOT NULL,
  actor TEXT NOT NULL,
  ts_ms BIGINT NOT NULL);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(kMigrations.size());

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_index (seq, ts_ms, kind, request_id, principal, action, model, "
    "deployment, status, cost_usd, latency_ms, segment, byte_offset, log_id) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::text[], $9::bigint[], $10::float8[], $11::bigint[], "
    "$12::bigint[], $13::bigint[], $14::text[]) ON CONFLICT (log_id, seq) DO NOTHING";

// The raw rows and their rollup in one statement. Only the rows the INSERT returns (those
// not already present) reach the rollup, so a replayed batch is not counted twice. The
// ORDER BY makes concurrent writers lock rollup rows in the same order (no deadlock).
constexpr std::string_view kInsertSpend =
    "WITH inserted AS (INSERT INTO spend (ts_ms, request_id, team, project, key_id, model, "
    "deployment, input_tokens, output_tokens, cost_usd) "
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::float8[]) "
    "ON CONFLICT (ts_ms, request_id) DO NOTHING RETURNING *) "
    "INSERT INTO spend_daily AS d (day, team, project, key_id, model, deployment, requests, "
    "input_tokens, output_tokens, cost_usd) "
    "SELECT ((ts_ms - ((ts_ms % 86400000) + 86400000) % 86400000) / 86400000), team, project, "
    "key_id, model, deployment, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd) "
    "FROM inserted GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6 "
    "ON CONFLICT (day, team, project, key_id, model, deployment) DO UPDATE SET "
    "requests = d.requests + excluded.requests, "
    "input_tokens = d.input_tokens + excluded.input_tokens, "
    "output_tokens = d.output_tokens + excluded.output_tokens, "
    "cost_usd = d.cost_usd + excluded.cost_usd";

constexpr std::string_view kInsertCheckpoints =
    "INSERT INTO audit_checkpoints (tree_size, root_hex, ts_ms, key_id, signature_b64, log_id) "
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], "
    "$6::text[]) ON CONFLICT (log_id, tree_size) DO NOTHING";

// Length of the valid UTF-8 sequence at s[i]; 0 for a NUL or an invalid sequence.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c != 0 && c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Appends s as valid UTF-8 without NULs; with `quote`, escapes it for a quoted array element.
void append_text(std::string& out, std::string_view s, bool quote) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (quote && (s[i] == '"' || s[i] == '\\')) out += '\\';
    out.append(s.data() + i, n);
    i += n;
  }
}

std::string param_text(const SqlParam& p) {
  if (const auto* i = std::get_if<int64_t>(&p)) return std::to_string(*i);
  std::string out;
  append_text(out, std::get<std::string_view>(p), false);
  return out;
}

// A PostgreSQL array literal ("{1,2}", "{\"a\",\"b\"}") built one element at a time.
class ArrayLiteral {
 public:
  explicit ArrayLiteral(size_t reserve) { text_.reserve(reserve); }
  void add(int64_t v) {
    separate();
    char buf[24];
    text_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }
  void add(double v) {
    separate();
    if (std::isnan(v)) {
      text_ += "NaN";
    } else if (std::isinf(v)) {
      text_ += v > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[32];  // shortest text that reads back to the same double
      text_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }
  }
  void add(std::string_view v) {
    separate();
    text_ += '"';
    append_text(text_, v, true);
    text_ += '"';
  }
  std::string take() {
    text_ += '}';
    return std::move(text_);
  }

 private:
  void separate() { text_ += text_.size() == 1 ? "" : ","; }
  std::string text_ = "{";
};

std::vector<ArrayLiteral> array_columns(size_t count, size_t reserve) {
  std::vector<ArrayLiteral> cols;
  cols.reserve(count);
  for (size_t i = 0; i < count; ++i) cols.emplace_back(reserve);
  return cols;
}

std::string trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace


Result<std::unique_ptr<PostgresStore>> PostgresStore::connect(const std::string& conninfo,
                                                              uint32_t busy_timeout_ms) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr)
    return fail(ErrorKind::Unavailable, "postgres: cannot connect: out of memory");
  std::unique_ptr<PostgresStore> store(new PostgresStore(conn, busy_timeout_ms));
  if (PQstatus(conn) != CONNECTION_OK) {
    return fail(ErrorKind::Unavailable,
                "postgres: cannot connect: " + trimmed(PQerrorMessage(conn)));
  }
  // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (auto r = store->setup_session(); !r) return std::unexpected(r.error());
  return store;
}

PostgresStore::~PostgresStore() { PQfinish(conn_); }

Error PostgresStore::error(std::string_view what, const PGresult* result) const {
  std::string detail = trimmed(result != nullptr ? PQresultErrorMessage(result) : "");
  if (detail.empty()) detail = trimmed(PQerrorMessage(conn_));
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = state != nullptr ? state : "";
  // 08: connection, 40: deadlock / serialization, 53: resources, 57: shutdown, 55P03: lock
  // timeout — worth retrying; anything else is a bug or a broken database.
  const bool transient = PQstatus(conn_) != CONNECTION_OK || sqlstate.starts_with("08") ||
                         sqlstate.starts_with("40") || sqlstate.starts_with("53") ||
                         sqlstate.starts_with("57") || sqlstate == "55P03";
  return Error::make(transient ? ErrorKind::Unavailable : ErrorKind::Internal,
                     "postgres: " + std::string(what) + ": " + detail);
}

Result<void> PostgresStore::setup_session() {
  if (PQsetClientEncoding(conn_, "UTF8") != 0) {
    return std::unexpected(error("cannot set the client encoding", nullptr));
  }
  // jit off: compiling a query to machine code costs up to ~300 ms, more than the store's
  // queries take to run (spend queries over 10 million rows were 1.4-2.1 times slower).
  auto r = exec("SET client_min_messages = warning; SET jit = off; SET lock_timeout = " +
                    std::to_string(busy_timeout_ms_),
                "cannot set up the session");
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> PostgresStore::ensure_connected() {
  if (PQstatus(conn_) == CONNECTION_OK) return {};
  prepared_.clear();  // prepared statements die with the session
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return fail(ErrorKind::Unavailable, "postgres: connection lost, reconnecting failed: " +
                                            trimmed(PQerrorMessage(conn_)));
  }
  return setup_session();
}

Result<PostgresStore::Rows> PostgresStore::exec(const std::string& sql, std::string_view what) {
  Rows rows(PQexec(conn_, sql.c_str()));
  const auto status = PQresultStatus(rows.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return std::unexpected(error(what, rows.get()));
  }
  return rows;
}

Result<PostgresStore::Rows> PostgresStore::execute(std::string_view sql,
                                                   const std::vector<std::string>& params,
                                                   std::string_view what) {
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string name = "sy_" + std::to_string(prepared_.size() + 1);
    Rows prepared(
        PQprepare(conn_, name.c_str(), key.c_str(), static_cast<int>(params.size()), nullptr));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return std::unexpected(error(what, prepared.get()));
    }
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  Rows rows(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                           values.data(), nullptr, nullptr, 0));
  const auto status = PQresultStatus(rows.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return std::unexpected(error(what, rows.get()));
  }
  return rows;
}


Result<void> PostgresStore::migrate() {
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    if (auto r = exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")",
                      "cannot take the migration lock");
        !r) {
      return std::unexpected(r.error());
    }
    if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                      "cannot create schema_version");
        !r) {
      return std::unexpected(r.error());
    }
    auto current = exec("SELECT COALESCE(MAX(version), 0) FROM schema_version",
                        "cannot read the schema version");
    if (!current) return std::unexpected(current.error());
    const auto version = static_cast<int>(current->integer(0, 0));
    if (version > kSchemaVersion) {
      return fail(ErrorKind::Internal,
                  "postgres: the database has schema version " + std::to_string(version) +
                      ", newer than this build supports (" + std::to_string(kSchemaVersion) + ")");
    }
    for (int v = version; v < kSchemaVersion; ++v) {
      if (auto r = exec(kMigrations[v], "migration to schema version " + std::to_string(v + 1));
          !r) {
        return std::unexpected(r.error());
      }
    }
    if (version == kSchemaVersion) return {};
    auto r = exec("DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                      std::to_string(kSchemaVersion) + ")",
                  "cannot record the schema version");
    if (!r) return std::unexpected(r.error());
    return {};
  });
}

Result<void> PostgresStore::write(const WriteBatch& batch) {
  if (batch.empty()) return {};
  if (auto valid = validate_batch(batch); !valid) return valid;
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    if (!batch.audit.empty()) {
      auto cols = array_columns(14, batch.audit.size() * 12);
      for (const AuditIndexRow& r : batch.audit) {
        cols[0].add(static_cast<int64_t>(r.seq));
        cols[1].add(r.ts_ms);
        cols[2].add(std::string_view(r.kind));
        cols[3].add(std::string_view(r.request_id));
        cols[4].add(std::string_view(r.principal));
        cols[5].add(std::string_view(r.action));
        cols[6].add(std::string_view(r.model));
        cols[7].add(std::string_view(r.deployment));
        cols[8].add(int64_t{r.status});
        cols[9].add(r.cost_usd);
        cols[10].add(int64_t{r.latency_ms});
        cols[11].add(int64_t{r.segment});
        cols[12].add(static_cast<int64_t>(r.offset));
        cols[13].add(std::string_view(r.log_id));
      }
      std::vector<std::string> params;
      for (ArrayLiteral& c : cols) params.push_back(c.take());
      if (auto r = execute(kInsertAudit, params, "cannot insert audit index rows"); !r) {
        return std::unexpected(r.error());
      }
    }
    if (!batch.spend.empty()) {
      auto cols = array_columns(10, batch.spend.size() * 12);
      for (const SpendRow& r : batch.spend) {
        cols[0].add(r.ts_ms);
        cols[1].add(std::string_view(r.request_id));
        cols[2].add(std::string_view(r.team));
        cols[3].add(std::string_view(r.project));
        cols[4].add(std::string_view(r.key_id));
        cols[5].add(std::string_view(r.model));
        cols[6].add(std::string_view(r.deployment));
        cols[7].add(r.input_tokens);
        cols[8].add(r.output_tokens);
        cols[9].add(r.cost_usd);
      }
      std::vector<std::string> params;
      for (ArrayLiteral& c : cols) params.push_back(c.take());
      if (auto r = execute(kInsertSpend, params, "cannot insert spend rows"); !r) {
        return std::unexpected(r.error());
      }
    }
    if (!batch.checkpoints.empty()) {
      auto cols = array_columns(6, batch.checkpoints.size() * 16);
      for (const CheckpointRow& r : batch.checkpoints) {
        cols[0].add(static_cast<int64_t>(r.tree_size));
        cols[1].add(std::string_view(r.root_hex));
        cols[2].add(r.ts_ms);
        cols[3].add(std::string_view(r.key_id));
        cols[4].add(std::string_view(r.signature_b64));
        cols[5].add(std::string_view(r.log_id));
      }
      std::vector<std::string> params;
      for (ArrayLiteral& c : cols) params.push_back(c.take());
      if (auto r = execute(kInsertCheckpoints, params, "cannot insert checkpoints"); !r) {
        return std::unexpected(r.error());
      }
    }
    return {};
  });
}

Result<uint64_t> PostgresStore::audit_high_water(std::string_view log_id) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT MAX(seq) FROM audit_index WHERE log_id = $1",
                      {std::string(log_id)}, "cannot read the audit high water");
  if (!rows) return std::unexpected(rows.error());
  if (rows->null(0, 0)) return uint64_t{0};
  return static_cast<uint64_t>(rows->integer(0, 0)) + 1;
}

Result<std::vector<SpendTotal>> PostgresStore::spend(const SpendQuery& q) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  const SqlStatement st = spend_sql(q, Dialect::Postgres, /*grouped=*/true);
  std::vector<std::string> params;
  for (const SqlParam& p : st.params) params.push_back(param_text(p));
  auto rows = execute(st.text, params, "spend query failed");
  if (!rows) return std::unexpected(rows.error());
  SpendTotals totals(q.by);
  for (int i = 0; i < rows->size(); ++i) {
    totals.add(rows->text(i, 0), rows->integer(i, 1), rows->integer(i, 2), rows->integer(i, 3),
               rows->real(i, 4));
  }
  return std::move(totals).finish();
}

Result<std::vector<AuditIndexRow>> PostgresStore::audit_search(const AuditQuery& q) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  const SqlStatement st = audit_search_sql(q, Dialect::Postgres);
  std::vector<std::string> params;
  for (const SqlParam& p : st.params) params.push_back(param_text(p));
  auto rows = execute(st.text, params, "audit search failed");
  if (!rows) return std::unexpected(rows.error());
  std::vector<AuditIndexRow> out(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    AuditIndexRow& r = out[static_cast<size_t>(i)];
    r.seq = static_cast<uint64_t>(rows->integer(i, 0));
    r.ts_ms = rows->integer(i, 1);
    r.kind = rows->text(i, 2);
    r.request_id = rows->text(i, 3);
    r.principal = rows->text(i, 4);
    r.action = rows->text(i, 5);
    r.model = rows->text(i, 6);
    r.deployment = rows->text(i, 7);
    r.status = static_cast<int>(rows->integer(i, 8));
    r.cost_usd = rows->real(i, 9);
    r.latency_ms = static_cast<uint32_t>(rows->integer(i, 10));
    r.segment = static_cast<uint32_t>(rows->integer(i, 11));
    r.offset = static_cast<uint64_t>(rows->integer(i, 12));
    r.log_id = rows->text(i, 13);
  }
  return out;
}

Result<std::vector<CheckpointRow>> PostgresStore::checkpoints(std::string_view log_id,
                                                              uint64_t min_tree_size) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  const auto min = static_cast<int64_t>(std::min<uint64_t>(min_tree_size, INT64_MAX));
  auto rows = execute(
      "SELECT tree_size, root_hex, ts_ms, key_id, signature_b64 FROM audit_checkpoints "
      "WHERE log_id = $2 AND tree_size >= $1 ORDER BY tree_size",
      {std::to_string(min), std::string(log_id)}, "checkpoint query failed");
  if (!rows) return std::unexpected(rows.error());
  std::vector<CheckpointRow> out(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    CheckpointRow& r = out[static_cast<size_t>(i)];
    r.tree_size = static_cast<uint64_t>(rows->integer(i, 0));
    r.root_hex = rows->text(i, 1);
    r.ts_ms = rows->integer(i, 2);
    r.key_id = rows->text(i, 3);
    r.signature_b64 = rows->text(i, 4);
    r.log_id = std::string(log_id);
  }
  return out;
}

// ---- identity ----

namespace {

constexpr std::string_view kKeyColumns =
    "id, key_hash, prefix, name, team, project, roles, models, routes, regions, tags, "
    "created_ms, expires_ms, revoked_ms, created_by";
constexpr std::string_view kBumpIdentity =
    "UPDATE identity_version SET version = version + 1 WHERE id = 1";

}  // namespace

std::string pg_clean_text(std::string_view s) {
  std::string out;
  append_text(out, s, false);
  return out;
}

namespace {
std::string clean(std::string_view s) { return pg_clean_text(s); }
}  // namespace

Result<void> PostgresStore::create_team(const TeamRow& t) {
  if (auto v = validate_team(t); !v) return v;
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    auto r = execute(
        "INSERT INTO teams (name, description, created_ms, regions) "
        "VALUES ($1, $2, $3::bigint, $4) ON CONFLICT DO NOTHING",
        {t.name, clean(t.description), std::to_string(t.created_ms), clean(join_list(t.regions))},
        "cannot insert a team");
    if (!r) return std::unexpected(r.error());
    if (std::string_view(PQcmdTuples(r->get())) != "1") {
      return std::unexpected(already_exists("team \"" + t.name + "\""));
    }
    if (auto b = execute(kBumpIdentity, {}, "cannot bump the identity version"); !b) {
      return std::unexpected(b.error());
    }
    return {};
  });
}

Result<std::vector<TeamRow>> PostgresStore::teams() {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT name, description, created_ms, regions FROM teams ORDER BY name",
                      {}, "cannot list teams");
  if (!rows) return std::unexpected(rows.error());
  std::vector<TeamRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), rows->text(i, 1), rows->integer(i, 2),
                   split_list(rows->text(i, 3))});
  }
  return out;
}

Result<bool> PostgresStore::set_team_regions(std::string_view team,
                                             const std::vector<std::string>& regions) {
  if (auto v = validate_list_items(regions); !v) return std::unexpected(v.error());
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  bool found = false;
  auto r = in_transaction([&]() -> Result<void> {
    auto u = execute("UPDATE teams SET regions = $2 WHERE name = $1",
                     {clean(team), clean(join_list(regions))}, "cannot update a team's regions");
    if (!u) return std::unexpected(u.error());
    found = std::string_view(PQcmdTuples(u->get())) == "1";
    if (auto b = execute(kBumpIdentity, {}, "cannot bump the identity version"); !b) {
      return std::unexpected(b.error());
    }
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return found;
}

Result<void> PostgresStore::create_project(const ProjectRow& p) {
  if (auto v = validate_project(p); !v) return v;
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    // FOR SHARE: the team cannot disappear under the new project.
    auto team = execute("SELECT 1 FROM teams WHERE name = $1 FOR SHARE", {p.team},
                        "cannot look up a team");
    if (!team) return std::unexpected(team.error());
    if (team->size() == 0) return std::unexpected(unknown_team(p.team));
    auto r = execute(
        "INSERT INTO projects (team, name, description, created_ms) "
        "VALUES ($1, $2, $3, $4::bigint) ON CONFLICT DO NOTHING",
        {p.team, p.name, clean(p.description), std::to_string(p.created_ms)},
        "cannot insert a project");
    if (!r) return std::unexpected(r.error());
    if (std::string_view(PQcmdTuples(r->get())) != "1") {
      return std::unexpected(
          already_exists("project \"" + p.name + "\" of team \"" + p.team + "\""));
    }
    if (auto b = execute(kBumpIdentity, {}, "cannot bump the identity version"); !b) {
      return std::unexpected(b.error());
    }
    return {};
  });
}

Result<std::vector<ProjectRow>> PostgresStore::projects(std::optional<std::string> team) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = team ? execute("SELECT team, name, description, created_ms FROM projects "
                             "WHERE team = $1 ORDER BY team, name",
                             {*team}, "cannot list projects")
                   : execute("SELECT team, name, description, created_ms FROM projects "
                             "ORDER BY team, name",
                             {}, "cannot list projects");
  if (!rows) return std::unexpected(rows.error());
  std::vector<ProjectRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), rows->integer(i, 3)});
  }
  return out;
}

Result<void> PostgresStore::create_key(const ApiKeyRow& k) {
  if (auto v = validate_key(k); !v) return v;
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    auto team = execute("SELECT 1 FROM teams WHERE name = $1 FOR SHARE", {k.team},
                        "cannot look up a team");
    if (!team) return std::unexpected(team.error());
    if (team->size() == 0) return std::unexpected(unknown_team(k.team));
    if (!k.project.empty()) {
      auto project = execute("SELECT 1 FROM projects WHERE team = $1 AND name = $2 FOR SHARE",
                             {k.team, k.project}, "cannot look up a project");
      if (!project) return std::unexpected(project.error());
      if (project->size() == 0) return std::unexpected(unknown_project(k.team, k.project));
    }
    auto r = execute(
        "INSERT INTO api_keys (" + std::string(kKeyColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::bigint, $13::bigint, "
            "$14::bigint, $15) ON CONFLICT DO NOTHING",
        {k.id, k.hash_hex, clean(k.prefix), clean(k.name), k.team, k.project,
         clean(join_list(k.roles)), clean(join_list(k.models)), clean(join_list(k.routes)),
         clean(join_list(k.regions)), clean(join_list(k.tags)), std::to_string(k.created_ms),
         std::to_string(k.expires_ms), std::to_string(k.revoked_ms), clean(k.created_by)},
        "cannot insert a key");
    if (!r) return std::unexpected(r.error());
    if (std::string_view(PQcmdTuples(r->get())) != "1") {
      return std::unexpected(already_exists("a key with this id or secret"));
    }
    if (auto b = execute(kBumpIdentity, {}, "cannot bump the identity version"); !b) {
      return std::unexpected(b.error());
    }
    return {};
  });
}

namespace {

template <class Rows>
std::vector<ApiKeyRow> key_rows(const Rows& rows) {
  std::vector<ApiKeyRow> out(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    ApiKeyRow& k = out[static_cast<size_t>(i)];
    k.id = rows.text(i, 0);
    k.hash_hex = rows.text(i, 1);
    k.prefix = rows.text(i, 2);
    k.name = rows.text(i, 3);
    k.team = rows.text(i, 4);
    k.project = rows.text(i, 5);
    k.roles = split_list(rows.text(i, 6));
    k.models = split_list(rows.text(i, 7));
    k.routes = split_list(rows.text(i, 8));
    k.regions = split_list(rows.text(i, 9));
    k.tags = split_list(rows.text(i, 10));
    k.created_ms = rows.integer(i, 11);
    k.expires_ms = rows.integer(i, 12);
    k.revoked_ms = rows.integer(i, 13);
    k.created_by = rows.text(i, 14);
  }
  return out;
}

}  // namespace

Result<std::vector<ApiKeyRow>> PostgresStore::keys(std::optional<std::string> team) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  const std::string select = "SELECT " + std::string(kKeyColumns) + " FROM api_keys ";
  auto rows = team ? execute(select + "WHERE team = $1 ORDER BY created_ms, id", {*team},
                             "cannot list keys")
                   : execute(select + "ORDER BY created_ms, id", {}, "cannot list keys");
  if (!rows) return std::unexpected(rows.error());
  return key_rows(*rows);
}

Result<std::optional<ApiKeyRow>> PostgresStore::key(std::string_view id) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE id = $1",
                      {clean(id)}, "cannot look up a key");
  if (!rows) return std::unexpected(rows.error());
  auto keys = key_rows(*rows);
  if (keys.empty()) return std::optional<ApiKeyRow>{};
  return std::optional<ApiKeyRow>(std::move(keys.front()));
}

Result<bool> PostgresStore::revoke_key(std::string_view id, int64_t ts_ms) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  bool found = false;
  auto r = in_transaction([&]() -> Result<void> {
    auto u = execute(
        "UPDATE api_keys SET revoked_ms = CASE WHEN revoked_ms = 0 THEN $2::bigint "
        "ELSE revoked_ms END WHERE id = $1",
        {clean(id), std::to_string(ts_ms)}, "cannot revoke a key");
    if (!u) return std::unexpected(u.error());
    found = std::string_view(PQcmdTuples(u->get())) == "1";
    if (auto b = execute(kBumpIdentity, {}, "cannot bump the identity version"); !b) {
      return std::unexpected(b.error());
    }
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return found;
}

Result<int64_t> PostgresStore::identity_version() {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT version FROM identity_version WHERE id = 1", {},
                      "cannot read the identity version");
  if (!rows) return std::unexpected(rows.error());
  if (rows->size() == 0) return int64_t{0};
  return rows->integer(0, 0);
}

}  // namespace sy::store
