// SqliteStore: the workflow run, step and event tables (see store.h).
#include <sqlite3.h>

#include <algorithm>

#include "store/identity_rows.h"
#include "store/sqlite_store.h"
#include "store/sqlite_util.h"

namespace sy::store {

using sqlite_util::bind_all;
using sqlite_util::column_text;
using sqlite_util::ResetOnExit;

namespace {

constexpr std::string_view kRunColumns =
    "id, workflow, spec, input_json, status, principal_json, created_ms, updated_ms, "
    "finished_ms, output_json, error, lease_owner, lease_until_ms";

// The time of an event: the row's latest timestamp.
int64_t event_time(const StepRow& s) { return std::max(s.started_ms, s.finished_ms); }

}  // namespace

template <class... Args>
Result<int> SqliteStore::change(std::string_view sql, std::string_view what, const Args&... args) {
  auto s = prepare(sql);
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind_all(*s, args...); rc != SQLITE_OK) {
    return std::unexpected(error(what, rc));
  }
  const int rc = sqlite3_step(*s);
  if (rc != SQLITE_DONE) return std::unexpected(error(what, rc));
  return sqlite3_changes(db_);
}

template <class Body>
Result<void> SqliteStore::in_transaction(Body&& body) {
  if (auto r = run("BEGIN IMMEDIATE"); !r) return r;
  Result<void> result = body();
  if (result) result = run("COMMIT");
  if (!result) rollback();
  return result;
}

Result<void> SqliteStore::append_event(std::string_view run_id, int64_t ts_ms,
                                       std::string_view json) {
  if (json.empty()) return {};
  auto bumped = change("UPDATE workflow_runs SET event_seq = event_seq + 1 WHERE id = ?1",
                       "cannot number a run event", run_id);
  if (!bumped) return std::unexpected(bumped.error());
  if (*bumped == 0) return fail(ErrorKind::NotFound, "no run " + std::string(run_id));
  auto added = change(
      "INSERT INTO workflow_events (run_id, seq, ts_ms, event_json) "
      "SELECT id, event_seq, ?2, ?3 FROM workflow_runs WHERE id = ?1",
      "cannot append a run event", run_id, ts_ms, json);
  if (!added) return std::unexpected(added.error());
  return {};
}

Result<void> SqliteStore::create_run(const RunRow& r, std::string_view event_json) {
  return in_transaction([&]() -> Result<void> {
    auto added = change(
        "INSERT INTO workflow_runs (" + std::string(kRunColumns) +
            ", event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0) "
            "ON CONFLICT DO NOTHING",
        "cannot insert a run", std::string_view(r.id), std::string_view(r.workflow),
        std::string_view(r.spec), std::string_view(r.input_json), std::string_view(r.status),
        std::string_view(r.principal_json), r.created_ms, r.updated_ms, r.finished_ms,
        std::string_view(r.output_json), std::string_view(r.error), std::string_view(r.lease_owner),
        r.lease_until_ms);
    if (!added) return std::unexpected(added.error());
    if (*added == 0) return std::unexpected(already_exists("run \"" + r.id + "\""));
    return append_event(r.id, r.created_ms, event_json);
  });
}

Result<std::vector<RunRow>> SqliteStore::read_runs(sqlite3_stmt* s) {
  std::vector<RunRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RunRow& r = out.emplace_back();
    r.id = column_text(s, 0);
    r.workflow = column_text(s, 1);
    r.spec = column_text(s, 2);
    r.input_json = column_text(s, 3);
    r.status = column_text(s, 4);
    r.principal_json = column_text(s, 5);
    r.created_ms = sqlite3_column_int64(s, 6);
    r.updated_ms = sqlite3_column_int64(s, 7);
    r.finished_ms = sqlite3_column_int64(s, 8);
    r.output_json = column_text(s, 9);
    r.error = column_text(s, 10);
    r.lease_owner = column_text(s, 11);
    r.lease_until_ms = sqlite3_column_int64(s, 12);
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot read runs", rc));
  return out;
}

Result<std::optional<RunRow>> SqliteStore::get_run(std::string_view id) {
  auto s = prepare("SELECT " + std::string(kRunColumns) + " FROM workflow_runs WHERE id = ?1");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind_all(*s, id); rc != SQLITE_OK) {
    return std::unexpected(error("cannot look up a run", rc));
  }
  auto rows = read_runs(*s);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<RunRow>{};
  return std::optional<RunRow>(std::move(rows->front()));
}

Result<std::vector<RunRow>> SqliteStore::runs_with_status(std::string_view status) {
  auto s = prepare("SELECT " + std::string(kRunColumns) +
                   " FROM workflow_runs WHERE status = ?1 ORDER BY created_ms, id");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind_all(*s, status); rc != SQLITE_OK) {
    return std::unexpected(error("cannot list runs", rc));
  }
  return read_runs(*s);
}

Result<void> SqliteStore::update_run(const RunRow& r, std::string_view event_json) {
  return in_transaction([&]() -> Result<void> {
    auto changed = change(
        "UPDATE workflow_runs SET status = ?2, updated_ms = ?3, finished_ms = ?4, "
        "output_json = ?5, error = ?6 WHERE id = ?1",
        "cannot update a run", std::string_view(r.id), std::string_view(r.status), r.updated_ms,
        r.finished_ms, std::string_view(r.output_json), std::string_view(r.error));
    if (!changed) return std::unexpected(changed.error());
    if (*changed == 0) return fail(ErrorKind::NotFound, "no run " + r.id);
    return append_event(r.id, r.updated_ms, event_json);
  });
}

Result<bool> SqliteStore::claim_run(std::string_view id, std::string_view owner, int64_t now_ms,
                                    int64_t until_ms) {
  auto changed = change(
      "UPDATE workflow_runs SET lease_owner = ?2, lease_until_ms = ?4 WHERE id = ?1 AND "
      "(lease_owner = '' OR lease_owner = ?2 OR lease_until_ms < ?3)",
      "cannot claim a run", id, owner, now_ms, until_ms);
  if (!changed) return std::unexpected(changed.error());
  return *changed == 1;
}

Result<void> SqliteStore::put_step(const StepRow& st, std::string_view event_json) {
  return in_transaction([&]() -> Result<void> {
    auto put = change(
        "INSERT OR REPLACE INTO workflow_steps (run_id, step_id, item, status, attempt, "
        "idempotency_key, output_json, error, detail_json, started_ms, finished_ms) "
        "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 "
        "WHERE EXISTS (SELECT 1 FROM workflow_runs WHERE id = ?1)",
        "cannot store a step", std::string_view(st.run_id), std::string_view(st.step_id), st.item,
        std::string_view(st.status), st.attempt, std::string_view(st.idempotency_key),
        std::string_view(st.output_json), std::string_view(st.error),
        std::string_view(st.detail_json), st.started_ms, st.finished_ms);
    if (!put) return std::unexpected(put.error());
    if (*put == 0) return fail(ErrorKind::NotFound, "no run " + st.run_id);
    return append_event(st.run_id, event_time(st), event_json);
  });
}

Result<std::vector<StepRow>> SqliteStore::steps(std::string_view run_id) {
  auto s = prepare(
      "SELECT run_id, step_id, item, status, attempt, idempotency_key, output_json, error, "
      "detail_json, started_ms, finished_ms FROM workflow_steps WHERE run_id = ?1 "
      "ORDER BY step_id, item");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind_all(*s, run_id); rc != SQLITE_OK) {
    return std::unexpected(error("cannot list steps", rc));
  }
  std::vector<StepRow> out;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    StepRow& r = out.emplace_back();
    r.run_id = column_text(*s, 0);
    r.step_id = column_text(*s, 1);
    r.item = sqlite3_column_int64(*s, 2);
    r.status = column_text(*s, 3);
    r.attempt = sqlite3_column_int64(*s, 4);
    r.idempotency_key = column_text(*s, 5);
    r.output_json = column_text(*s, 6);
    r.error = column_text(*s, 7);
    r.detail_json = column_text(*s, 8);
    r.started_ms = sqlite3_column_int64(*s, 9);
    r.finished_ms = sqlite3_column_int64(*s, 10);
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot list steps", rc));
  return out;
}

Result<std::vector<RunEventRow>> SqliteStore::run_events(std::string_view run_id,
                                                         int64_t after_seq) {
  auto s = prepare(
      "SELECT seq, ts_ms, event_json FROM workflow_events WHERE run_id = ?1 AND seq > ?2 "
      "ORDER BY seq");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind_all(*s, run_id, after_seq); rc != SQLITE_OK) {
    return std::unexpected(error("cannot list run events", rc));
  }
  std::vector<RunEventRow> out;
  int rc;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    out.push_back({sqlite3_column_int64(*s, 0), sqlite3_column_int64(*s, 1), column_text(*s, 2)});
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot list run events", rc));
  return out;
}

}  // namespace sy::store
