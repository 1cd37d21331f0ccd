// PostgresStore: the Store on one libpq connection, for deployments past one machine
// (several gateway replicas share one database). Every statement is prepared once per
// session and reused; a write sends each part of the batch as arrays in one statement
// (INSERT … SELECT FROM unnest(…)), so a batch of thousands of rows costs a few round
// trips. migrate() holds a transaction-scoped advisory lock, so replicas that start at
// the same moment migrate one after the other. A lost connection is re-established on
// the next call (the failed call returns ErrorKind::Unavailable).
//
// Text sent to the server is made valid UTF-8 without NUL bytes (PostgreSQL stores
// neither): invalid bytes and NULs become U+FFFD.
//
// Owns its connection. Not thread-safe: use one object from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

struct pg_conn;
struct pg_result;

namespace sy::store {

class PostgresStore final : public Store {
 public:
  // Connects with a libpq connection string: a "postgres://" or "postgresql://" URI or
  // "key=value …" pairs. lock_timeout is set to busy_timeout_ms. Does not migrate.
  static Result<std::unique_ptr<PostgresStore>> connect(const std::string& conninfo,
                                                        uint32_t busy_timeout_ms);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

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
  // Workflow runs: postgres_runs.cc.
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
  // Admin policy versions: postgres_policies.cc.
  Result<PolicyVersionRow> add_policy_version(const PolicyVersionRow& row,
                                              std::optional<int64_t> expected) override;
  Result<std::optional<PolicyVersionRow>> latest_policy_version() override;
  Result<std::vector<PolicyVersionRow>> policy_versions(uint32_t limit) override;
  const char* backend() const override { return "postgres"; }

 private:
  class Rows;  // a query result (owns a PGresult)

  PostgresStore(pg_conn* conn, uint32_t busy_timeout_ms)
      : conn_(conn), busy_timeout_ms_(busy_timeout_ms) {}

  // Reconnects if the connection was lost, and sets up the session.
  Result<void> ensure_connected();
  Result<void> setup_session();
  // Runs `sql` (one or more statements, no parameters) with the simple protocol.
  Result<Rows> exec(const std::string& sql, std::string_view what);
  // Runs `sql` as a prepared statement (prepared on first use) with text parameters.
  Result<Rows> execute(std::string_view sql, const std::vector<std::string>& params,
                       std::string_view what);
  // BEGIN; body(); COMMIT — or ROLLBACK when anything fails (postgres_rows.h).
  template <class Body>
  Result<void> in_transaction(Body&& body);
  // Inside a transaction: appends an event to the run (bumping its event_seq).
  Result<void> append_event(std::string_view run_id, int64_t ts_ms, std::string_view json);
  // An error naming what failed and the server's message; Unavailable when retrying
  // may help (connection lost, deadlock, lock timeout), Internal otherwise.
  Error error(std::string_view what, const pg_result* result) const;

  pg_conn* conn_;
  uint32_t busy_timeout_ms_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
};

}  // namespace sy::store
