// parse_workflow: every step kind, the derived needs, and the problems it reports.
#include "workflow/spec.h"

#include <gtest/gtest.h>

namespace sy::workflow {
namespace {

constexpr std::string_view kTriage = R"(name: support-triage
description: Classify a ticket, draft replies per question, ask a human for refunds.
inputs:
  ticket: {type: string, description: the customer's message}
  customer_id: {type: string, required: false}
steps:
  - id: classify
    kind: llm
    task: classification
    route: fast
    prompt: "Classify this ticket: {{inputs.ticket}}"
    output_schema:
      type: object
      properties:
        category: {enum: [billing, technical, refund]}
        questions: {type: array, items: {type: string}, maxItems: 5}
      required: [category, questions]
      additionalProperties: false
  - id: answers
    kind: map
    over: "{{steps.classify.output.questions}}"
    concurrency: 2
    step:
      kind: llm
      task: chat
      prompt: "Answer question {{index}}: {{item}}"
  - id: lookup
    kind: tool
    needs: classify
    http:
      method: POST
      url: "https://crm.example.com/customers/{{inputs.customer_id}}"
      headers: {X-Ticket: "{{inputs.ticket}}"}
  - id: route
    kind: switch
    on: "{{steps.classify.output.category}}"
    cases: {refund: approve_refund}
    default: reply
  - id: approve_refund
    kind: approval
    message: "Refund for {{inputs.customer_id}}? {{steps.lookup.output}}"
    timeout: 48h
  - id: reply
    kind: plan
    task_types: [writing, chat]
    max_subtasks: 3
    prompt: "Plan a reply using {{steps.answers.output}}"
    synthesis: {prompt: "Combine into one email", task: writing}
output: "{{steps.reply.output}}"
)";

TEST(WorkflowSpec, ParsesEveryStepKind) {
  auto spec = parse_workflow(kTriage, "triage.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  EXPECT_EQ(spec->name, "support-triage");
  ASSERT_EQ(spec->steps.size(), 6u);
  const Step& classify = spec->steps[0];
  EXPECT_EQ(classify.kind, StepKind::Llm);
  const auto& llm = std::get<LlmStep>(classify.body);
  EXPECT_EQ(llm.task, "classification");
  EXPECT_EQ(llm.route, "fast");
  ASSERT_TRUE(llm.output_schema.has_value());
  EXPECT_TRUE(llm.output_schema->accepts(R"({"category":"refund","questions":[]})"));
  EXPECT_FALSE(llm.output_schema->accepts(R"({"category":"other","questions":[]})"));

  const auto& map = std::get<MapStep>(spec->find("answers")->body);
  EXPECT_EQ(map.concurrency, 2u);
  ASSERT_TRUE(map.step);
  EXPECT_EQ(map.step->kind, StepKind::Llm);
  const auto& http = std::get<HttpCall>(std::get<ToolStep>(spec->find("lookup")->body).call);
  EXPECT_EQ(http.method, "POST");
  ASSERT_EQ(http.headers.size(), 1u);
  EXPECT_EQ(http.headers[0].first, "X-Ticket");
  const auto& sw = std::get<SwitchStep>(spec->find("route")->body);
  EXPECT_EQ(sw.cases,
            (std::vector<std::pair<std::string, std::string>>{{"refund", "approve_refund"}}));
  EXPECT_EQ(sw.default_step, "reply");
  EXPECT_EQ(std::get<ApprovalStep>(spec->find("approve_refund")->body).timeout_ms,
            48 * 3600 * 1000);
  const auto& plan = std::get<PlanStep>(spec->find("reply")->body);
  EXPECT_EQ(plan.max_subtasks, 3u);
  EXPECT_EQ(plan.synthesis_task, "writing");
  EXPECT_EQ(spec->output.references().size(), 1u);
}

TEST(WorkflowSpec, NeedsAreTheNamedAndReferencedEarlierSteps) {
  auto spec = parse_workflow(kTriage, "triage.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  EXPECT_EQ(spec->find("classify")->needs, std::vector<std::string>{});
  EXPECT_EQ(spec->find("answers")->needs, std::vector<std::string>{"classify"});
  EXPECT_EQ(spec->find("lookup")->needs, std::vector<std::string>{"classify"});
  EXPECT_EQ(spec->find("approve_refund")->needs, std::vector<std::string>{"lookup"});
  EXPECT_EQ(spec->find("reply")->needs, std::vector<std::string>{"answers"});
}

TEST(WorkflowSpec, InputsBecomeASchema) {
  auto spec = parse_workflow(kTriage, "triage.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  ASSERT_TRUE(spec->input_schema.has_value());
  EXPECT_TRUE(spec->input_schema->accepts(R"({"ticket":"help"})"));
  EXPECT_FALSE(spec->input_schema->accepts(R"({"customer_id":"c1"})"));  // ticket required
  EXPECT_FALSE(spec->input_schema->accepts(R"({"ticket":1})"));
  EXPECT_FALSE(spec->input_schema->accepts(R"({"ticket":"a","other":1})"));
}

std::string problems(std::string_view yaml) {
  auto spec = parse_workflow(yaml, "wf.yaml");
  EXPECT_FALSE(spec.has_value()) << yaml;
  return spec ? "" : spec.error().message;
}

void expect_problem(std::string_view yaml, std::string_view needle) {
  const std::string message = problems(yaml);
  EXPECT_NE(message.find(needle), std::string::npos) << "missing \"" << needle << "\" in\n"
                                                     << message;
}

TEST(WorkflowSpec, ReportsProblemsWithLineAndPath) {
  expect_problem(
      "name: w\nsteps:\n  - {id: a, kind: llm, prompt: hi}\n  - {id: a, kind: llm, prompt: hi}\n",
      "wf.yaml:4: steps[1].id: duplicate step id \"a\"");
  expect_problem(
      "name: w\nsteps:\n  - {id: a, kind: llm, prompt: \"{{steps.b.output}}\"}\n"
      "  - {id: b, kind: llm, prompt: hi}\n",
      "steps.a: {{steps.b.output}} names step \"b\", which is not defined before this step");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: llm, prompt: hi, needs: [a]}\n",
                 "needs names step \"a\", which is not defined before this step");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: llm, prompt: hi, temperature: 1}\n",
                 "steps[0].temperature: unknown key for a llm step");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: loop}\n", "unknown step kind \"loop\"");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: llm, prompt: \"{{item}}\"}\n",
                 "{{item}} is only available inside a map's step");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: llm, prompt: \"{{inputs.x\"}\n",
                 "steps[0].prompt: unclosed");
  expect_problem(
      "name: w\nsteps:\n  - id: a\n    kind: llm\n    prompt: hi\n    output_schema: {type: "
      "object, unevaluatedProperties: false}\n",
      "wf.yaml:6: steps[0].output_schema: JSON schema keyword \"unevaluatedProperties\"");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: switch, on: x, cases: {y: a}}\n",
                 "switch target \"a\" is not a step defined after this one");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: tool}\n", "exactly one of http or mcp");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: approval, message: ok, timeout: soon}\n",
                 "steps[0].timeout: expected a duration");
  expect_problem(
      "name: w\nsteps:\n  - {id: a, kind: map, over: \"x {{inputs.l}}\", step: {kind: llm, prompt: "
      "p}}\n",
      "steps[0].over: expected exactly one reference");
  expect_problem(
      "name: w\nsteps:\n  - {id: a, kind: map, over: \"{{inputs.l}}\", step: {kind: approval, "
      "message: m}}\n",
      "a map's step must be an llm or tool step");
  expect_problem("name: w\nsteps: []\n", "steps: expected a non-empty list of steps");
  expect_problem("name: w\nsteps:\n  - {id: a, kind: llm, prompt: hi, route: r, model: m}\n",
                 "give either route or model");
  expect_problem("name: w\nsteps: [\n", "invalid YAML");
  // All problems in one go.
  const std::string many = problems("name: w\nsteps:\n  - {id: 1a, kind: llm}\n  - {kind: plan}\n");
  EXPECT_NE(many.find("steps[0].id"), std::string::npos) << many;
  EXPECT_NE(many.find("steps[0].prompt: is required"), std::string::npos) << many;
  EXPECT_NE(many.find("steps[1].id: is required"), std::string::npos) << many;
}

TEST(WorkflowSpec, OutputSchemaMayBeJsonText) {
  auto spec = parse_workflow(R"(name: w
steps:
  - id: a
    kind: llm
    prompt: hi
    output_schema: '{"type":"object","required":["total"]}'
)",
                             "wf.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  const auto& llm = std::get<LlmStep>(spec->steps[0].body);
  EXPECT_TRUE(llm.output_schema->accepts(R"({"total":1})"));
  EXPECT_FALSE(llm.output_schema->accepts("{}"));
}

TEST(WorkflowSpec, YamlScalarsKeepTheirTypesInSchemas) {
  auto spec = parse_workflow(R"(name: w
steps:
  - id: a
    kind: llm
    prompt: hi
    output_schema:
      type: object
      properties:
        code: {const: "007"}
        n: {const: 7}
        yes: {const: true}
)",
                             "wf.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  const auto& schema = *std::get<LlmStep>(spec->steps[0].body).output_schema;
  EXPECT_TRUE(schema.accepts(R"({"code":"007","n":7,"yes":true})"));
  EXPECT_FALSE(schema.accepts(R"({"code":7})"));
  EXPECT_FALSE(schema.accepts(R"({"n":"7"})"));
  EXPECT_FALSE(schema.accepts(R"({"yes":"true"})"));
}

}  // namespace
}  // namespace sy::workflow
