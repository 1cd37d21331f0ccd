#include "workflow/engine.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/ids.h"
#include "core/json_schema.h"
#include "core/log.h"
#include "core/time_spec.h"
#include "workflow/mcp_step.h"
#include "workflow/run_executor.h"
#include "workflow/run_record.h"
#include "workflow/spec.h"

namespace sy::workflow {
namespace {

using nlohmann::json;

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

struct Engine::State {
  EngineOptions options;
  std::shared_ptr<StepPorts> ports;
  std::unique_ptr<RunDb> db;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable wake;  // workers: a run was queued, or stop
  // The scheduler's own: sharing `wake` would let enqueue()'s notify_one wake the
  // scheduler instead of a worker, leaving the run queued with every worker asleep.
  std::condition_variable tick;
  std::condition_variable idle;  // wait_idle: queue and execution drained
  std::deque<std::string> queue;
  std::set<std::string> queued;  // in `queue`
  std::set<std::string> executing;
  std::set<std::string> again;               // executing, and queued again meanwhile
  std::map<std::string, int64_t> deadlines;  // runs waiting on an approval → its timeout
  // Per executing run: set to make its execution end now (the engine stops, or the run
  // was cancelled); the executor's `stopping` and its calls' `cancel`.
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> halts;
  std::vector<std::thread> workers;
  std::thread scheduler;
  bool stopped = false;

  int64_t now() const { return options.clock(); }

  void enqueue(const std::string& run_id) {
    std::lock_guard lock(mu);
    if (executing.contains(run_id)) {
      again.insert(run_id);
      return;
    }
    if (queued.insert(run_id).second) {
      queue.push_back(run_id);
      wake.notify_one();
    }
  }

  bool claim(const std::string& run_id) {
    auto claimed = db->with([&](store::Store& s) {
      return s.claim_run(run_id, options.owner, now(), now() + options.lease_ms);
    });
    return claimed && *claimed;
  }

  void work() {
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return stopping.load() || !queue.empty(); });
      if (stopping.load()) return;
      std::string id = std::move(queue.front());
      queue.pop_front();
      queued.erase(id);
      executing.insert(id);
      deadlines.erase(id);
      auto halt = std::make_shared<std::atomic<bool>>(false);
      halts[id] = halt;
      lock.unlock();
      ExecutionEnd end;
      if (claim(id)) {
        const ExecutorContext x{*db, *ports, options.settings, options.clock, *halt};
        end = execute_run(x, id);
      } else {
        spdlog::info("workflow run {}: held by another engine, not run here", id);
      }
      lock.lock();
      halts.erase(id);
      executing.erase(id);
      if (end.approval_deadline_ms) deadlines[id] = *end.approval_deadline_ms;
      if (again.erase(id) > 0 && queued.insert(id).second) queue.push_back(id);
      if (queue.empty() && executing.empty()) idle.notify_all();
    }
  }

  // Runs another engine held whose lease lapsed (it stopped or died): taken over.
  void adopt_orphans() {
    for (const char* status : {"running", "pending", "waiting_approval"}) {
      auto runs = db->with([&](store::Store& s) { return s.runs_with_status(status); });
      if (!runs) {
        spdlog::warn("workflows: cannot list {} runs: {}", status, runs.error().message);
        return;
      }
      for (const store::RunRow& r : *runs) {
        if (r.lease_owner != options.owner && r.lease_until_ms < now()) enqueue(r.id);
      }
    }
  }

  // `started`: the clock when the engine started, read before this thread runs (a
  // thread that starts late must not count the adoption interval from its own start).
  void schedule(int64_t started) {
    int64_t last_renewal = 0;
    int64_t last_adoption = started;
    std::unique_lock lock(mu);
    while (!stopping.load()) {
      tick.wait_for(lock, options.tick, [&] { return stopping.load(); });
      if (stopping.load()) return;
      std::vector<std::string> due;
      const int64_t t = now();
      for (auto it = deadlines.begin(); it != deadlines.end();) {
        if (it->second <= t) {
          due.push_back(it->first);
          it = deadlines.erase(it);
        } else {
          ++it;
        }
      }
      std::vector<std::string> held(executing.begin(), executing.end());
      std::vector<std::string> waiting;
      for (const auto& [id, deadline] : deadlines) waiting.push_back(id);
      lock.unlock();
      for (const std::string& id : due) enqueue(id);
      if (t - last_renewal >= options.lease_ms / 3) {
        last_renewal = t;
        for (const std::string& id : held) {
          claim(id);
          if (cancelled_elsewhere(id)) halt(id);
        }
        // Waiting runs keep their lease too, and are looked at again: an approval given
        // through another replica is seen here.
        for (const std::string& id : waiting) {
          if (claim(id)) enqueue(id);
        }
      }
      if (options.resume && t - last_adoption >= options.lease_ms / 2) {
        last_adoption = t;
        adopt_orphans();
      }
      lock.lock();
    }
  }

  // Ends the execution of a run this engine is executing, if it is (lock: mu not held).
  void halt(const std::string& run_id) {
    std::lock_guard lock(mu);
    if (auto it = halts.find(run_id); it != halts.end()) it->second->store(true);
    deadlines.erase(run_id);
  }

  // A run cancelled through another replica: its status in the store says so.
  bool cancelled_elsewhere(const std::string& run_id) {
    auto run = db->with([&](store::Store& s) { return s.get_run(run_id); });
    return run && *run && (*run)->status == run_status_name(RunStatus::Cancelled);
  }

  Result<void> resume_all() {
    for (const char* status : {"running", "pending", "waiting_approval"}) {
      auto runs = db->with([&](store::Store& s) { return s.runs_with_status(status); });
      if (!runs) return std::unexpected(runs.error());
      for (const store::RunRow& r : *runs) {
        if (r.lease_owner.empty() || r.lease_owner == options.owner || r.lease_until_ms < now()) {
          enqueue(r.id);
        }
      }
    }
    return {};
  }
};

Engine::Engine(std::unique_ptr<State> state) : state_(std::move(state)) {}

Engine::~Engine() { stop(); }

Result<std::unique_ptr<Engine>> Engine::start(EngineOptions options,
                                              std::shared_ptr<StepPorts> ports) {
  if (!options.clock) options.clock = unix_now_ms;
  if (options.owner.empty()) options.owner = host_name();
  auto store = store::open_store({.url = options.store_url});
  if (!store) return std::unexpected(store.error());
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  state->ports = std::move(ports);
  state->db = std::make_unique<RunDb>(std::move(*store));
  std::unique_ptr<Engine> engine(new Engine(std::move(state)));
  State& s = *engine->state_;
  if (s.options.resume) {
    if (auto r = s.resume_all(); !r) return std::unexpected(r.error());
  }
  const uint32_t n = std::max<uint32_t>(1, s.options.settings.max_active_runs);
  for (uint32_t i = 0; i < n; ++i) s.workers.emplace_back([&s] { s.work(); });
  s.scheduler = std::thread([&s, started = s.now()] { s.schedule(started); });
  return engine;
}

void Engine::stop() {
  State& s = *state_;
  {
    std::lock_guard lock(s.mu);
    if (s.stopped) return;
    s.stopped = true;
    s.stopping.store(true);
    for (auto& [id, halt] : s.halts) halt->store(true);
  }
  s.wake.notify_all();
  s.tick.notify_all();
  for (auto& t : s.workers) t.join();
  if (s.scheduler.joinable()) s.scheduler.join();
  s.idle.notify_all();
}

Result<store::RunRow> Engine::submit(const std::string& spec_text, const std::string& source,
                                     const std::string& input_json,
                                     const governance::Principal& who) {
  auto spec = parse_workflow(spec_text, source);
  if (!spec) return std::unexpected(spec.error());
  if (auto ok = check_mcp_servers(*spec, source, state_->options.settings.mcp_servers); !ok) {
    state_->ports->audit("workflow.tool.mcp", who, 404, ok.error().message,
                         json{{"workflow", spec->name}, {"refused_at", "submit"}}.dump());
    return std::unexpected(ok.error());
  }
  json input = json::parse(input_json, nullptr, false);
  if (input.is_discarded() || !input.is_object()) {
    return fail(ErrorKind::InvalidRequest, "input must be a JSON object", "input");
  }
  for (const WorkflowInput& in : spec->inputs) {
    if (!in.default_json.empty() && !input.contains(in.name)) {
      input[in.name] = json::parse(in.default_json, nullptr, false);
    }
  }
  if (spec->input_schema) {
    if (auto errors = spec->input_schema->validate(input.dump()); !errors.empty()) {
      return fail(
          ErrorKind::InvalidRequest,
          "the input does not match workflow " + spec->name + "'s inputs:\n" + describe(errors),
          "input");
    }
  }
  store::RunRow run;
  run.id = "run_" + new_request_id().substr(4);  // time-ordered, like request ids
  run.workflow = spec->name;
  run.spec = spec_text;
  run.input_json = input.dump();
  run.status = run_status_name(RunStatus::Pending);
  run.principal_json = principal_json(who);
  run.created_ms = run.updated_ms = state_->now();
  run.lease_owner = state_->options.owner;
  run.lease_until_ms = run.created_ms + state_->options.lease_ms;
  auto created = state_->db->with([&](store::Store& s) {
    return s.create_run(
        run,
        event_json(
            {.type = "run.created", .run = run.id, .ts_ms = run.created_ms, .status = "pending"}));
  });
  if (!created) return std::unexpected(created.error());
  state_->enqueue(run.id);
  return run;
}

Result<store::RunRow> Engine::decide(const std::string& run_id, const std::string& step_id,
                                     bool approve, const std::string& comment,
                                     const governance::Principal& who) {
  State& s = *state_;
  auto decided = s.db->with([&](store::Store& db) -> Result<store::RunRow> {
    auto run = db.get_run(run_id);
    if (!run) return std::unexpected(run.error());
    if (!*run) return fail(ErrorKind::NotFound, "no run " + run_id);
    if ((*run)->status != "waiting_approval") {
      return std::unexpected(
          Error::make(ErrorKind::InvalidRequest,
                      "run " + run_id + " is " + (*run)->status + ", not waiting for an approval",
                      "step", "not_waiting"));
    }
    auto steps = db.steps(run_id);
    if (!steps) return std::unexpected(steps.error());
    const store::StepRow* waiting = nullptr;
    for (const auto& st : *steps) {
      if (st.step_id == step_id && st.item < 0 && st.status == "waiting") waiting = &st;
    }
    if (waiting == nullptr) {
      return std::unexpected(Error::make(
          ErrorKind::InvalidRequest, "run " + run_id + " does not wait on step '" + step_id + "'",
          "step", "not_waiting"));
    }
    store::StepRow row = *waiting;
    const int64_t t = s.now();
    const std::string by = who.id.empty() ? "anonymous" : who.audit_name();
    row.finished_ms = t;
    row.detail_json =
        json{{"decision", approve ? "approve" : "reject"}, {"by", by}, {"comment", comment}}.dump();
    if (approve) {
      row.status = "succeeded";
      row.output_json =
          json{{"approved", true}, {"decision", "approve"}, {"by", by}, {"comment", comment}}
              .dump();
    } else {
      row.status = "failed";
      row.output_json.clear();
      row.error = "rejected by " + by + (comment.empty() ? "" : ": " + comment);
    }
    auto put = db.put_step(row, event_json({.type = approve ? "step.finished" : "step.failed",
                                            .run = run_id,
                                            .ts_ms = t,
                                            .step = step_id,
                                            .status = row.status,
                                            .error = row.error}));
    if (!put) return std::unexpected(put.error());
    return **run;
  });
  if (!decided) return decided;
  s.enqueue(run_id);
  return decided;
}

Result<store::RunRow> Engine::cancel(const std::string& run_id, const std::string& comment,
                                     const governance::Principal& who) {
  State& s = *state_;
  const std::string by = who.id.empty() ? "anonymous" : who.audit_name();
  // Under the store's lock: an execution of the run writes nothing once it is cancelled
  // (run_executor.cc checks the run's status in the same lock).
  auto cancelled = s.db->with([&](store::Store& db) -> Result<store::RunRow> {
    auto run = db.get_run(run_id);
    if (!run) return std::unexpected(run.error());
    if (!*run) return fail(ErrorKind::NotFound, "no run " + run_id);
    if (run_finished((*run)->status)) {
      Error e = Error::make(ErrorKind::InvalidRequest,
                            "run " + run_id + " has ended (" + (*run)->status + ")", {},
                            "already_finished");
      e.status = 409;
      return std::unexpected(std::move(e));
    }
    auto steps = db.steps(run_id);
    if (!steps) return std::unexpected(steps.error());
    const int64_t t = s.now();
    for (const store::StepRow& st : *steps) {
      if (st.status != "waiting" && st.status != "running") continue;
      store::StepRow row = st;
      row.status = "cancelled";
      row.error = "the run was cancelled";
      row.finished_ms = t;
      auto put = db.put_step(row, event_json({.type = "step.cancelled",
                                              .run = run_id,
                                              .ts_ms = t,
                                              .step = row.step_id,
                                              .item = row.item,
                                              .status = row.status,
                                              .error = row.error}));
      if (!put) return std::unexpected(put.error());
    }
    store::RunRow next = **run;
    next.status = run_status_name(RunStatus::Cancelled);
    next.error = "cancelled by " + by + (comment.empty() ? "" : ": " + comment);
    next.updated_ms = next.finished_ms = t;
    auto put = db.update_run(next, event_json({.type = "run.finished",
                                               .run = run_id,
                                               .ts_ms = t,
                                               .status = next.status,
                                               .error = next.error}));
    if (!put) return std::unexpected(put.error());
    s.halt(run_id);  // the step in flight, if any, stops waiting for its call
    return next;
  });
  if (!cancelled) return cancelled;
  s.ports->audit(
      "workflow.run.cancel", who, 200, {},
      json{{"run", run_id}, {"workflow", cancelled->workflow}, {"comment", comment}}.dump());
  return cancelled;
}

Result<RunView> Engine::view(const std::string& run_id) {
  return state_->db->with([&](store::Store& db) -> Result<RunView> {
    auto run = db.get_run(run_id);
    if (!run) return std::unexpected(run.error());
    if (!*run) return fail(ErrorKind::NotFound, "no run " + run_id);
    auto steps = db.steps(run_id);
    if (!steps) return std::unexpected(steps.error());
    return RunView{std::move(**run), std::move(*steps)};
  });
}

Result<std::vector<store::RunRow>> Engine::runs(const std::string& status) {
  std::vector<store::RunRow> out;
  for (const char* st :
       {"pending", "running", "waiting_approval", "succeeded", "failed", "cancelled"}) {
    if (!status.empty() && status != st) continue;
    auto rows = state_->db->with([&](store::Store& db) { return db.runs_with_status(st); });
    if (!rows) return std::unexpected(rows.error());
    for (store::RunRow& r : *rows) out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const store::RunRow& a, const store::RunRow& b) {
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id > b.id;
  });
  return out;
}

Result<std::vector<store::RunEventRow>> Engine::events(const std::string& run_id,
                                                       int64_t after_seq) {
  return state_->db->with([&](store::Store& db) { return db.run_events(run_id, after_seq); });
}

bool Engine::stopping() const { return state_->stopping.load(); }

bool Engine::wait_idle(std::chrono::milliseconds timeout) {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  return s.idle.wait_for(lock, timeout,
                         [&] { return s.stopped || (s.queue.empty() && s.executing.empty()); });
}

}  // namespace sy::workflow
