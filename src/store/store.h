// Store: the durable state behind the gateway — the audit index, the spend ledger and
// the audit checkpoints, and the identity records (teams, projects, virtual API keys) —
// behind one interface with two implementations, SQLite (the embedded default, WAL) and
// PostgreSQL (libpq) — and the state of workflow runs and their steps (docs/workflows.md).
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

// Identity (docs/identity.md). One gateway serves one organisation; teams belong to it and
// projects to a team. Names are 1-64 characters of letters, digits, '.', '_' and '-'.
struct TeamRow {
  std::string name;
  std::string description;
  int64_t created_ms = 0;
  std::vector<std::string> regions;  // deployment regions its members may reach; empty = any
};

struct ProjectRow {
  std::string team;
  std::string name;
  std::string description;
  int64_t created_ms = 0;
};

// A virtual API key. The secret itself is never stored: only its SHA-256 (hex) and a short
// prefix for display. List items may not contain a newline.
struct ApiKeyRow {
  std::string id;        // public id, "key_" + hex
  std::string hash_hex;  // SHA-256 of the secret, 64 lowercase hex digits; unique
  std::string prefix;    // the secret's first characters, e.g. "sk-sy-Ab12"
  std::string name;
  std::string team;     // must exist
  std::string project;  // "" or a project of `team`
  std::vector<std::string> roles, models, routes, regions, tags;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: never
  int64_t revoked_ms = 0;  // 0: active
  std::string created_by;  // the principal that created it
};

// One version of the policies set through the admin API (docs/policies.md). Source "admin":
// `text` is the policies section in force from this version on; source "config": a revert
// to the config file's policies (`text` empty).
struct PolicyVersionRow {
  int64_t version = 0;  // 1, 2, … in commit order; assigned by add_policy_version
  std::string source;
  std::string text;
  std::string sha256_hex;  // of text
  std::string actor;       // the principal that made the change
  int64_t ts_ms = 0;
};

// A workflow run (docs/workflows.md). Statuses: pending, running, waiting_approval,
// succeeded, failed, cancelled. A run keeps the workflow text it started with.
struct RunRow {
  std::string id;              // "run_" + hex
  std::string workflow;        // the workflow's name
  std::string spec;            // the workflow file's text
  std::string input_json;
  std::string status;
  std::string principal_json;  // who started it: kind, id, key id, team, project, roles; no secret
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t finished_ms = 0;     // 0 until it ends
  std::string output_json;     // when succeeded
  std::string error;           // when failed or cancelled
  std::string lease_owner;     // the engine instance running it ("" = none)
  int64_t lease_until_ms = 0;
};

// One step of a run, or one item of a map step's fan-out. Statuses: running, waiting,
// succeeded, failed, skipped. The idempotency key (run id, step id, item) is what the
// step's side effects carry (the llm step's request id, the HTTP tool's header).
struct StepRow {
  std::string run_id;
  std::string step_id;
  int64_t item = -1;  // the map item's index; -1 for the step itself
  std::string status;
  int64_t attempt = 0;  // how many times the step was started
  std::string idempotency_key;
  std::string output_json;
  std::string error;
  std::string detail_json;  // what happened: repairs, escalations, the approval's decision
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
};

// What a run's event stream carries: per run, seq 1, 2, … in commit order.
struct RunEventRow {
  int64_t seq = 0;
  int64_t ts_ms = 0;
  std::string json;
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

  // Identity. Each change bumps identity_version() in the same transaction, so readers
  // that poll the version see every change. A name or id that exists already is refused
  // with status 409 (code "already_exists"); an unknown team or project with NotFound.
  virtual Result<void> create_team(const TeamRow& team) = 0;
  virtual Result<std::vector<TeamRow>> teams() = 0;  // by name
  // Replaces a team's allowed regions (empty = any). False when there is no such team.
  virtual Result<bool> set_team_regions(std::string_view team,
                                        const std::vector<std::string>& regions) = 0;
  virtual Result<void> create_project(const ProjectRow& project) = 0;
  // Every project, or only `team`'s; by team, then name.
  virtual Result<std::vector<ProjectRow>> projects(std::optional<std::string> team) = 0;
  virtual Result<void> create_key(const ApiKeyRow& key) = 0;
  // Every key (revoked and expired ones too), or only `team`'s; oldest first.
  virtual Result<std::vector<ApiKeyRow>> keys(std::optional<std::string> team) = 0;
  virtual Result<std::optional<ApiKeyRow>> key(std::string_view id) = 0;
  // Marks the key revoked at ts_ms. False when there is no such key; revoking a revoked
  // key again keeps its first revocation time.
  virtual Result<bool> revoke_key(std::string_view id, int64_t ts_ms) = 0;
  // A counter that grows with every identity change (0 for a fresh database).
  virtual Result<int64_t> identity_version() = 0;

  // Workflow runs. Each write is one small transaction; `event_json`, when not empty, is
  // appended to the run's events in the same transaction (so a step's completion, its
  // output and its event commit together). A run id that exists already is refused
  // (409, "already_exists"); writes to an unknown run with NotFound.
  virtual Result<void> create_run(const RunRow& run, std::string_view event_json) = 0;
  virtual Result<std::optional<RunRow>> get_run(std::string_view id) = 0;
  // Runs with this status, oldest first.
  virtual Result<std::vector<RunRow>> runs_with_status(std::string_view status) = 0;
  // Stores the run's status, updated_ms, finished_ms, output_json and error.
  virtual Result<void> update_run(const RunRow& run, std::string_view event_json) = 0;
  // Takes (or renews) the lease on a run until `until_ms`: succeeds when nobody holds it,
  // `owner` holds it already, or the holder's lease ended before `now_ms`. False when
  // another owner holds it (or there is no such run).
  virtual Result<bool> claim_run(std::string_view id, std::string_view owner, int64_t now_ms,
                                 int64_t until_ms) = 0;
  // Inserts or replaces the row of (run_id, step_id, item).
  virtual Result<void> put_step(const StepRow& step, std::string_view event_json) = 0;
  // The run's steps by step id, then item.
  virtual Result<std::vector<StepRow>> steps(std::string_view run_id) = 0;
  // The run's events with seq > after_seq, in order.
  virtual Result<std::vector<RunEventRow>> run_events(std::string_view run_id,
                                                      int64_t after_seq) = 0;

  // Policies set through the admin API (sqlite_policies.cc, postgres_policies.cc): an
  // append-only history. add_policy_version stores `row` as the next version when
  // `expected` is nullopt or equals the newest stored version (0: none), else refuses with
  // status 412 (code "version_mismatch"); it returns the row as stored.
  virtual Result<PolicyVersionRow> add_policy_version(const PolicyVersionRow& row,
                                                      std::optional<int64_t> expected) = 0;
  // The newest version, or nullopt when none is stored.
  virtual Result<std::optional<PolicyVersionRow>> latest_policy_version() = 0;
  // At most `limit` versions, newest first.
  virtual Result<std::vector<PolicyVersionRow>> policy_versions(uint32_t limit) = 0;
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
