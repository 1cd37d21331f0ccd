// PostgresStore: the workflow run, step and event tables (see store.h). Appending an
// event bumps the run row's event_seq first, which locks that row: concurrent writers of
// one run (an engine and an approval on another replica) number their events in commit
// order without gaps or clashes.
#include <algorithm>

#include "store/identity_rows.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

namespace sy::store {
namespace {

constexpr std::string_view kRunColumns =
    "id, workflow, spec, input_json, status, principal_json, created_ms, updated_ms, "
    "finished_ms, output_json, error, lease_owner, lease_until_ms";

std::string num(int64_t v) { return std::to_string(v); }

template <class Rows>
std::vector<RunRow> run_rows(const Rows& rows) {
  std::vector<RunRow> out(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    RunRow& r = out[static_cast<size_t>(i)];
    r.id = rows.text(i, 0);
    r.workflow = rows.text(i, 1);
    r.spec = rows.text(i, 2);
    r.input_json = rows.text(i, 3);
    r.status = rows.text(i, 4);
    r.principal_json = rows.text(i, 5);
    r.created_ms = rows.integer(i, 6);
    r.updated_ms = rows.integer(i, 7);
    r.finished_ms = rows.integer(i, 8);
    r.output_json = rows.text(i, 9);
    r.error = rows.text(i, 10);
    r.lease_owner = rows.text(i, 11);
    r.lease_until_ms = rows.integer(i, 12);
  }
  return out;
}

bool changed_one(PGresult* r) { return std::string_view(PQcmdTuples(r)) == "1"; }

}  // namespace

Result<void> PostgresStore::append_event(std::string_view run_id, int64_t ts_ms,
                                         std::string_view json) {
  if (json.empty()) return {};
  auto seq = execute(
      "UPDATE workflow_runs SET event_seq = event_seq + 1 WHERE id = $1 "
      "RETURNING event_seq",
      {pg_clean_text(run_id)}, "cannot number a run event");
  if (!seq) return std::unexpected(seq.error());
  if (seq->size() == 0) return fail(ErrorKind::NotFound, "no run " + std::string(run_id));
  auto added = execute(
      "INSERT INTO workflow_events (run_id, seq, ts_ms, event_json) "
      "VALUES ($1, $2::bigint, $3::bigint, $4)",
      {pg_clean_text(run_id), num(seq->integer(0, 0)), num(ts_ms), pg_clean_text(json)},
      "cannot append a run event");
  if (!added) return std::unexpected(added.error());
  return {};
}

Result<void> PostgresStore::create_run(const RunRow& r, std::string_view event_json) {
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    auto added = execute(
        "INSERT INTO workflow_runs (" + std::string(kRunColumns) +
            ", event_seq) VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8::bigint, $9::bigint, "
            "$10, $11, $12, $13::bigint, 0) ON CONFLICT DO NOTHING",
        {pg_clean_text(r.id), pg_clean_text(r.workflow), pg_clean_text(r.spec),
         pg_clean_text(r.input_json), pg_clean_text(r.status), pg_clean_text(r.principal_json),
         num(r.created_ms), num(r.updated_ms), num(r.finished_ms), pg_clean_text(r.output_json),
         pg_clean_text(r.error), pg_clean_text(r.lease_owner), num(r.lease_until_ms)},
        "cannot insert a run");
    if (!added) return std::unexpected(added.error());
    if (!changed_one(added->get())) return std::unexpected(already_exists("run \"" + r.id + "\""));
    return append_event(r.id, r.created_ms, event_json);
  });
}

Result<std::optional<RunRow>> PostgresStore::get_run(std::string_view id) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT " + std::string(kRunColumns) + " FROM workflow_runs WHERE id = $1",
                      {pg_clean_text(id)}, "cannot look up a run");
  if (!rows) return std::unexpected(rows.error());
  auto runs = run_rows(*rows);
  if (runs.empty()) return std::optional<RunRow>{};
  return std::optional<RunRow>(std::move(runs.front()));
}

Result<std::vector<RunRow>> PostgresStore::runs_with_status(std::string_view status) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT " + std::string(kRunColumns) +
                          " FROM workflow_runs WHERE status = $1 ORDER BY created_ms, id",
                      {pg_clean_text(status)}, "cannot list runs");
  if (!rows) return std::unexpected(rows.error());
  return run_rows(*rows);
}

Result<void> PostgresStore::update_run(const RunRow& r, std::string_view event_json) {
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    auto u = execute(
        "UPDATE workflow_runs SET status = $2, updated_ms = $3::bigint, finished_ms = "
        "$4::bigint, output_json = $5, error = $6 WHERE id = $1",
        {pg_clean_text(r.id), pg_clean_text(r.status), num(r.updated_ms), num(r.finished_ms),
         pg_clean_text(r.output_json), pg_clean_text(r.error)},
        "cannot update a run");
    if (!u) return std::unexpected(u.error());
    if (!changed_one(u->get())) return fail(ErrorKind::NotFound, "no run " + r.id);
    return append_event(r.id, r.updated_ms, event_json);
  });
}

Result<bool> PostgresStore::claim_run(std::string_view id, std::string_view owner, int64_t now_ms,
                                      int64_t until_ms) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto u = execute(
      "UPDATE workflow_runs SET lease_owner = $2, lease_until_ms = $4::bigint WHERE id = $1 "
      "AND (lease_owner = '' OR lease_owner = $2 OR lease_until_ms < $3::bigint)",
      {pg_clean_text(id), pg_clean_text(owner), num(now_ms), num(until_ms)}, "cannot claim a run");
  if (!u) return std::unexpected(u.error());
  return changed_one(u->get());
}

Result<void> PostgresStore::put_step(const StepRow& st, std::string_view event_json) {
  if (auto c = ensure_connected(); !c) return c;
  return in_transaction([&]() -> Result<void> {
    auto exists = execute("SELECT 1 FROM workflow_runs WHERE id = $1 FOR SHARE",
                          {pg_clean_text(st.run_id)}, "cannot look up a run");
    if (!exists) return std::unexpected(exists.error());
    if (exists->size() == 0) return fail(ErrorKind::NotFound, "no run " + st.run_id);
    auto put = execute(
        "INSERT INTO workflow_steps (run_id, step_id, item, status, attempt, idempotency_key, "
        "output_json, error, detail_json, started_ms, finished_ms) VALUES ($1, $2, $3::bigint, "
        "$4, $5::bigint, $6, $7, $8, $9, $10::bigint, $11::bigint) "
        "ON CONFLICT (run_id, step_id, item) DO UPDATE SET status = excluded.status, "
        "attempt = excluded.attempt, idempotency_key = excluded.idempotency_key, "
        "output_json = excluded.output_json, error = excluded.error, "
        "detail_json = excluded.detail_json, started_ms = excluded.started_ms, "
        "finished_ms = excluded.finished_ms",
        {pg_clean_text(st.run_id), pg_clean_text(st.step_id), num(st.item),
         pg_clean_text(st.status), num(st.attempt), pg_clean_text(st.idempotency_key),
         pg_clean_text(st.output_json), pg_clean_text(st.error), pg_clean_text(st.detail_json),
         num(st.started_ms), num(st.finished_ms)},
        "cannot store a step");
    if (!put) return std::unexpected(put.error());
    return append_event(st.run_id, std::max(st.started_ms, st.finished_ms), event_json);
  });
}

Result<std::vector<StepRow>> PostgresStore::steps(std::string_view run_id) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute(
      "SELECT run_id, step_id, item, status, attempt, idempotency_key, output_json, error, "
      "detail_json, started_ms, finished_ms FROM workflow_steps WHERE run_id = $1 "
      "ORDER BY step_id, item",
      {pg_clean_text(run_id)}, "cannot list steps");
  if (!rows) return std::unexpected(rows.error());
  std::vector<StepRow> out(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    StepRow& r = out[static_cast<size_t>(i)];
    r.run_id = rows->text(i, 0);
    r.step_id = rows->text(i, 1);
    r.item = rows->integer(i, 2);
    r.status = rows->text(i, 3);
    r.attempt = rows->integer(i, 4);
    r.idempotency_key = rows->text(i, 5);
    r.output_json = rows->text(i, 6);
    r.error = rows->text(i, 7);
    r.detail_json = rows->text(i, 8);
    r.started_ms = rows->integer(i, 9);
    r.finished_ms = rows->integer(i, 10);
  }
  return out;
}

Result<std::vector<RunEventRow>> PostgresStore::run_events(std::string_view run_id,
                                                           int64_t after_seq) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute(
      "SELECT seq, ts_ms, event_json FROM workflow_events WHERE run_id = $1 AND seq > $2::bigint "
      "ORDER BY seq",
      {pg_clean_text(run_id), num(after_seq)}, "cannot list run events");
  if (!rows) return std::unexpected(rows.error());
  std::vector<RunEventRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->integer(i, 0), rows->integer(i, 1), rows->text(i, 2)});
  }
  return out;
}

}  // namespace sy::store
