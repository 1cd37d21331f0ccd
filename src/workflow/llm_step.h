// run_llm_step: one `llm` step (or map item) — renders its chat request, sends it through
// StepPorts (the gateway pipeline, as the run's principal, with the step's task type and
// route or model), and normalizes the answer. With an output schema the answer must be
// JSON conforming to it: on failure the model is asked once more with the validation
// errors (JsonSchema describe()), then the request goes to the escalation route; every
// call and its outcome is recorded in the outcome's detail. Stateless; thread-safe.
#pragma once

#include <string>

#include "workflow/ports.h"
#include "workflow/spec.h"
#include "workflow/step_outcome.h"

namespace sy::workflow {

struct LlmSettings {
  std::string default_route = "auto";  // when the step names neither route nor model
  std::string escalation_route = "reasoning";
  std::chrono::milliseconds timeout{300'000};
  const std::atomic<bool>* cancel = nullptr;  // see ChatCall::cancel
};

// `context_json`: what the step's templates resolve against. `key`: the step's
// idempotency key; each call's request id is key + ":" + the call's number.
StepOutcome run_llm_step(const LlmStep& step, std::string_view step_id,
                         const std::string& context_json, const LlmSettings& settings,
                         const governance::Principal& who, const std::string& key,
                         StepPorts& ports);

// The text of the first choice of an OpenAI chat completion response; an error when the
// body is not one.
Result<std::string> reply_content(std::string_view body);

// The JSON inside a model's answer: the text itself, or the inside of a ``` fence.
std::string strip_json_fence(std::string_view text);

}  // namespace sy::workflow
