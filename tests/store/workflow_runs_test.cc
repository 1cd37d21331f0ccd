// The workflow part of the Store contract, on SQLite and PostgreSQL: runs round trip and
// stay unique, steps upsert by (run, step, item), events are numbered per run in commit
// order and written with the change they describe, and leases exclude other owners.
#include <gtest/gtest.h>

#include "store/store_fixture.h"

namespace sy::store::testing {
namespace {

RunRow run_row(const std::string& id, int64_t created) {
  RunRow r;
  r.id = id;
  r.workflow = "triage";
  r.spec = "name: triage\nsteps: [] # \"quoted\" d\xc3\xa9j\xc3\xa0\n";
  r.input_json = R"({"ticket":"help"})";
  r.status = "pending";
  r.principal_json = R"({"id":"key_1","team":"search"})";
  r.created_ms = created;
  r.updated_ms = created;
  return r;
}

auto as_tuple(const RunRow& r) {
  return std::make_tuple(r.id, r.workflow, r.spec, r.input_json, r.status, r.principal_json,
                         r.created_ms, r.updated_ms, r.finished_ms, r.output_json, r.error,
                         r.lease_owner, r.lease_until_ms);
}

TEST_P(StoreTest, RunsRoundTripAndStayUnique) {
  const RunRow a = run_row("run_a", 100);
  ASSERT_TRUE(store_->create_run(a, R"({"type":"run.created"})"));
  auto dup = store_->create_run(a, "");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().status, 409);
  auto got = store_->get_run("run_a").value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(as_tuple(*got), as_tuple(a));
  EXPECT_FALSE(store_->get_run("run_none").value().has_value());

  ASSERT_TRUE(store_->create_run(run_row("run_b", 50), ""));
  RunRow c = run_row("run_c", 70);
  c.status = "running";
  ASSERT_TRUE(store_->create_run(c, ""));
  const auto pending = store_->runs_with_status("pending").value();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, "run_b");  // oldest first
  EXPECT_EQ(pending[1].id, "run_a");

  RunRow done = a;
  done.status = "succeeded";
  done.updated_ms = done.finished_ms = 900;
  done.output_json = R"({"answer":42})";
  ASSERT_TRUE(store_->update_run(done, R"({"type":"run.finished"})"));
  EXPECT_EQ(as_tuple(store_->get_run("run_a").value().value()), as_tuple(done));
  EXPECT_EQ(store_->runs_with_status("pending").value().size(), 1u);
  RunRow ghost = run_row("run_ghost", 1);
  EXPECT_EQ(store_->update_run(ghost, "").error().kind, ErrorKind::NotFound);
}

TEST_P(StoreTest, StepsUpsertAndEventsAreNumberedPerRun) {
  ASSERT_TRUE(store_->create_run(run_row("run_a", 1), R"({"type":"run.created"})"));
  ASSERT_TRUE(store_->create_run(run_row("run_b", 2), R"({"type":"run.created"})"));
  StepRow s;
  s.run_id = "run_a";
  s.step_id = "extract";
  s.status = "running";
  s.attempt = 1;
  s.idempotency_key = "run_a/extract";
  s.started_ms = 10;
  ASSERT_TRUE(store_->put_step(s, R"({"type":"step.started"})"));
  s.status = "succeeded";
  s.output_json = R"({"total":12.5})";
  s.detail_json = R"({"repairs":1})";
  s.finished_ms = 20;
  ASSERT_TRUE(store_->put_step(s, R"({"type":"step.finished"})"));
  StepRow item = s;
  item.step_id = "answers";
  item.item = 3;
  item.output_json = R"("three")";
  ASSERT_TRUE(store_->put_step(item, ""));  // no event

  const auto steps = store_->steps("run_a").value();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].step_id, "answers");
  EXPECT_EQ(steps[0].item, 3);
  EXPECT_EQ(steps[1].step_id, "extract");
  EXPECT_EQ(steps[1].item, -1);
  EXPECT_EQ(steps[1].status, "succeeded");
  EXPECT_EQ(steps[1].attempt, 1);
  EXPECT_EQ(steps[1].idempotency_key, "run_a/extract");
  EXPECT_EQ(steps[1].output_json, R"({"total":12.5})");
  EXPECT_EQ(steps[1].detail_json, R"({"repairs":1})");
  EXPECT_EQ(steps[1].started_ms, 10);
  EXPECT_EQ(steps[1].finished_ms, 20);
  EXPECT_TRUE(store_->steps("run_b").value().empty());

  const auto events = store_->run_events("run_a", 0).value();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].json, R"({"type":"run.created"})");
  EXPECT_EQ(events[2].seq, 3);
  EXPECT_EQ(events[2].json, R"({"type":"step.finished"})");
  EXPECT_EQ(events[2].ts_ms, 20);
  EXPECT_EQ(store_->run_events("run_a", 2).value().size(), 1u);
  EXPECT_EQ(store_->run_events("run_b", 0).value().size(), 1u);  // numbered on its own

  StepRow orphan = s;
  orphan.run_id = "run_none";
  EXPECT_EQ(store_->put_step(orphan, "").error().kind, ErrorKind::NotFound);
}

TEST_P(StoreTest, LeasesExcludeOtherOwnersUntilTheyExpire) {
  ASSERT_TRUE(store_->create_run(run_row("run_a", 1), ""));
  EXPECT_TRUE(store_->claim_run("run_a", "engine-1", 1000, 2000).value());
  EXPECT_FALSE(store_->claim_run("run_a", "engine-2", 1500, 2500).value());
  EXPECT_TRUE(store_->claim_run("run_a", "engine-1", 1500, 3000).value());  // renewal
  EXPECT_FALSE(store_->claim_run("run_a", "engine-2", 2999, 4000).value());
  EXPECT_TRUE(store_->claim_run("run_a", "engine-2", 3001, 4000).value());  // expired
  EXPECT_EQ(store_->get_run("run_a").value()->lease_owner, "engine-2");
  EXPECT_FALSE(store_->claim_run("run_none", "engine-1", 1, 2).value());
  // A second connection sees the lease.
  auto other = open_again();
  EXPECT_FALSE(other->claim_run("run_a", "engine-3", 3500, 5000).value());
}

}  // namespace
}  // namespace sy::store::testing
