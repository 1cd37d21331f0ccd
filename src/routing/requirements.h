// What a request needs from a deployment — tools, image input, JSON-schema output,
// streaming, room for its prompt and its answer — and the named candidate constraints
// that enforce it ("capability:tools", "context_window", …), in the same list as
// governance's constraints. The prompt's size is an estimate from its bytes that errs
// high (routing/token_estimate.h; docs/routing.md says how it was checked). Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/chat.h"
#include "routing/route_decision.h"
#include "routing/token_estimate.h"

namespace sy::routing {

struct Needs {
  bool tools = false;        // tool definitions, or tool calls in the history
  bool vision = false;       // image parts
  bool json_schema = false;  // structured output against a schema
  bool stream = false;
  uint32_t input_tokens = 0;   // estimated, never low by design
  uint32_t output_tokens = 0;  // max_tokens asked for; 0 when the client set none
};

Needs needs_of(const model::ChatRequest& request);

// The answer's expected size: max_tokens when the client set it, else a typical 256.
inline uint32_t expected_output_tokens(const Needs& needs) {
  return needs.output_tokens ? needs.output_tokens : 256;
}
// Prompt plus expected answer: what headroom and rate limits are charged up front.
inline uint64_t expected_tokens(const Needs& needs) {
  return uint64_t{needs.input_tokens} + expected_output_tokens(needs);
}

// Appends one named constraint per need a deployment might not meet.
void append_need_constraints(const Needs& needs, std::vector<CandidateConstraint>& out);

// The request's expected USD cost at `d`: its estimated prompt and expected answer.
double expected_cost_usd(const providers::Deployment& d, const Needs& needs);

// The caller's limits as named constraints: "hint.max_cost" (expected cost above the
// maximum) and "hint.max_latency" (EWMA time to first token above it; a deployment not yet
// measured passes). `hints`, `needs` and `board` must outlive the constraints.
void append_hint_constraints(const Hints& hints, const Needs& needs, const HealthBoard& board,
                             std::vector<CandidateConstraint>& out);

}  // namespace sy::routing
