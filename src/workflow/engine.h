// Engine: runs workflows durably. submit() checks a workflow and its input, stores the
// run (pending, with the workflow text it started with and its principal) and queues it;
// a fixed set of threads (workflows.max_active_runs) executes queued runs
// (run_executor.h); a scheduler thread wakes runs whose approval timed out and renews
// the leases of the runs this engine holds (and halts the ones cancelled through another
// replica). On start, with `resume`, every run left
// pending or running (or waiting for an approval) that this engine may claim is queued
// again, and resumes at its first incomplete step.
//
// Leases: a run is executed only by the engine holding its lease (store claim_run);
// `owner` names this engine. A restarted process with the same owner takes its runs
// back at once; another owner only after the lease expired (lease_ms): with `resume`,
// the scheduler also looks for such runs every lease_ms / 2 and takes them over.
//
// Public methods are thread-safe (the HTTP API calls them from its threads). Blocking:
// every method does store I/O; never call them on a gateway worker thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "governance/principal.h"
#include "store/store.h"
#include "workflow/ports.h"

namespace sy::workflow {

struct EngineOptions {
  std::string store_url;     // the config's storage.url
  WorkflowsConfig settings;  // the config's workflows section
  std::string owner;         // lease owner; default: the host name
  bool resume = true;        // queue unfinished runs at start (off for `switchyard run`)
  int64_t lease_ms = 60'000;
  std::chrono::milliseconds tick{100};  // the scheduler's period
  std::function<int64_t()> clock;       // ms since the epoch; default: the system clock
};

struct RunView {
  store::RunRow run;
  std::vector<store::StepRow> steps;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> start(EngineOptions options,
                                               std::shared_ptr<StepPorts> ports);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Lets running steps finish, then stops; unfinished runs stay in the store.
  void stop();

  // `spec_text` is a workflow file's text, `source` its name in messages. Fails (400)
  // when the file does not parse, names MCP servers not in workflows.mcp_servers, or the
  // input does not match the workflow's inputs.
  Result<store::RunRow> submit(const std::string& spec_text, const std::string& source,
                               const std::string& input_json, const governance::Principal& who);

  // Approves or rejects the approval step `step_id` the run waits on. 404: no such run;
  // 409: the run does not wait on that step.
  Result<store::RunRow> decide(const std::string& run_id, const std::string& step_id, bool approve,
                               const std::string& comment, const governance::Principal& who);

  // Cancels a run that has not ended: it becomes `cancelled` (its stream ends with a
  // run.finished event of that status), a step waiting for an approval or running ends
  // `cancelled` (step.cancelled), the call a running step waits for is abandoned, and an
  // audit record (workflow.run.cancel) names who cancelled it. A cancelled run is never
  // resumed. 404: no such run; 409 (code already_finished): the run has ended.
  Result<store::RunRow> cancel(const std::string& run_id, const std::string& comment,
                               const governance::Principal& who);

  Result<RunView> view(const std::string& run_id);
  // Runs with this status ("" = every status), newest first.
  Result<std::vector<store::RunRow>> runs(const std::string& status);
  Result<std::vector<store::RunEventRow>> events(const std::string& run_id, int64_t after_seq);

  // Whether stop() was called (the event streams of the API end then).
  bool stopping() const;

  // Blocks until no run is queued or executing, at most `timeout`; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);

  struct State;

 private:
  explicit Engine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sy::workflow
