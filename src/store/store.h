// Store: the durable state behind the gateway — the audit index, the spend ledger and
// the audit checkpoints — behind one interface with two implementations, SQLite (the
// embedded default, WAL) and PostgreSQL (libpq). Later issues add keys, teams and
// workflow runs here.
//
// A Store object is one database connection: not thread-safe, use it from one thread.
// The audit writer thread owns one for writes; readers (admin API, CLI) open their own.
// Every call blocks on I/O, so never call it on a gateway worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sy::store {

// Times are milliseconds since the Unix epoch (UTC) throughout.

// One priced model call, for the spend ledger.
struct SpendRow {
  int64_t ts_ms = 0;
  std::string request_id;
  std::string team;     // "" when the caller has no team
  std::string project;
  std::string key_id;
  std::string model;       // what the client asked for (model or route name)
  std::string deployment;  // what served it
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
};

// The searchable summary of one audit log entry; the entry itself lives in the log.
struct AuditIndexRow {
  std::string log_id;  // which audit log (one per gateway replica; see AuditConfig)
  uint64_t seq = 0;    // the entry's index in that log (its Merkle leaf index)
  int64_t ts_ms = 0;
  std::string kind;  // "request" or "admin"
  std::string request_id;
  std::string principal;
  std::string action;      // endpoint ("POST /v1/chat/completions") or admin action
  std::string model;
  std::string deployment;
  int status = 0;
  double cost_usd = 0;
  uint32_t latency_ms = 0;
  uint32_t segment = 0;  // which segment file holds the entry
  uint64_t offset = 0;   // byte offset of the entry in that file
};

// A signed audit checkpoint (see audit/checkpoint.h).
struct CheckpointRow {
  std::string log_id;
  uint64_t tree_size = 0;
  std::string root_hex;
  int64_t ts_ms = 0;
  std::string key_id;
  std::string signature_b64;
};

// Everything one audit writer batch persists, in one transaction. Writing rows again is
// harmless (replay after a crash): an audit row whose seq, a checkpoint whose tree_size,
// or a spend row whose (ts_ms, request_id) is already stored is skipped, so spend is never
// counted twice. A replayed spend row must carry its original ts_ms. Every spend row needs
// a non-empty request_id, else the whole batch is refused.
struct WriteBatch {
  std::vector<AuditIndexRow> audit;
  std::vector<SpendRow> spend;
  std::vector<CheckpointRow> checkpoints;
  bool empty() const { return audit.empty() && spend.empty() && checkpoints.empty(); }
};

enum class SpendDimension { Team, Project, Key, Model, Deployment, Day };

// [since_ms, until_ms) with optional equality filters. Exact for any bounds.
struct SpendQuery {
  SpendDimension by = SpendDimension::Team;
  int64_t since_ms = 0;
  int64_t until_ms = INT64_MAX;
  std::optional<std::string> team, project, key_id, model, deployment;
};

struct SpendTotal {
  std::string group;  // the dimension's value; for Day, "YYYY-MM-DD" (UTC)
  int64_t requests = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
};

// [since_ms, until_ms) with optional filters; newest first, at most `limit` rows.
struct AuditQuery {
  int64_t since_ms = 0;
  int64_t until_ms = INT64_MAX;
  std::optional<std::string> request_id, principal, kind, model, deployment, log_id;
  std::optional<int> status;
  uint32_t limit = 100;
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema. Idempotent; safe from several processes at once.
  virtual Result<void> migrate() = 0;
  // Persists the batch atomically (one transaction).
  virtual Result<void> write(const WriteBatch& batch) = 0;
  // One past the highest seq stored for audit log `log_id` (0 when none): where index
  // replay resumes.
  virtual Result<uint64_t> audit_high_water(std::string_view log_id) = 0;
  // Spend totals grouped by one dimension, largest cost first.
  virtual Result<std::vector<SpendTotal>> spend(const SpendQuery& q) = 0;
  virtual Result<std::vector<AuditIndexRow>> audit_search(const AuditQuery& q) = 0;
  // Checkpoints of audit log `log_id` with tree_size >= min_tree_size, increasing.
  virtual Result<std::vector<CheckpointRow>> checkpoints(std::string_view log_id,
                                                         uint64_t min_tree_size) = 0;
  // "sqlite" or "postgres".
  virtual const char* backend() const = 0;
};

struct StoreOptions {
  std::string url;  // "sqlite:PATH" (":memory:" allowed) or "postgres://…" / "postgresql://…"
                    // or a libpq key=value string prefixed with "postgres:"
  uint32_t busy_timeout_ms = 5'000;
};

// Opens (and migrates) the store named by `url`. Errors name the backend and the cause.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace sy::store
