// run_plan_step: one `plan` step (docs/workflows.md, "plan steps"). Three phases, each an
// llm call through run_llm_request (so schema repair, escalation and context fitting
// apply) on workflows.default_route:
//   1. item 0, the planner: the step's prompt plus instructions, task `reasoning` (there
//      is no planning task type; planning is reasoning), must answer
//      {"subtasks":[{"id","task","prompt"}...]} — plan_schema(): 1 to max_subtasks
//      subtasks, ids simple and unique, each task one of task_types (any routing task
//      type when none are given);
//   2. items 1..N, the subtasks: each its own llm call with its task type as
//      x-switchyard-task, so a rules route sends each to the model for its kind; at most
//      `concurrency` at once;
//   3. the synthesis: the original request and every subtask's id, task and output, then
//      the synthesis prompt, with the synthesis task.
// The planner and the subtasks are item rows of the step (StepItems, the same rows a
// map's items are): a resumed plan step runs neither the planner nor a finished subtask
// again. Output: {"plan":[{"id","task","prompt"}...], "results":{id: text},
// "output": synthesis text}. Stateless; thread-safe as its StepItems.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/json_schema.h"
#include "store/store.h"
#include "workflow/llm_step.h"
#include "workflow/spec.h"
#include "workflow/step_outcome.h"

namespace sy::workflow {

// The durable item rows of one step, kept by the executor (run_executor.cc).
class StepItems {
 public:
  using ItemFn = std::function<StepOutcome(int64_t item, const std::string& key)>;
  virtual ~StepItems() = default;
  // The stored row of `item`, or null.
  virtual const store::StepRow* row(int64_t item) const = 0;
  // Runs every item of [first, first + count) that has not succeeded, at most
  // `concurrency` at once, each through `fn` with its idempotency key, storing its start
  // and end. Stops starting items at the first failure or when the engine stops; the
  // error is "item N: …" or "engine stopping".
  virtual Result<void> run(int64_t first, size_t count, uint32_t concurrency, const ItemFn& fn) = 0;
};

// The planner's answer schema for `step`.
Result<JsonSchema> plan_schema(const PlanStep& step);

// `context_json`: what the step's templates resolve against; `key`: the step's
// idempotency key (the synthesis's request ids are key:synthesis:N).
StepOutcome run_plan_step(const PlanStep& step, std::string_view step_id,
                          const std::string& context_json, const LlmSettings& settings,
                          const governance::Principal& who, const std::string& key,
                          StepPorts& ports, StepItems& items);

}  // namespace sy::workflow
