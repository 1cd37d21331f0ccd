#include "workflow/run_executor.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "core/log.h"
#include "workflow/llm_step.h"
#include "workflow/plan_step.h"
#include "workflow/run_record.h"
#include "workflow/spec.h"
#include "workflow/mcp_step.h"
#include "workflow/tool_step.h"

namespace sy::workflow {
namespace {

using nlohmann::json;
using store::RunRow;
using store::StepRow;

using StepKey = std::pair<std::string, int64_t>;  // (step id, item)

// One execution of one run: its rows, what the finished steps produced, and the writes.
class Execution {
 public:
  Execution(const ExecutorContext& x, RunRow run, WorkflowSpec spec, governance::Principal who)
      : x_(x), run_(std::move(run)), spec_(std::move(spec)), who_(std::move(who)) {}

  ExecutionEnd go();

 private:
  int64_t now() const { return x_.clock(); }
  std::string context_for(const std::vector<std::string>& needs) const;
  StepOutcome run_approval(const Step& step, const ApprovalStep& a, const StepRow* row,
                           const std::string& ctx, std::optional<int64_t>& deadline);
  StepOutcome run_body(const Step& step, const std::string& ctx);
  StepOutcome run_map(const Step& step, const MapStep& m, const std::string& ctx);
  StepOutcome run_plan(const Step& step, const PlanStep& p, const std::string& ctx);
  // The items [first, first + count) of `step_id` that have not succeeded, through `fn`,
  // at most `concurrency` at once; each a row of its own (StepItems::run).
  Result<void> run_items(const std::string& step_id, int64_t first, size_t count,
                         uint32_t concurrency, const StepItems::ItemFn& fn);
  LlmSettings llm_settings() const;
  // One llm or tool body: a plain step or one map item.
  StepOutcome run_leaf(const Step& step, const std::string& ctx, const std::string& key);
  // The output over the size cap fails the step.
  void cap(StepOutcome& o) const;
  bool write_step(const StepRow& row, const RunEvent& event);
  bool set_status(RunStatus status, const RunEvent& event);
  void ensure_running();
  ExecutionEnd finish_failed(const std::string& error);
  std::string final_output() const;

  const ExecutorContext& x_;
  RunRow run_;
  WorkflowSpec spec_;
  governance::Principal who_;
  std::map<StepKey, StepRow> rows_;
  json inputs_;
  std::map<std::string, json> outputs_;  // finished steps
  std::string last_step_;                // the last step that produced an output
};

std::string Execution::context_for(const std::vector<std::string>& needs) const {
  json steps = json::object();
  for (const std::string& id : needs) {
    if (auto it = outputs_.find(id); it != outputs_.end()) steps[id] = {{"output", it->second}};
  }
  return json{{"inputs", inputs_}, {"steps", std::move(steps)}}.dump();
}

// Whether the run was cancelled (Engine::cancel): then nothing more is written for it.
// Called under the store's lock, which cancel() holds while it writes.
constexpr const char* kCancelled = "run_cancelled";
bool cancelled(store::Store& s, const std::string& run_id) {
  auto run = s.get_run(run_id);
  return run && *run && (*run)->status == run_status_name(RunStatus::Cancelled);
}

bool Execution::write_step(const StepRow& row, const RunEvent& event) {
  auto r = x_.db.with([&](store::Store& s) -> Result<void> {
    if (cancelled(s, run_.id)) return fail(ErrorKind::InvalidRequest, "cancelled", {}, kCancelled);
    return s.put_step(row, event_json(event));
  });
  if (!r) {
    if (r.error().code == kCancelled) return false;
    spdlog::error("workflow run {}: cannot store step {}: {}", run_.id, row.step_id,
                  r.error().message);
    return false;
  }
  rows_[{row.step_id, row.item}] = row;
  return true;
}

bool Execution::set_status(RunStatus status, const RunEvent& event) {
  RunRow next = run_;
  next.status = run_status_name(status);
  next.updated_ms = now();
  auto r = x_.db.with([&](store::Store& s) -> Result<void> {
    if (cancelled(s, run_.id)) return fail(ErrorKind::InvalidRequest, "cancelled", {}, kCancelled);
    return s.update_run(next, event_json(event));
  });
  if (!r) {
    if (r.error().code == kCancelled) return false;
    spdlog::error("workflow run {}: cannot store its status: {}", run_.id, r.error().message);
    return false;
  }
  run_ = std::move(next);
  return true;
}

void Execution::ensure_running() {
  if (run_.status == "running") return;
  set_status(RunStatus::Running,
             {.type = "run.started", .run = run_.id, .ts_ms = now(), .status = "running"});
}

ExecutionEnd Execution::finish_failed(const std::string& error) {
  run_.error = error;
  run_.finished_ms = now();
  set_status(RunStatus::Failed, {.type = "run.finished",
                                 .run = run_.id,
                                 .ts_ms = run_.finished_ms,
                                 .status = "failed",
                                 .error = error});
  return {};
}

void Execution::cap(StepOutcome& o) const {
  if (o.kind != StepOutcome::Kind::Succeeded) return;
  const uint64_t limit = x_.settings.max_step_output_bytes;
  if (o.output_json.size() <= limit) return;
  o = StepOutcome::failed("the step's output is " + std::to_string(o.output_json.size()) +
                              " bytes, over workflows.max_step_output_bytes (" +
                              std::to_string(limit) + ")",
                          o.detail_json);
}

LlmSettings Execution::llm_settings() const {
  return {.default_route = x_.settings.default_route,
          .escalation_route = x_.settings.escalation_route,
          .summary_route = x_.settings.summary_route,
          .timeout = std::chrono::milliseconds(x_.settings.step_timeout_ms),
          .cancel = &x_.stopping};
}

StepOutcome Execution::run_leaf(const Step& step, const std::string& ctx, const std::string& key) {
  if (const auto* llm = std::get_if<LlmStep>(&step.body)) {
    return run_llm_step(*llm, step.id, ctx, llm_settings(), who_, key, x_.ports);
  }
  if (const auto* tool = std::get_if<ToolStep>(&step.body)) {
    if (const auto* http = std::get_if<HttpCall>(&tool->call)) {
      const ToolSettings settings{x_.settings.http_allow,
                                  std::chrono::milliseconds(x_.settings.step_timeout_ms)};
      return run_http_tool(*http, step.id, ctx, settings, who_, key, x_.ports);
    }
    return run_mcp_tool(std::get<McpCall>(tool->call), step.id, ctx,
                        std::chrono::milliseconds(x_.settings.step_timeout_ms), &x_.stopping, who_,
                        key, x_.ports);
  }
  return StepOutcome::failed(std::string("a ") + step_kind_name(step.kind) +
                             " step cannot run here");
}

StepOutcome Execution::run_map(const Step& step, const MapStep& m, const std::string& ctx) {
  auto over = m.over.resolve_json(ctx);
  if (!over) return StepOutcome::failed("over: " + over.error().message);
  const json items = json::parse(*over, nullptr, false);
  if (!items.is_array()) return StepOutcome::failed("over: " + m.over.text() + " is not a list");
  const json base = json::parse(ctx);
  const size_t n = items.size();
  auto ran = run_items(step.id, 0, n, m.concurrency, [&](int64_t item, const std::string& key) {
    json item_ctx = base;
    item_ctx["item"] = items[static_cast<size_t>(item)];
    item_ctx["index"] = item;
    return run_leaf(*m.step, item_ctx.dump(), key);
  });
  if (!ran) return StepOutcome::failed(ran.error().message);
  std::vector<json> results(n);
  for (size_t i = 0; i < n; ++i) {
    results[i] =
        json::parse(rows_.at({step.id, static_cast<int64_t>(i)}).output_json, nullptr, false);
  }
  return StepOutcome::ok(json(results).dump(), json{{"items", n}}.dump());
}

Result<void> Execution::run_items(const std::string& step_id, int64_t first, size_t count,
                                  uint32_t concurrency, const StepItems::ItemFn& fn) {
  const auto done = [&](size_t i) {
    auto it = rows_.find({step_id, first + static_cast<int64_t>(i)});
    return it != rows_.end() && it->second.status == "succeeded";
  };
  std::mutex mu;  // guards rows_ (through write_step), first_error
  std::atomic<size_t> next{0};
  std::optional<std::pair<int64_t, std::string>> first_error;
  auto worker = [&] {
    for (;;) {
      if (x_.stopping.load()) return;
      {
        std::lock_guard lock(mu);
        if (first_error) return;
      }
      const size_t i = next.fetch_add(1);
      if (i >= count) return;
      {
        std::lock_guard lock(mu);
        if (done(i)) continue;
      }
      const int64_t item = first + static_cast<int64_t>(i);
      StepRow row{.run_id = run_.id,
                  .step_id = step_id,
                  .item = item,
                  .status = "running",
                  .idempotency_key = idempotency_key(run_.id, step_id, item),
                  .started_ms = now()};
      {
        std::lock_guard lock(mu);
        auto it = rows_.find({step_id, item});
        row.attempt = (it != rows_.end() ? it->second.attempt : 0) + 1;
        write_step(row, {.type = "step.started",
                         .run = run_.id,
                         .ts_ms = row.started_ms,
                         .step = step_id,
                         .item = item,
                         .status = "running"});
      }
      StepOutcome o = fn(item, row.idempotency_key);
      cap(o);
      row.finished_ms = now();
      row.detail_json = o.detail_json;
      const bool ok = o.kind == StepOutcome::Kind::Succeeded;
      if (!ok && x_.stopping.load()) return;  // interrupted, not failed: runs again later
      row.status = ok ? "succeeded" : "failed";
      row.output_json = o.output_json;
      row.error = o.error;
      std::lock_guard lock(mu);
      write_step(row, {.type = ok ? "step.finished" : "step.failed",
                       .run = run_.id,
                       .ts_ms = row.finished_ms,
                       .step = step_id,
                       .item = item,
                       .status = row.status,
                       .error = o.error});
      if (!ok && !first_error) first_error.emplace(item, o.error);
    }
  };
  const size_t threads = std::min<size_t>(std::max<uint32_t>(concurrency, 1), count);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (first_error) {
    return fail(ErrorKind::InvalidRequest,
                "item " + std::to_string(first_error->first) + ": " + first_error->second);
  }
  for (size_t i = 0; i < count; ++i) {
    if (!done(i)) return fail(ErrorKind::Unavailable, "engine stopping");
  }
  return {};
}

StepOutcome Execution::run_plan(const Step& step, const PlanStep& p, const std::string& ctx) {
  // The plan's items are rows of this step, like a map's.
  class Items final : public StepItems {
   public:
    Items(Execution& e, const std::string& step_id) : e_(e), step_id_(step_id) {}
    const StepRow* row(int64_t item) const override {
      auto it = e_.rows_.find({step_id_, item});
      return it != e_.rows_.end() ? &it->second : nullptr;
    }
    Result<void> run(int64_t first, size_t count, uint32_t concurrency, const ItemFn& fn) override {
      return e_.run_items(step_id_, first, count, concurrency, fn);
    }

   private:
    Execution& e_;
    const std::string& step_id_;
  } items(*this, step.id);
  return run_plan_step(p, step.id, ctx, llm_settings(), who_, idempotency_key(run_.id, step.id, -1),
                       x_.ports, items);
}

StepOutcome Execution::run_body(const Step& step, const std::string& ctx) {
  if (const auto* m = std::get_if<MapStep>(&step.body)) return run_map(step, *m, ctx);
  if (const auto* p = std::get_if<PlanStep>(&step.body)) return run_plan(step, *p, ctx);
  if (const auto* sw = std::get_if<SwitchStep>(&step.body)) {
    auto value = sw->on.render(ctx);
    if (!value) return StepOutcome::failed("on: " + value.error().message);
    json chosen = sw->default_step.empty() ? json(nullptr) : json(sw->default_step);
    for (const auto& [match, target] : sw->cases) {
      if (match == *value) {
        chosen = target;
        break;
      }
    }
    return StepOutcome::ok(json{{"value", *value}, {"chosen", chosen}}.dump());
  }
  return run_leaf(step, ctx, idempotency_key(run_.id, step.id, -1));
}

StepOutcome Execution::run_approval(const Step& step, const ApprovalStep& a, const StepRow* row,
                                    const std::string& ctx, std::optional<int64_t>& deadline) {
  if (row == nullptr) {
    auto message = a.message.render(ctx);
    if (!message) return StepOutcome::failed("message: " + message.error().message);
    ensure_running();
    StepRow waiting{.run_id = run_.id,
                    .step_id = step.id,
                    .status = "waiting",
                    .attempt = 1,
                    .idempotency_key = idempotency_key(run_.id, step.id, -1),
                    .output_json = json{{"message", *message}}.dump(),
                    .started_ms = now()};
    write_step(waiting, {.type = "step.waiting",
                         .run = run_.id,
                         .ts_ms = waiting.started_ms,
                         .step = step.id,
                         .status = "waiting",
                         .output_json = waiting.output_json});
    deadline = waiting.started_ms + a.timeout_ms;
    return {StepOutcome::Kind::Waiting, {}, {}, {}};
  }
  // A decision (POST /v1/runs/{id}/approvals) rewrites the row; still waiting here.
  const int64_t due = row->started_ms + a.timeout_ms;
  if (now() < due) {
    deadline = due;
    return {StepOutcome::Kind::Waiting, {}, {}, {}};
  }
  const json detail = {{"decision", "timeout"},
                       {"on_timeout", a.approve_on_timeout ? "approve" : "reject"}};
  if (a.approve_on_timeout) {
    return StepOutcome::ok(
        json{{"approved", true}, {"decision", "timeout"}, {"comment", ""}}.dump(), detail.dump());
  }
  return StepOutcome::failed("no decision within the approval's timeout (" +
                                 std::to_string(a.timeout_ms / 1000) + " s); on_timeout: reject",
                             detail.dump());
}

std::string Execution::final_output() const {
  if (spec_.output.empty() && spec_.output_fields.empty()) {
    if (auto it = outputs_.find(last_step_); it != outputs_.end()) return it->second.dump();
    return "null";
  }
  json steps = json::object();
  for (const auto& [id, out] : outputs_) steps[id] = {{"output", out}};
  const std::string ctx = json{{"inputs", inputs_}, {"steps", steps}}.dump();
  const auto value = [&](const Template& t) -> json {
    if (auto v = t.resolve_json(ctx)) return json::parse(*v, nullptr, false);
    auto text = t.render(ctx);
    return text ? json(*text) : json(nullptr);
  };
  if (spec_.output_fields.empty()) return value(spec_.output).dump();
  json out = json::object();
  for (const auto& [name, t] : spec_.output_fields) out[name] = value(t);
  return out.dump();
}

ExecutionEnd Execution::go() {
  auto rows = x_.db.with([&](store::Store& s) { return s.steps(run_.id); });
  if (!rows) {
    spdlog::error("workflow run {}: cannot read its steps: {}", run_.id, rows.error().message);
    return {};
  }
  for (StepRow& r : *rows) rows_[{r.step_id, r.item}] = std::move(r);
  inputs_ = json::parse(run_.input_json, nullptr, false);
  if (inputs_.is_discarded()) inputs_ = json::object();

  // Steps a switch names run only when a switch chose them; a step that reads a skipped
  // step is skipped too.
  std::set<std::string> gated, chosen, skipped;
  for (const Step& s : spec_.steps) {
    if (const auto* sw = std::get_if<SwitchStep>(&s.body)) {
      for (const auto& c : sw->cases) gated.insert(c.second);
      if (!sw->default_step.empty()) gated.insert(sw->default_step);
    }
  }
  const auto note_output = [&](const Step& s, const std::string& output) {
    json out = json::parse(output, nullptr, false);
    if (s.kind == StepKind::Switch && out.is_object() && out["chosen"].is_string()) {
      chosen.insert(out["chosen"].get<std::string>());
    }
    outputs_[s.id] = std::move(out);
    last_step_ = s.id;
  };

  for (const Step& step : spec_.steps) {
    if (x_.stopping.load()) return {};  // resumes at the next start
    const auto it = rows_.find({step.id, -1});
    const StepRow* row = it != rows_.end() ? &it->second : nullptr;
    if (row && row->status == "succeeded") {
      note_output(step, row->output_json);
      continue;
    }
    if (row && row->status == "skipped") {
      skipped.insert(step.id);
      continue;
    }
    if (row && row->status == "failed") return finish_failed("step " + step.id + ": " + row->error);
    bool skip = gated.contains(step.id) && !chosen.contains(step.id);
    for (const std::string& need : step.needs) skip = skip || skipped.contains(need);
    if (skip) {
      ensure_running();
      StepRow s{.run_id = run_.id,
                .step_id = step.id,
                .status = "skipped",
                .idempotency_key = idempotency_key(run_.id, step.id, -1),
                .finished_ms = now()};
      write_step(s, {.type = "step.skipped",
                     .run = run_.id,
                     .ts_ms = s.finished_ms,
                     .step = step.id,
                     .status = "skipped"});
      skipped.insert(step.id);
      continue;
    }

    const std::string ctx = context_for(step.needs);
    StepRow next{.run_id = run_.id,
                 .step_id = step.id,
                 .status = "running",
                 .attempt = (row ? row->attempt : 0) + 1,
                 .idempotency_key = idempotency_key(run_.id, step.id, -1),
                 .started_ms = now()};
    StepOutcome outcome;
    std::optional<int64_t> deadline;
    if (const auto* a = std::get_if<ApprovalStep>(&step.body)) {
      outcome = run_approval(step, *a, row, ctx, deadline);
      if (outcome.kind == StepOutcome::Kind::Waiting) {
        if (run_.status != "waiting_approval") {
          set_status(RunStatus::WaitingApproval, {.type = "run.waiting",
                                                  .run = run_.id,
                                                  .ts_ms = now(),
                                                  .step = step.id,
                                                  .status = "waiting_approval"});
        }
        return {deadline};
      }
      if (row) next = *row;  // timed out: the row it waited in ends now
      ensure_running();
    } else {
      ensure_running();
      if (!write_step(next, {.type = "step.started",
                             .run = run_.id,
                             .ts_ms = next.started_ms,
                             .step = step.id,
                             .status = "running"})) {
        return {};
      }
      outcome = run_body(step, ctx);
      // A failure seen while the engine stops (a call it gave up waiting for) is not the
      // step's: the step stays `running` and runs again at the next start.
      if (x_.stopping.load() && outcome.kind == StepOutcome::Kind::Failed) return {};
    }
    cap(outcome);
    const bool ok = outcome.kind == StepOutcome::Kind::Succeeded;
    next.status = ok ? "succeeded" : "failed";
    next.output_json = ok ? outcome.output_json : std::string();
    next.error = outcome.error;
    next.detail_json = outcome.detail_json;
    next.finished_ms = now();
    if (!write_step(next, {.type = ok ? "step.finished" : "step.failed",
                           .run = run_.id,
                           .ts_ms = next.finished_ms,
                           .step = step.id,
                           .status = next.status,
                           .error = next.error})) {
      return {};
    }
    if (!ok) return finish_failed("step " + step.id + ": " + outcome.error);
    note_output(step, next.output_json);
  }

  std::string output = final_output();
  if (output.size() > x_.settings.max_step_output_bytes) {
    return finish_failed("the run's output is over workflows.max_step_output_bytes");
  }
  ensure_running();
  run_.output_json = output;
  run_.finished_ms = now();
  set_status(RunStatus::Succeeded, {.type = "run.finished",
                                    .run = run_.id,
                                    .ts_ms = run_.finished_ms,
                                    .status = "succeeded",
                                    .output_json = output});
  return {};
}

}  // namespace

ExecutionEnd execute_run(const ExecutorContext& x, const std::string& run_id) {
  auto row = x.db.with([&](store::Store& s) { return s.get_run(run_id); });
  if (!row) {
    spdlog::error("workflow run {}: cannot read it: {}", run_id, row.error().message);
    return {};
  }
  if (!*row || run_finished((*row)->status)) return {};
  RunRow run = std::move(**row);
  auto who = principal_from_json(run.principal_json);
  auto spec = parse_workflow(run.spec, run.workflow + ".yaml");
  Execution e(x, run, spec ? std::move(*spec) : WorkflowSpec{},
              who ? std::move(*who) : governance::Principal{});
  if (!spec || !who) {
    // Cannot happen for a run this engine accepted; fail it rather than loop on it.
    RunRow failed = run;
    failed.status = "failed";
    failed.error = !spec ? spec.error().message : who.error().message;
    failed.updated_ms = failed.finished_ms = x.clock();
    (void)x.db.with([&](store::Store& s) {
      return s.update_run(failed, event_json({.type = "run.finished",
                                              .run = run.id,
                                              .ts_ms = failed.finished_ms,
                                              .status = "failed",
                                              .error = failed.error}));
    });
    return {};
  }
  return e.go();
}

}  // namespace sy::workflow
