// Context fitting (docs/workflows.md "Context fitting"): makes an llm step's prompt fit
// the context window of the model it will be routed to, instead of the gateway refusing
// the request. The prompt comes in parts, in order: the text written in the step's
// template (always kept) and the values its references put in (`{{inputs.document}}`,
// `{{steps.x.output}}`), the "context". Values are shortened from the earliest on:
//   - DropOldest: the beginning of the earliest value is cut (the whole value if need
//     be, then the next one), leaving "[… N earlier characters dropped to fit the model's
//     context window] " where the text was;
//   - Summarize: the earliest values (of kMinSummaryTokens or more) are replaced, one at a
//     time until the prompt fits, by a summary of them, asked for chunk by chunk (each
//     chunk fits the summary model); if the prompt is still too large, DropOldest
//     finishes the job.
// Sizes are token estimates (routing/token_estimate.h, which errs high) of the prompt as
// sent. Pure logic: the summary call is a function the caller provides. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "workflow/spec.h"

namespace sy::workflow {

struct PromptPart {
  std::string text;
  std::string source;  // the reference that produced it ("inputs.document"); "" = written text
  bool context() const { return !source.empty(); }
};

// Values smaller than this are not worth a summary call (dropping still applies).
inline constexpr uint32_t kMinSummaryTokens = 256;

// The prompt tokens a model of `window` tokens may take: the rest is kept for its answer
// (a quarter of the window, at most 4096 tokens).
uint32_t prompt_budget(uint32_t window);

// Summarizes one chunk of text (the chunk fits the summary model); an error fails the step.
using Summarizer = std::function<Result<std::string>(std::string_view chunk)>;

struct FitRequest {
  std::vector<PromptPart> parts;
  uint32_t other_tokens = 0;  // the rest of the request: system message, framing
  uint32_t budget = 0;        // tokens the whole prompt may take (prompt_budget)
  ContextOverflow overflow = ContextOverflow::DropOldest;
  Summarizer summarize;       // Summarize only
  uint32_t chunk_tokens = 0;  // Summarize: the largest chunk one summary call may take
};

struct FitResult {
  std::vector<PromptPart> parts;  // the fitted prompt (unchanged when it fitted)
  bool changed = false;
  // What was done, for the step's detail: {"window_budget","tokens_before","tokens_after",
  // "overflow","parts":[{"source","chars_before","chars_after","action"[,"chunks"]}]}.
  std::string detail_json;
};

// The estimated tokens of the parts joined, plus `other_tokens`.
uint32_t prompt_tokens(const std::vector<PromptPart>& parts, uint32_t other_tokens);

// Fits `request.parts` into `request.budget`. Fails when even every value dropped does not
// fit (the written text alone is too large), or when a summary call fails.
Result<FitResult> fit_context(FitRequest request);

// The length of the longest prefix of `text` that is at most `max_tokens` tokens, cut at
// a UTF-8 character boundary (and at the last line break or space in its final tenth,
// when there is one).
size_t chunk_length(std::string_view text, uint32_t max_tokens);

}  // namespace sy::workflow
