// WorkflowSpec: a workflow file (docs/workflows.md) parsed and checked: its inputs, and
// its steps in order, each of one kind (llm, tool, approval, map, switch, plan) with its
// templates parsed and its schemas compiled. parse_workflow() reports every problem in the
// file at once, each with its line and path, like the config loader.
//
// Checks: unique step ids; `needs`, template references (`{{steps.<id>.output...}}`) and
// map sources name steps defined earlier in the file, so the steps form a DAG in file
// order (no cycles by construction); switch cases name steps defined later; `item` and
// `index` are used only inside a map's step; llm output schemas compile (JsonSchema).
//
// Plain immutable value once parsed; share it freely between threads. Run by the engine
// (engine.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/json_schema.h"
#include "workflow/template.h"

namespace sy::workflow {

enum class StepKind { Llm, Tool, Approval, Map, Switch, Plan };
const char* step_kind_name(StepKind kind);

// What an llm step does when its context is larger than the chosen model's window.
enum class ContextOverflow { DropOldest, Summarize };

struct LlmStep {
  Template prompt;
  Template system;    // optional system message
  std::string task;   // task type for routing ("extraction", ...); "" = classify
  std::string route;  // a named route, or
  std::string model;  // a concrete model (at most one of the two)
  std::optional<JsonSchema> output_schema;  // output must be JSON conforming to it
  ContextOverflow context_overflow = ContextOverflow::DropOldest;
};

struct HttpCall {
  std::string method = "GET";
  Template url;
  std::vector<std::pair<std::string, Template>> headers;
  Template body;
};

struct McpCall {
  std::string server;  // an MCP server declared in the gateway config
  std::string tool;
  std::vector<std::pair<std::string, Template>> arguments;
};

struct ToolStep {
  std::variant<HttpCall, McpCall> call;
};

struct ApprovalStep {
  Template message;
  int64_t timeout_ms = 24LL * 3600 * 1000;
  bool approve_on_timeout = false;  // on_timeout: reject (default) | approve
};

struct Step;

struct MapStep {
  Template over;  // exactly one reference to a JSON array
  uint32_t concurrency = 4;
  std::shared_ptr<const Step> step;  // run once per item (an llm or tool step)
};

struct SwitchStep {
  Template on;                                             // rendered, then compared
  std::vector<std::pair<std::string, std::string>> cases;  // value -> step id (later in file)
  std::string default_step;                                // "" = no step when nothing matches
};

struct PlanStep {
  Template prompt;
  std::vector<std::string> task_types;  // what subtasks may be; empty = any
  uint32_t max_subtasks = 8;
  uint32_t concurrency = 4;   // subtasks run at once, as a map's items
  Template synthesis_prompt;  // combines the subtasks' results
  std::string synthesis_task;
};

struct Step {
  std::string id;
  StepKind kind = StepKind::Llm;
  std::string description;
  // Earlier steps this one reads: its `needs` plus every step its templates reference,
  // in file order.
  std::vector<std::string> needs;
  std::variant<LlmStep, ToolStep, ApprovalStep, MapStep, SwitchStep, PlanStep> body;
};

struct WorkflowInput {
  std::string name;
  std::string description;
  bool required = true;
  std::string default_json;  // `default`: the value when the input is left out ("" = none)
};

struct WorkflowSpec {
  std::string name;
  std::string description;
  std::vector<WorkflowInput> inputs;
  std::optional<JsonSchema> input_schema;  // the run's input object, built from `inputs`
  std::vector<Step> steps;
  Template output;  // the run's result; empty = the last step's output
  // Or an object: each name's template resolved (a lone reference keeps its JSON type,
  // anything else is a string). Non-empty replaces `output`.
  std::vector<std::pair<std::string, Template>> output_fields;

  const Step* find(std::string_view id) const;
};

// `source` names the file in messages ("workflows/triage.yaml:12: steps[2].prompt: ...").
Result<WorkflowSpec> parse_workflow(std::string_view yaml, const std::string& source);
Result<WorkflowSpec> load_workflow_file(const std::string& path);

}  // namespace sy::workflow
