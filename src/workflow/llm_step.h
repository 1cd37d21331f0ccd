// run_llm_step: one `llm` step (or map item) — renders its chat request, sends it through
// StepPorts (the gateway pipeline, as the run's principal, with the step's task type and
// route or model), and normalizes the answer. With an output schema the answer must be
// JSON conforming to it: on failure the model is asked once more with the validation
// errors (JsonSchema describe()), then the request goes to the escalation route; every
// call and its outcome is recorded in the outcome's detail. Before the first call the
// prompt is fitted to the context window of the model it goes to (context_fit.h; the
// window from StepPorts::context_window), as the step's context_overflow says.
// run_llm_request is the same for a request built in code (a plan step's planner,
// subtasks and synthesis). Stateless; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "workflow/context_fit.h"
#include "workflow/ports.h"
#include "workflow/spec.h"
#include "workflow/step_outcome.h"

namespace sy::workflow {

struct LlmSettings {
  std::string default_route = "auto";  // when the step names neither route nor model
  std::string escalation_route = "reasoning";
  std::string summary_route = "standard";  // context_overflow: summarize
  std::chrono::milliseconds timeout{300'000};
  const std::atomic<bool>* cancel = nullptr;  // see ChatCall::cancel
};

// `context_json`: what the step's templates resolve against. `key`: the step's
// idempotency key; each call's request id is key + ":" + the call's number.
StepOutcome run_llm_step(const LlmStep& step, std::string_view step_id,
                         const std::string& context_json, const LlmSettings& settings,
                         const governance::Principal& who, const std::string& key,
                         StepPorts& ports);

struct LlmRequest {
  std::vector<PromptPart> prompt;  // the user message, in parts (what fitting may shorten)
  std::string system;              // "" = none
  std::string task;                // x-switchyard-task ("" = none)
  std::string model;               // a deployment or route; "" = settings.default_route
  const JsonSchema* output_schema = nullptr;
  // A further check of an answer that conforms to the schema (its JSON text): the problems
  // as describe() lists them ("- at /x: ..."), "" when there are none. A problem is
  // repaired and escalated like a schema error.
  std::function<std::string(const std::string& json)> check;
  ContextOverflow overflow = ContextOverflow::DropOldest;
};

StepOutcome run_llm_request(const LlmRequest& request, std::string_view step_id,
                            const LlmSettings& settings, const governance::Principal& who,
                            const std::string& key, StepPorts& ports);

// The text of the first choice of an OpenAI chat completion response; an error when the
// body is not one.
Result<std::string> reply_content(std::string_view body);

// The JSON inside a model's answer: the text itself, or the inside of a ``` fence.
std::string strip_json_fence(std::string_view text);

}  // namespace sy::workflow
