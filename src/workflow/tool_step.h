// run_http_tool: one `tool` step with `http` (or map item) — renders the URL, headers and
// body, checks the URL against the allow-list (workflows.http_allow: URL prefixes; a URL
// that matches none fails the step and is audited as denied), calls it through
// StepPorts and takes a JSON answer as the output (any other answer as a JSON string).
// A 4xx/5xx answer fails the step. The request carries the step's idempotency key as
// `Idempotency-Key`. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "workflow/ports.h"
#include "workflow/spec.h"
#include "workflow/step_outcome.h"

namespace sy::workflow {

struct ToolSettings {
  std::vector<std::string> http_allow;
  std::chrono::milliseconds timeout{300'000};
};

// Whether `url` starts with one of the prefixes; a prefix ending without "/" matches only
// at a boundary ("https://a.example" does not admit "https://a.example.evil.com").
bool url_allowed(std::string_view url, const std::vector<std::string>& prefixes);

StepOutcome run_http_tool(const HttpCall& call, std::string_view step_id,
                          const std::string& context_json, const ToolSettings& settings,
                          const governance::Principal& who, const std::string& key,
                          StepPorts& ports);

}  // namespace sy::workflow
