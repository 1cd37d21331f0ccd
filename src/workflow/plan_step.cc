#include "workflow/plan_step.h"

#include <nlohmann/json.hpp>
#include <set>

#include "routing/classifier.h"

namespace sy::workflow {
namespace {

using nlohmann::json;

// The planner's task type (routing has no "planning"; a plan is reasoning about the work).
constexpr const char* kPlannerTask = "reasoning";

std::vector<std::string> allowed_tasks(const PlanStep& step) {
  if (!step.task_types.empty()) return step.task_types;
  std::vector<std::string> all;
  for (size_t i = 0; i < routing::kTaskTypeCount; ++i) {
    all.emplace_back(routing::task_type_name(static_cast<routing::TaskType>(i)));
  }
  return all;
}

std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

// Duplicate ids, as describe() would list them; "" when every id is unique.
std::string duplicate_ids(const std::string& plan_json) {
  const json plan = json::parse(plan_json, nullptr, false);
  std::set<std::string> seen;
  std::string problems;
  const json& subtasks = plan["subtasks"];
  for (size_t i = 0; i < subtasks.size(); ++i) {
    const std::string id = subtasks[i]["id"];
    if (!seen.insert(id).second) {
      problems += "- at /subtasks/" + std::to_string(i) + "/id: \"" + id +
                  "\" is the id of an earlier subtask; ids must be unique\n";
    }
  }
  return problems;
}

// The deployment that served an llm item (its last call), from the item's detail.
std::string served_by(const store::StepRow* row) {
  if (row == nullptr) return {};
  const json d = json::parse(row->detail_json, nullptr, false);
  if (!d.is_object() || !d.contains("calls") || !d["calls"].is_array() || d["calls"].empty()) {
    return {};
  }
  return d["calls"].back().value("deployment", "");
}

json parsed(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json() : j;
}

std::string text_of(const json& output) {
  return output.is_string() ? output.get<std::string>() : output.dump();
}

}  // namespace

Result<JsonSchema> plan_schema(const PlanStep& step) {
  const json subtask = {
      {"type", "object"},
      {"properties",
       {{"id", {{"type", "string"}, {"pattern", "^[A-Za-z][A-Za-z0-9_-]{0,63}$"}}},
        {"task", {{"enum", allowed_tasks(step)}}},
        {"prompt", {{"type", "string"}, {"minLength", 1}}}}},
      {"required", {"id", "task", "prompt"}}};
  const json schema = {{"type", "object"},
                       {"properties",
                        {{"subtasks",
                          {{"type", "array"},
                           {"minItems", 1},
                           {"maxItems", step.max_subtasks},
                           {"items", subtask}}}}},
                       {"required", {"subtasks"}}};
  return JsonSchema::compile(schema.dump());
}

StepOutcome run_plan_step(const PlanStep& step, std::string_view step_id,
                          const std::string& context_json, const LlmSettings& settings,
                          const governance::Principal& who, const std::string& key,
                          StepPorts& ports, StepItems& items) {
  auto schema = plan_schema(step);
  if (!schema) return StepOutcome::failed("the plan's schema: " + schema.error().message);
  auto parts = step.prompt.render_parts(context_json);
  if (!parts) return StepOutcome::failed("prompt: " + parts.error().message);
  std::vector<PromptPart> request;  // the step's prompt, rendered: what the plan is for
  std::string request_text;
  for (RenderedPart& p : *parts) {
    request_text += p.text;
    request.push_back(
        {std::move(p.text), p.ref < 0 ? std::string() : step.prompt.references()[p.ref].text});
  }

  // 1. The planner (item 0).
  const auto planner = [&](int64_t, const std::string& item_key) {
    LlmRequest r;
    r.prompt = request;
    r.prompt.push_back(
        {"\n\nSplit this work into at most " + std::to_string(step.max_subtasks) +
             " subtasks that can be done independently of each other. Give each an `id` (a "
             "letter, then letters, digits, '_' or '-'), a `task` type (one of: " +
             list(allowed_tasks(step)) +
             "), and a `prompt` that is complete on its own: whoever does a subtask sees only "
             "its prompt. Answer with {\"subtasks\": [{\"id\", \"task\", \"prompt\"}, ...]}.",
         ""});
    r.task = kPlannerTask;
    r.output_schema = &*schema;
    r.check = duplicate_ids;
    return run_llm_request(r, step_id, settings, who, item_key, ports);
  };
  if (auto r = items.run(0, 1, 1, planner); !r) {
    return StepOutcome::failed("planner: " + r.error().message);
  }
  const store::StepRow* plan_row = items.row(0);
  const json plan = plan_row ? json::parse(plan_row->output_json, nullptr, false)
                             : json(json::value_t::discarded);
  if (!plan.is_object() || !plan.contains("subtasks") || !plan["subtasks"].is_array()) {
    return StepOutcome::failed("planner: the stored plan is not readable");
  }
  const json& subtasks = plan["subtasks"];
  const size_t n = subtasks.size();

  // 2. The subtasks (items 1..n).
  const auto subtask = [&](int64_t item, const std::string& item_key) {
    const json& s = subtasks[static_cast<size_t>(item - 1)];
    LlmRequest r;
    r.prompt = {{s["prompt"].get<std::string>(), "plan.subtasks." + s["id"].get<std::string>()}};
    r.task = s["task"];
    return run_llm_request(r, step_id, settings, who, item_key, ports);
  };
  if (auto r = items.run(1, n, step.concurrency, subtask); !r) {
    return StepOutcome::failed("subtask " + r.error().message);
  }
  json results = json::object();
  json served = json::array();
  for (size_t i = 0; i < n; ++i) {
    const store::StepRow* row = items.row(static_cast<int64_t>(i + 1));
    const std::string id = subtasks[i]["id"];
    const json output = row ? parsed(row->output_json) : json();
    results[id] = text_of(output);
    served.push_back({{"id", id},
                      {"task", subtasks[i]["task"]},
                      {"item", i + 1},
                      {"deployment", served_by(row)}});
  }

  // 3. The synthesis: the request and the results first (oldest, fitted first), the
  // synthesis prompt last.
  auto synthesis_parts = step.synthesis_prompt.render_parts(context_json);
  if (!synthesis_parts) {
    return StepOutcome::failed("synthesis.prompt: " + synthesis_parts.error().message);
  }
  LlmRequest r;
  r.prompt.push_back({"The original request:\n", ""});
  r.prompt.push_back({request_text, "plan.request"});
  r.prompt.push_back({"\n\nIt was split into subtasks; their results:", ""});
  for (size_t i = 0; i < n; ++i) {
    const std::string id = subtasks[i]["id"];
    r.prompt.push_back(
        {"\n\n### " + id + " (" + subtasks[i]["task"].get<std::string>() + ")\n", ""});
    r.prompt.push_back({results[id].get<std::string>(), "plan.results." + id});
  }
  r.prompt.push_back({"\n\n", ""});
  for (RenderedPart& p : *synthesis_parts) {
    r.prompt.push_back({std::move(p.text), p.ref < 0
                                               ? std::string()
                                               : step.synthesis_prompt.references()[p.ref].text});
  }
  r.task = step.synthesis_task;
  StepOutcome synthesis = run_llm_request(r, step_id, settings, who, key + ":synthesis", ports);
  json detail = {{"plan", subtasks}, {"subtasks", served}};
  if (plan_row != nullptr) detail["planner"] = parsed(plan_row->detail_json);
  detail["synthesis"] = parsed(synthesis.detail_json);
  if (synthesis.kind != StepOutcome::Kind::Succeeded) {
    return StepOutcome::failed("synthesis: " + synthesis.error, detail.dump());
  }
  const json out = {
      {"plan", subtasks}, {"results", results}, {"output", parsed(synthesis.output_json)}};
  return StepOutcome::ok(out.dump(), detail.dump());
}

}  // namespace sy::workflow
