// SqliteStore: the Store on one SQLite connection, the embedded default. The database is
// in WAL mode with synchronous=NORMAL: the audit log files are the durable source of
// truth and the audit writer re-plays their tail into this index after a crash, so a
// power loss may drop the last transactions here but never corrupts the file. Several
// processes may open the same file at once (the gateway writes, the CLI reads); a writer
// waits up to busy_timeout_ms for another writer's lock.
//
// Owns its connection and the prepared statements it caches (each SQL text is prepared
// once and reused). Not thread-safe: use one object from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sy::store {

class SqliteStore final : public Store {
 public:
  // Opens the database at `path`, creating the file if missing (":memory:" for a private
  // in-memory database). Does not create directories and does not migrate.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   uint32_t busy_timeout_ms);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<void> migrate() override;
  Result<void> write(const WriteBatch& batch) override;
  Result<uint64_t> audit_high_water(std::string_view log_id) override;
  Result<std::vector<SpendTotal>> spend(const SpendQuery& q) override;
  Result<std::vector<AuditIndexRow>> audit_search(const AuditQuery& q) override;
  Result<std::vector<CheckpointRow>> checkpoints(std::string_view log_id,
                                                 uint64_t min_tree_size) override;
  Result<void> create_team(const TeamRow& team) override;
  Result<std::vector<TeamRow>> teams() override;
  Result<bool> set_team_regions(std::string_view team,
                                const std::vector<std::string>& regions) override;
  Result<void> create_project(const ProjectRow& project) override;
  Result<std::vector<ProjectRow>> projects(std::optional<std::string> team) override;
  Result<void> create_key(const ApiKeyRow& key) override;
  Result<std::vector<ApiKeyRow>> keys(std::optional<std::string> team) override;
  Result<std::optional<ApiKeyRow>> key(std::string_view id) override;
  Result<bool> revoke_key(std::string_view id, int64_t ts_ms) override;
  Result<int64_t> identity_version() override;
  // Workflow runs: sqlite_runs.cc.
  Result<void> create_run(const RunRow& run, std::string_view event_json) override;
  Result<std::optional<RunRow>> get_run(std::string_view id) override;
  Result<std::vector<RunRow>> runs_with_status(std::string_view status) override;
  Result<void> update_run(const RunRow& run, std::string_view event_json) override;
  Result<bool> claim_run(std::string_view id, std::string_view owner, int64_t now_ms,
                         int64_t until_ms) override;
  Result<void> put_step(const StepRow& step, std::string_view event_json) override;
  Result<std::vector<StepRow>> steps(std::string_view run_id) override;
  Result<std::vector<RunEventRow>> run_events(std::string_view run_id,
                                              int64_t after_seq) override;
  // Admin policy versions: sqlite_policies.cc.
  Result<PolicyVersionRow> add_policy_version(const PolicyVersionRow& row,
                                              std::optional<int64_t> expected) override;
  Result<std::optional<PolicyVersionRow>> latest_policy_version() override;
  Result<std::vector<PolicyVersionRow>> policy_versions(uint32_t limit) override;
  const char* backend() const override { return "sqlite"; }

 private:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  // The cached statement for `sql`, reset and with its bindings cleared.
  Result<sqlite3_stmt*> prepare(std::string_view sql);
  // Runs a statement that returns no rows (BEGIN, COMMIT, ...) through the cache.
  Result<void> run(std::string_view sql);
  // Runs one or more statements without caching (migrations).
  Result<void> exec_script(const char* sql, std::string_view what);
  // The schema version stored in the database; 0 when there is none yet.
  Result<int> schema_version();
  Result<void> write_rows(const WriteBatch& batch);
  // BEGIN IMMEDIATE; body(); bump identity_version; COMMIT — or ROLLBACK.
  template <class Body>
  Result<void> identity_change(Body&& body);
  // Whether `sql` (with the text parameters) returns at least one row.
  Result<bool> exists(std::string_view sql, std::string_view a, std::string_view b = {});
  Result<std::vector<ApiKeyRow>> read_keys(sqlite3_stmt* s);
  // Runs one statement that returns no rows, with parameters; the number of rows changed.
  template <class... Args>
  Result<int> change(std::string_view sql, std::string_view what, const Args&... args);
  // Inside a transaction: appends an event to the run (bumping its event_seq).
  Result<void> append_event(std::string_view run_id, int64_t ts_ms, std::string_view json);
  Result<std::vector<RunRow>> read_runs(sqlite3_stmt* s);
  // BEGIN IMMEDIATE; body(); COMMIT — or ROLLBACK.
  template <class Body>
  Result<void> in_transaction(Body&& body);
  void rollback();
  Error error(std::string_view what, int rc) const;

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace sy::store
