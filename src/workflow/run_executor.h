// execute_run: takes one run as far as it can go now — from its first incomplete step,
// in file order (a dependency order: a step only reads earlier steps), until it ends,
// waits for an approval, or the engine stops or cancels it (nothing more is written for
// a cancelled run). Completed steps are never run again: their outputs come from the
// store. Each step's start and end are written to the store with their events (one small
// transaction each); a map step's items (and a plan step's planner and subtasks,
// plan_step.h) are rows of their own, so a resumed map or plan runs only the items that
// had not finished.
//
// RunDb is the engine's store connection, shared by its threads under a mutex.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/config.h"
#include "store/store.h"
#include "workflow/ports.h"

namespace sy::workflow {

class RunDb {
 public:
  explicit RunDb(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}
  template <class F>
  auto with(F&& f) {
    std::lock_guard lock(mu_);
    return f(*store_);
  }

 private:
  std::mutex mu_;
  std::unique_ptr<store::Store> store_;
};

struct ExecutorContext {
  RunDb& db;
  StepPorts& ports;
  const WorkflowsConfig& settings;
  std::function<int64_t()> clock;  // ms since the epoch
  // This run's execution must end now: the engine stops, or the run was cancelled. Also
  // what its calls watch (ChatCall::cancel), so a call in flight is abandoned.
  const std::atomic<bool>& stopping;
};

// What became of the run: the time its pending approval times out when it waits for one.
struct ExecutionEnd {
  std::optional<int64_t> approval_deadline_ms;
};

ExecutionEnd execute_run(const ExecutorContext& x, const std::string& run_id);

}  // namespace sy::workflow
